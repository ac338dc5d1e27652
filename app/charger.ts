// The charging station, composed: its connectors, and the parts that serve them all — station
// safety (the station-wide interlocks), the open-session book, the card desk, the fault recorder
// and the display presenter. It offers the ChargerApi to local interfaces and the ChargerPort to
// the OCPP client; nothing outside reaches into its parts.

import type { FaultName } from '../state-machines/faults.js';
import { POWER_OFF_UNDER_LOAD_MS } from '../state-machines/charging-point.js';
import { Tag } from '../state-machines/charging-point-view.js';
import type { ChargerApi } from './charger-api.js';
import type { ChargerEvent, ChargerPort, ConnectorView, SessionSettings, StationView, StopReason, UnlockResult } from './ocpp/charger-port.js';
import { connectorView, faultView, stationView } from './connector-view.js';
import type { ChargerStatus, ConnectorStatus, FaultLogEntry, SessionDelivery, SessionRecord } from './records.js';
import type { Connector } from './connector/connector.js';
import { connectorStatus } from './connector-status.js';
import { assembleStation, type ChargerOptions, type StationParts } from './station-parts.js';
import { waitUntil } from './wait-until.js';

export type { ChargerOptions };

/** Beyond the EV's power-off-under-load time, how long endSessions waits for the sessions to close. */
const SESSION_END_MARGIN_MS = 2000;

export class Charger implements ChargerApi, ChargerPort {
  private readonly parts: StationParts;
  private readonly listeners = new Set<(event: ChargerEvent) => void>();
  private readonly startedAt: number;
  private stationOperative = true;

  constructor(private readonly options: ChargerOptions) {
    this.startedAt = options.clock.now();
    this.parts = assembleStation(options, {
      emit: (event) => this.emit(event),
      stopSession: (id, reason, idTag) => this.stopSession(id, reason, idTag),
    });
  }

  /** Closes sessions a power cut left open, then starts every connector. */
  async start(): Promise<void> {
    for (const connector of this.parts.connectors) connector.start();
    this.parts.siteShare.update();
    this.parts.safety.push();
    await this.parts.book.recover();
    this.parts.display.start();
  }

  async stop(): Promise<void> {
    this.parts.display.stop();
    for (const connector of this.parts.connectors) connector.stop();
    for (const dispose of this.parts.disposers) dispose();
    this.parts.safety.stop();
    await Promise.all([this.options.sessions.flush(), this.options.faultLog.flush()]);
  }

  // —— ChargerApi ——

  status(): ChargerStatus {
    const { config, hardware, clock } = this.options;
    const now = clock.now();
    return {
      chargePointId: config.identity.chargePointId,
      board: config.board,
      uptimeS: Math.round((now - this.startedAt) / 1000),
      time: new Date(now).toISOString(),
      emergencyStop: hardware.emergencyStop.isPressed(),
      groundPresent: hardware.groundMonitor.isPresent(),
      display: hardware.display.lines,
      stationFaults: this.parts.safety.faults.map((f) => this.parts.faults.active(f, null)),
      connectors: this.parts.connectors.map((c) => this.connectorStatus(c)),
    };
  }

  faultLog(): readonly FaultLogEntry[] {
    return this.options.faultLog.list();
  }

  sessions(): readonly SessionRecord[] {
    return this.options.sessions.list();
  }

  noteDelivery(sessionId: string, delivery: SessionDelivery, transactionId?: number): Promise<void> {
    return this.options.sessions.noteDelivery(sessionId, delivery, transactionId);
  }

  resetFaults(connectorId: number | null): readonly { connectorId: number | null; fault: FaultName }[] {
    const cleared: { connectorId: number | null; fault: FaultName }[] = [];
    for (const connector of this.parts.connectors) {
      if (connectorId !== null && connector.id !== connectorId) continue;
      for (const fault of connector.reset()) cleared.push({ connectorId: connector.id, fault });
    }
    if (connectorId === null) for (const fault of this.parts.safety.reset()) cleared.push({ connectorId: null, fault });
    return cleared;
  }

  /** The connector with this id, if the charger has it. */
  part(connectorId: number): Connector | undefined {
    return this.parts.connectors.find((c) => c.id === connectorId);
  }

  // —— ChargerPort: what the OCPP client reads and commands ——

  get connectorIds(): readonly number[] {
    return this.parts.connectors.map((c) => c.id);
  }

  connector(connectorId: number): ConnectorView {
    const connector = this.part(connectorId);
    if (!connector) throw new RangeError(`no connector ${connectorId}`);
    const faults = connector.faults.map((f) => faultView(f, this.parts.faults.since(f.fault, connectorId)));
    return connectorView(connector, faults, this.parts.book.recordOn(connectorId));
  }

  station(): StationView {
    return stationView(this.parts.safety.faults.map((f) => faultView(f, this.parts.faults.since(f.fault, null))), this.stationOperative);
  }

  onEvent(listener: (event: ChargerEvent) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  authorize(connectorId: number, idTag: string): boolean {
    const connector = this.part(connectorId);
    if (!connector || connector.inSession) return false;
    connector.authorize(idTag);
    return connector.hasTag(Tag.awaitsPlug) || connector.hasTag(Tag.inSession);
  }

  stopSession(connectorId: number, reason: StopReason, stoppedByIdTag: string | null = null): boolean {
    const connector = this.part(connectorId);
    if (!connector || !connector.inSession) return false;
    this.parts.book.noteStopper(connectorId, stoppedByIdTag);
    connector.requestStop(reason);
    return true;
  }

  async endSessions(reason: StopReason): Promise<void> {
    for (const connector of this.parts.connectors) this.stopSession(connector.id, reason);
    // Closed means out of the machine and through the final meter read (the record, the event):
    // re-checked at each 'changed' (the machine moved) and 'sessionStopped' (the record closed).
    const closed = () => !this.parts.connectors.some((c) => c.inSession) && !this.parts.book.anyClosing;
    await waitUntil(this.options.clock, closed, (changed) => this.onEvent(changed), POWER_OFF_UNDER_LOAD_MS + SESSION_END_MARGIN_MS);
  }

  unlock(connectorId: number): Promise<UnlockResult> {
    const connector = this.part(connectorId);
    if (!connector) return Promise.resolve('NotSupported');
    if (connector.inSession) this.parts.book.noteStopper(connectorId, null);
    return connector.unlock();
  }

  setOperative(connectorId: number, operative: boolean): void {
    if (connectorId === 0) this.stationOperative = operative;
    for (const connector of this.parts.connectors) if (connectorId === 0 || connector.id === connectorId) connector.setOperative(operative);
    if (connectorId === 0) this.emit({ type: 'changed', connectorId: 0 });
  }

  setExternalLimit(connectorId: number, amps: number | null, claim: string): void {
    this.part(connectorId)?.setExternalLimit(claim, amps);
  }

  configureSessions(settings: SessionSettings): void {
    for (const connector of this.parts.connectors) connector.configure(settings);
  }

  private emit(event: ChargerEvent): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (error) {
        this.options.log?.('charger event listener failed', { event: event.type, error: String(error) });
      }
    }
  }

  private connectorStatus(connector: Connector): ConnectorStatus {
    return connectorStatus(connector, {
      enclosureC: this.options.hardware.enclosureTemperature.read(),
      session: this.parts.book.recordOn(connector.id),
      faults: connector.faults.map((f) => this.parts.faults.active(f, connector.id)),
    });
  }
}
