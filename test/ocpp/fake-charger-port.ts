// The one fake ChargerPort of the OCPP client's tests (status, metering, services), and the
// fixtures it is fed with: meter readings, connector views and session records.
//
// Its views are what the test sets (set() announces the change with 'changed', setQuietly()
// does not); the test emits events, directly or through startSession / meter / endSession, which
// change the views as the charger does; every command is recorded, with the clock time where it
// matters, and answers what the test told it to.

import type { ChargerEvent, ChargerPort, ConnectorView, SessionSettings, StationView, StopReason, UnlockResult } from '../../app/ocpp/charger-port.js';
import { SESSION_DELIVERIES, type SessionDelivery, type SessionRecord } from '../../app/records.js';
import type { MeterReading } from '../../hal/interfaces.js';

/** A meter reading: the same current/voltage on each phase unless given per phase. */
export function reading(importEnergyWh: number, o: { currentA?: number[]; voltageV?: number[]; totalPowerW?: number; frequencyHz?: number } = {}): MeterReading {
  const currents = o.currentA ?? [16, 16, 16];
  const voltages = o.voltageV ?? [230, 230, 230];
  const phase = (i: number) => ({ voltageV: voltages[i]!, currentA: currents[i]!, powerW: voltages[i]! * currents[i]! });
  return { phases: [phase(0), phase(1), phase(2)], totalPowerW: o.totalPowerW ?? 11_040, frequencyHz: o.frequencyHz ?? 50, importEnergyWh };
}

/** An idle connector (Available, unplugged, no session, meter at 1000 Wh), with `patch` applied. */
export function connectorView(connectorId: number, patch: Partial<ConnectorView> = {}): ConnectorView {
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

/** A session in progress, authorized by TAG1, as the charger's session store opens it; `patch` applied. */
export function sessionRecord(sessionId: string, connectorId: number, startedAtMs: number, meterStartWh: number, patch: Partial<SessionRecord> = {}): SessionRecord {
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
    ...patch,
  };
}

export interface EndSessionOptions {
  /** 'Local' unless given. */
  readonly reason?: StopReason;
  readonly stoppedByIdTag?: string | null;
  /** The clock's time unless given. */
  readonly stoppedAtMs?: number;
  /** The session's start register plus its energy unless given. */
  readonly meterStopWh?: number;
}

/** A full ChargerPort: views and events the test sets, and a record of every command. */
export class FakeChargerPort implements ChargerPort {
  readonly connectorIds: readonly number[];
  /** The subscribed listeners (listenerCount is their number). */
  readonly listeners = new Set<(event: ChargerEvent) => void>();
  private readonly views = new Map<number, ConnectorView>();
  private stationView: StationView = { status: 'Available', faults: [] };
  /** Kept sessions, oldest first (what sessions() returns); startSession / meter / endSession keep it up to date. */
  records: SessionRecord[] = [];

  readonly authorized: Array<{ connectorId: number; idTag: string }> = [];
  readonly stops: Array<{ connectorId: number; reason: StopReason; stoppedByIdTag: string | null }> = [];
  readonly operative: Array<{ connectorId: number; operative: boolean }> = [];
  readonly limits: Array<{ connectorId: number; amps: number | null; at: number }> = [];
  readonly unlocks: number[] = [];
  readonly sessionSettings: SessionSettings[] = [];
  /** What authorize() answers. */
  authorizeResult = true;
  unlockResult: UnlockResult = 'Unlocked';

  /** `connectors`: how many idle connectors (numbered from 1), or their views. */
  constructor(
    connectors: number | readonly ConnectorView[] = 2,
    private readonly clock: { now(): number } = { now: () => 0 },
  ) {
    const views = typeof connectors === 'number' ? Array.from({ length: connectors }, (_, i) => connectorView(i + 1)) : connectors;
    for (const view of views) this.views.set(view.connectorId, view);
    this.connectorIds = [...this.views.keys()];
  }

  // --- views and events ---

  connector(connectorId: number): ConnectorView {
    const view = this.views.get(connectorId);
    if (!view) throw new Error(`no connector ${connectorId}`);
    return view;
  }

  station(): StationView {
    return this.stationView;
  }

