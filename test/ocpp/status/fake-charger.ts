// The reading half of a ChargerPort, whose views the test sets, then announces with a 'changed' event.

import type { ChargerEvent, ConnectorView, FaultView, StationView } from '../../../app/ocpp/charger-port.js';
import type { ChargerStatusSource } from '../../../app/ocpp/status/status-notifier.js';
import type { SessionRecord } from '../../../app/records.js';
import { FAULTS, type FaultName } from '../../../state-machines/faults.js';

/** Only its presence matters to status reporting. */
export const SESSION = { sessionId: 's-1', connectorId: 1 } as unknown as SessionRecord;

export function faultView(fault: FaultName, since = '2026-01-01T00:00:00.000Z'): FaultView {
  const row = FAULTS[fault];
  return { fault, ocppErrorCode: row.ocppErrorCode, vendorErrorCode: row.vendorErrorCode, info: row.displayReason, since };
}

export function idleView(connectorId: number): ConnectorView {
  return {
    connectorId,
    status: 'Available',
    faults: [],
    phases: 3,
    meter: null,
    offeredCurrentA: 0,
    socketTemperatureC: null,
    socPercent: null,
    session: null,
    plugged: false,
  };
}

export class FakeCharger implements ChargerStatusSource {
  readonly connectorIds: readonly number[];
  private readonly views = new Map<number, ConnectorView>();
  private stationView: StationView = { status: 'Available', faults: [] };
  private readonly listeners = new Set<(event: ChargerEvent) => void>();

  constructor(connectorCount = 2) {
    this.connectorIds = Array.from({ length: connectorCount }, (_, i) => i + 1);
    for (const id of this.connectorIds) this.views.set(id, idleView(id));
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

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

  /** Changes a connector's view without telling anyone. */
  setQuietly(connectorId: number, change: Partial<ConnectorView>): void {
    this.views.set(connectorId, { ...this.connector(connectorId), ...change });
  }

  /** Changes a connector's view and emits 'changed'. */
  set(connectorId: number, change: Partial<ConnectorView>): void {
    this.setQuietly(connectorId, change);
    this.emit({ type: 'changed', connectorId });
  }

  setStation(view: StationView, announce = true): void {
    this.stationView = view;
    if (announce) this.emit({ type: 'changed', connectorId: 0 });
  }

  emit(event: ChargerEvent): void {
    for (const listener of [...this.listeners]) listener(event);
  }
}
