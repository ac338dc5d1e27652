import { createRequire } from 'node:module';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import ocppRpc from 'ocpp-rpc';

import type { ChargerEvent, ChargerPort, ConnectorView } from '../../../app/ocpp/charger-port.js';
import { ConfigurationStore, type ConfigurationStoreOptions } from '../../../app/ocpp/configuration/configuration-store.js';
import type { SessionRecord } from '../../../app/records.js';
import type { MeterReading } from '../../../hal/interfaces.js';

/** A meter reading: the same current/voltage on each phase unless given per phase. */
export function reading(importEnergyWh: number, o: { currentA?: number[]; voltageV?: number[]; totalPowerW?: number; frequencyHz?: number } = {}): MeterReading {
  const currents = o.currentA ?? [16, 16, 16];
  const voltages = o.voltageV ?? [230, 230, 230];
  const phase = (i: number) => ({ voltageV: voltages[i]!, currentA: currents[i]!, powerW: voltages[i]! * currents[i]! });
  return { phases: [phase(0), phase(1), phase(2)], totalPowerW: o.totalPowerW ?? 11_040, frequencyHz: o.frequencyHz ?? 50, importEnergyWh };
}

export function view(connectorId: number, patch: Partial<ConnectorView> = {}): ConnectorView {
  return {
    connectorId,
    status: 'Available',
    faults: [],
    phases: 3,
    meter: reading(1000),
    offeredCurrentA: 0,
    socketTemperatureC: null,
    socPercent: null,
    session: null,
    plugged: false,
    ...patch,
  };
}

export function sessionRecord(sessionId: string, connectorId: number, startedAtMs: number, meterStartWh: number): SessionRecord {
  return {
    sessionId,
    connectorId,
    idTag: 'TAG1',
    startedAt: new Date(startedAtMs).toISOString(),
    stoppedAt: null,
    meterStartWh,
    meterStopWh: null,
    energyWh: 0,
    maxPowerW: 0,
    stopReason: null,
    stopFault: null,
  };
}

/** A ChargerPort whose views the test sets and whose events the test emits. */
export class FakeCharger implements ChargerPort {
  private readonly views = new Map<number, ConnectorView>();
  readonly listeners = new Set<(event: ChargerEvent) => void>();

  constructor(views: ConnectorView[]) {
    for (const v of views) this.views.set(v.connectorId, v);
  }

  get connectorIds(): number[] {
    return [...this.views.keys()];
  }

  connector(connectorId: number): ConnectorView {
    const v = this.views.get(connectorId);
    if (!v) throw new Error(`no connector ${connectorId}`);
    return v;
  }

  set(connectorId: number, patch: Partial<ConnectorView>): void {
    this.views.set(connectorId, { ...this.connector(connectorId), ...patch });
  }

  startSession(session: SessionRecord): void {
    this.set(session.connectorId, { session, status: 'Charging', plugged: true });
    this.emit({ type: 'sessionStarted', connectorId: session.connectorId, session });
  }

  /** Ends the session as the charger does: the view loses it, then the final record is announced. */
  endSession(connectorId: number, meterStopWh?: number, stoppedAtMs?: number): SessionRecord {
    const s = this.connector(connectorId).session;
    if (!s) throw new Error(`no session on ${connectorId}`);
    this.set(connectorId, { session: null, status: 'Finishing' });
    const final: SessionRecord = {
      ...s,
      stoppedAt: new Date(stoppedAtMs ?? Date.parse(s.startedAt)).toISOString(),
      meterStopWh: meterStopWh ?? s.meterStartWh,
      stopReason: 'Local',
    };
    this.emit({ type: 'sessionStopped', connectorId, session: final, stoppedByIdTag: null });
    return final;
  }

  emit(event: ChargerEvent): void {
    for (const l of [...this.listeners]) l(event);
  }

  station() {
    return { status: 'Available' as const, faults: [] };
  }

  onEvent(listener: (event: ChargerEvent) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  authorize(): boolean {
    return false;
  }

  stopSession(): boolean {
    return false;
  }

  unlock() {
    return Promise.resolve('NotSupported' as const);
  }

  setOperative(): void {}
  setExternalLimit(): void {}
  configureSessions(): void {}

  sessions(): SessionRecord[] {
    return [];
  }
}

/** A real ConfigurationStore in a fresh temporary directory per test. */
export function configurationFixture() {
  const fx = {
    dir: '',
    open(options: Partial<ConfigurationStoreOptions> = {}): Promise<ConfigurationStore> {
      return ConfigurationStore.open(fx.dir, { numberOfConnectors: 2, report: () => undefined, ...options });
    },
  };
  beforeEach(async () => {
    fx.dir = await mkdtemp(join(tmpdir(), 'charger-ocpp-metering-'));
  });
  afterEach(async () => {
    await rm(fx.dir, { recursive: true, force: true, maxRetries: 3 });
  });
  return fx;
}

// The OCPP 1.6 JSON schemas ocpp-rpc ships, checked by ocpp-rpc's own validator (its ajv and
// formats), as the backend link checks what we send.
const schemas = createRequire(import.meta.url)('ocpp-rpc/lib/schemas/ocpp1_6.json') as object[];
const validator = ocppRpc.createValidator('ocpp1.6', schemas);

/** The schema's complaint about a request payload, '' when it is valid. */
export function schemaErrors(action: 'MeterValues' | 'StopTransaction', payload: unknown): string {
  try {
    validator.validate(`urn:${action}.req`, payload);
    return '';
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}