  onEvent(listener: (event: ChargerEvent) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  emit(event: ChargerEvent): void {
    for (const listener of [...this.listeners]) listener(event);
  }

  /** Changes a connector's view without telling anyone. */
  setQuietly(connectorId: number, patch: Partial<ConnectorView>): void {
    this.views.set(connectorId, { ...this.connector(connectorId), ...patch });
  }

  /** Changes a connector's view and emits 'changed'. */
  set(connectorId: number, patch: Partial<ConnectorView>): void {
    this.setQuietly(connectorId, patch);
    this.emit({ type: 'changed', connectorId });
  }

  /** Replaces the station's view; emits 'changed' for connector 0 unless `announce` is false. */
  setStation(view: StationView, announce = true): void {
    this.stationView = view;
    if (announce) this.emit({ type: 'changed', connectorId: 0 });
  }

  /** A session starts as the charger starts one: the view takes it (Charging, plugged), then it is announced. */
  startSession(session: SessionRecord): void {
    this.setQuietly(session.connectorId, { session, status: 'Charging', plugged: true });
    this.records.push(session);
    this.emit({ type: 'sessionStarted', connectorId: session.connectorId, session });
  }

  /** The session's energy so far (and the meter register), announced as a meter reading. */
  meter(connectorId: number, energyWh: number): void {
    const view = this.connector(connectorId);
    const register = (view.session?.meterStartWh ?? 0) + energyWh;
    const r = reading(register);
    const session = view.session ? { ...view.session, energyWh } : null;
    this.setQuietly(connectorId, { meter: r, session });
    if (session) this.records = this.records.map((s) => (s.sessionId === session.sessionId ? session : s));
    this.emit({ type: 'meterReading', connectorId, reading: r, at: this.clock.now() });
  }

  /** Ends the session as the charger does: the view loses it, then the final record is announced. */
  endSession(connectorId: number, o: EndSessionOptions = {}): SessionRecord {
    const s = this.connector(connectorId).session;
    if (!s) throw new Error(`no session on ${connectorId}`);
    const final: SessionRecord = {
      ...s,
      stoppedAt: new Date(o.stoppedAtMs ?? this.clock.now()).toISOString(),
      meterStopWh: o.meterStopWh ?? s.meterStartWh + s.energyWh,
      stopReason: o.reason ?? 'Local',
    };
    this.records = this.records.map((r) => (r.sessionId === s.sessionId ? final : r));
    this.setQuietly(connectorId, { session: null, status: 'Finishing' });
    this.emit({ type: 'sessionStopped', connectorId, session: final, stoppedByIdTag: o.stoppedByIdTag ?? null });
    return final;
  }

  // --- commands, recorded ---

  authorize(connectorId: number, idTag: string): boolean {
    this.authorized.push({ connectorId, idTag });
    return this.authorizeResult;
  }

  stopSession(connectorId: number, reason: StopReason, stoppedByIdTag: string | null = null): boolean {
    this.stops.push({ connectorId, reason, stoppedByIdTag });
    return this.connector(connectorId).session !== null;
  }

  async endSessions(reason: StopReason): Promise<void> {
    for (const connectorId of this.connectorIds) this.stopSession(connectorId, reason);
  }

  unlock(connectorId: number): Promise<UnlockResult> {
    this.unlocks.push(connectorId);
    return Promise.resolve(this.unlockResult);
  }

  setOperative(connectorId: number, operative: boolean): void {
    this.operative.push({ connectorId, operative });
  }

  setExternalLimit(connectorId: number, amps: number | null): void {
    this.limits.push({ connectorId, amps, at: this.clock.now() });
  }

  /** The last external limit set on a connector (undefined: never set). */
  limitOf(connectorId: number): number | null | undefined {
    return this.limits.filter((l) => l.connectorId === connectorId).at(-1)?.amps;
  }

  /** The last operative state set for a connector. */
  operativeOf(connectorId: number): boolean | undefined {
    return this.operative.filter((o) => o.connectorId === connectorId).at(-1)?.operative;
  }

  configureSessions(settings: SessionSettings): void {
    this.sessionSettings.push(settings);
  }

  sessions(): readonly SessionRecord[] {
    return this.records;
  }

  /** Kept on `records` (and a session in progress), forward only, as the session store does. */
  async noteDelivery(sessionId: string, delivery: SessionDelivery, transactionId?: number): Promise<void> {
    const order: readonly SessionDelivery[] = SESSION_DELIVERIES;
    const forward = (r: SessionRecord): SessionRecord => {
      if (r.sessionId !== sessionId) return r;
      const next = r.delivery === undefined || order.indexOf(r.delivery) < order.indexOf(delivery) ? { ...r, delivery } : r;
      return transactionId !== undefined && next.backendTransactionId === undefined ? { ...next, backendTransactionId: transactionId } : next;
    };
    this.records = this.records.map(forward);
    for (const view of this.views.values()) if (view.session) this.views.set(view.connectorId, { ...view, session: forward(view.session) });
  }
}
