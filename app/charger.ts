// The charging station, composed: its connectors, the station-wide interlocks (emergency stop,
// protective earth, enclosure temperature), the card reader, the display, sessions and the fault log.
// It offers the ChargerApi to local interfaces; nothing outside reaches into its parts.

import { createActor, type Actor } from 'xstate';
import type { Clock } from '../hal/clock.js';
import type { BoardHardware, MeterReading } from '../hal/interfaces.js';
import type { SimulationControl } from '../hal/sim/simulation-control.js';
import type { ChargerConfig } from '../config/charger-config.js';
import type { DerateLevel } from '../state-machines/current-limit.js';
import { FAULTS, FAULT_NAMES, type FaultName } from '../state-machines/faults.js';
import {
  createSafetySupervisor,
  faultStates,
  type FaultState,
  type SafetySupervisorMachine,
} from '../state-machines/safety-supervisor.js';
import { vehicleConnected } from '../state-machines/pilot-state.js';
import { POWER_OFF_UNDER_LOAD_MS } from '../state-machines/charging-point.js';
import { Tag } from '../state-machines/charging-point-view.js';
import type { ChargerApi } from './charger-api.js';
import type { ChargerEvent, ChargerPort, ConnectorView, SessionSettings, StationView, StopReason, UnlockResult } from './ocpp/charger-port.js';
import { connectorView, faultView, stationView } from './connector-view.js';
import type { ActiveFault, ChargerStatus, ConnectorStatus, FaultLogEntry, SessionDelivery, SessionRecord, SessionStopReason } from './records.js';
import { Connector, type ConnectorEvents } from './connector/connector.js';
import { TemperatureGuard } from './safety/temperature-guard.js';
import { watchStationInputs } from './safety/station-inputs.js';
import { SiteShare } from './metering/site-share.js';
import type { FaultReporter, FaultValues } from './safety/fault-reporter.js';
import type { SoftwareFaultHandler } from './safety/fail-safe.js';
import { createAuthorizer, type Authorizer } from './auth/authorizer.js';
import { CardDebouncer, routeCard } from './auth/card-router.js';
import { displayLines, driverMessage } from './display/driver-messages.js';
import type { FaultLogStore } from './persistence/fault-log-store.js';
import type { SessionStore } from './persistence/session-store.js';
import { connectorStatus } from './connector-status.js';
import { waitUntil } from './wait-until.js';

export const STATION_FAULTS = FAULT_NAMES.filter((name) => FAULTS[name].scope === 'station');

/** Beyond the EV's power-off-under-load time, how long endSessions waits for the sessions to close. */
const SESSION_END_MARGIN_MS = 2000;

/** How long "Card rejected" stays on the display. */
export const CARD_REJECTED_DISPLAY_MS = 5000;

export interface ChargerOptions {
  readonly config: ChargerConfig;
  readonly hardware: BoardHardware;
  readonly simulation: SimulationControl | null;
  readonly clock: Clock;
  readonly sessions: SessionStore;
  readonly faultLog: FaultLogStore;
  readonly authorizer?: Authorizer;
  readonly log?: (message: string, fields?: Record<string, unknown>) => void;
  /**
   * An actor failed: the fail-safe path (app/safety/fail-safe.ts; app/main.ts gives it). Without
   * one, the error is thrown out of the event loop as an uncaught exception.
   */
  readonly onSoftwareFault?: SoftwareFaultHandler;
}

interface SessionInProgress {
  readonly sessionId: string;
  readonly idTag: string | null;
  readonly startedAtMs: number;
  readonly meterStartWh: number;
}

export class Charger implements ChargerApi, ChargerPort {
  readonly simulation: SimulationControl | null;
  private readonly connectors: Connector[];
  private readonly siteShare: SiteShare;
  private readonly supervisor: Actor<SafetySupervisorMachine>;
  private readonly enclosure: TemperatureGuard;
  private readonly authorizer: Authorizer;
  private readonly cards: CardDebouncer;
  private readonly stationValues = new Map<FaultName, FaultValues>();
  private readonly open = new Map<number, SessionInProgress>();
  private readonly pluggedAt = new Map<number, number>();
  private readonly cardRejectedUntil = new Map<number, number>();
  /** When each active fault was raised, by "connectorId:fault" ("station:fault" for the station). */
  private readonly faultSince = new Map<string, string>();
  private readonly disposers: (() => void)[] = [];
  private stationFaults: FaultState[] = [];
  private readonly startedAt: number;
  private displayTimer: ReturnType<Clock['setInterval']> | null = null;
  private displayPending: ReturnType<Clock['setTimeout']> | null = null;
  /** Energy of each connector's last finished session, for the "Finished" screen. */
  private readonly lastEnergyWh = new Map<number, number>();
  private readonly listeners = new Set<(event: ChargerEvent) => void>();
  /** Who ended the session in progress on a connector (a card, or the backend's stop for a card). */
  private readonly stoppedBy = new Map<number, string | null>();
  /** Sessions ended but still waiting for their final meter read, by connector: calling one closes it now. */
  private readonly closing = new Map<number, () => void>();
  private stationOperative = true;

  constructor(private readonly options: ChargerOptions) {
    const { config, hardware, clock } = options;
    this.simulation = options.simulation;
    this.startedAt = clock.now();
    this.authorizer = options.authorizer ?? createAuthorizer(config.authorization);
    this.cards = new CardDebouncer(config.authorization.cardDebounceMs);
    const disabled = new Set(config.safety.disabledInterlocks as FaultName[]);
    const onSoftwareFault: SoftwareFaultHandler = options.onSoftwareFault ?? (({ error }) => queueMicrotask(() => {
      throw error;
    }));

    const events: ConnectorEvents = {
      sessionStarted: (id, idTag) => this.onSessionStarted(id, idTag),
      sessionStopped: (id, reason, fault) => this.onSessionStopped(id, reason, fault),
      faultChanged: (id, fault, previous, next, values) => this.logFault(id, fault, previous, next, values),
      changed: (id) => this.onConnectorChanged(id),
    };
    this.connectors = config.connectors.map((connectorConfig) => {
      const connectorHardware = hardware.connectors.find((h) => h.connectorId === connectorConfig.connectorId);
      if (!connectorHardware) throw new Error(`board has no hardware for connector ${connectorConfig.connectorId}`);
      return new Connector({
        config: connectorConfig,
        safety: config.safety,
        hardware: connectorHardware,
        clock,
        ventilationAvailable: config.site.ventilationAvailable,
        freeCharging: this.authorizer.freeCharging,
        meterPollIntervalMs: config.metering.pollIntervalMs,
        nominalVoltageV: config.site.nominalVoltageV,
        events,
        disabledInterlocks: disabled,
        onSoftwareFault,
      });
    });

    this.siteShare = new SiteShare(config.site.maxCurrentA, clock, this.connectors, (id) => this.open.has(id));
    this.disposers.push(() => this.siteShare.dispose());
    for (const connector of this.connectors) {
      this.disposers.push(connector.meter.onReading((reading, at) => this.onMeterReading(connector.id, reading, at)));
    }

    const reporter: FaultReporter = {
      raise: (fault, values) => {
        if (disabled.has(fault)) return;
        for (const connector of this.connectors) connector.openNow();
        this.stationValues.set(fault, values);
        this.supervisor.send({ type: 'RAISE', fault, at: clock.now() });
      },
      clear: (fault) => this.supervisor.send({ type: 'CLEAR', fault, at: clock.now() }),
    };
    const overrides = config.safety.emergencyStopLatches ? { EmergencyStop: 'latched' as const } : {};
    this.supervisor = createActor(createSafetySupervisor(STATION_FAULTS, overrides), {
      clock,
      input: {
        faults: STATION_FAULTS,
        repeatedFaultLimit: config.safety.repeatedFaultLimit,
        repeatedFaultWindowMs: config.safety.repeatedFaultWindowMs,
        faultRetryDelayMs: config.safety.faultRetryDelayMs,
      },
    });
    this.disposers.push(this.supervisor.subscribe({
      next: (snapshot) => this.onStationFaults(faultStates(snapshot)),
      error: (error) => onSoftwareFault({ source: 'actor', where: 'station safety supervisor', error }),
    }).unsubscribe);
    this.supervisor.start();

    this.enclosure = new TemperatureGuard(
      hardware.enclosureTemperature,
      config.safety,
      { overTemperature: 'EnclosureOverTemperature', sensorFailure: null },
      reporter,
      () => this.pushStation(),
    );
    this.disposers.push(() => this.enclosure.dispose());

    this.disposers.push(...watchStationInputs(hardware, reporter));

    this.disposers.push(hardware.rfid.onCard(({ uid }) => void this.onCard(uid)));
  }

  /** Closes sessions a power cut left open, then starts every connector. */
  async start(): Promise<void> {
    const { clock } = this.options;
    for (const connector of this.connectors) connector.start();
    this.siteShare.update();
    this.pushStation();
    await this.recoverOpenSessions();
    this.displayTimer = clock.setInterval(() => this.refreshDisplay(), 1000);
    this.refreshDisplay();
  }

  async stop(): Promise<void> {
    if (this.displayTimer !== null) this.options.clock.clearInterval(this.displayTimer);
    if (this.displayPending !== null) this.options.clock.clearTimeout(this.displayPending);
    for (const connector of this.connectors) connector.stop();
    for (const dispose of this.disposers) dispose();
    this.supervisor.stop();
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
      stationFaults: this.stationFaults.map((f) => this.activeFault(f, null)),
      connectors: this.connectors.map((c) => this.connectorStatus(c)),
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
    for (const connector of this.connectors) {
      if (connectorId !== null && connector.id !== connectorId) continue;
      for (const fault of connector.reset()) cleared.push({ connectorId: connector.id, fault });
    }
    if (connectorId === null) {
      const latched = this.stationFaults.filter((f) => f.latched).map((f) => f.fault);
      this.supervisor.send({ type: 'RESET' });
      const still = new Set(this.stationFaults.filter((f) => f.latched).map((f) => f.fault));
      for (const fault of latched) if (!still.has(fault)) cleared.push({ connectorId: null, fault });
    }
    return cleared;
  }

  /** The connector with this id, if the charger has it. */
  part(connectorId: number): Connector | undefined {
    return this.connectors.find((c) => c.id === connectorId);
  }

  // —— ChargerPort: what the OCPP client reads and commands ——

  get connectorIds(): readonly number[] {
    return this.connectors.map((c) => c.id);
  }

  connector(connectorId: number): ConnectorView {
    const connector = this.require(connectorId);
    const session = this.open.get(connectorId);
    return connectorView(
      connector,
      connector.faults.map((f) => faultView(f, this.faultSinceOf(f.fault, connectorId))),
      session ? (this.options.sessions.get(session.sessionId) ?? null) : null,
    );
  }

  station(): StationView {
    return stationView(this.stationFaults.map((f) => faultView(f, this.faultSinceOf(f.fault, null))), this.stationOperative);
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
    this.stoppedBy.set(connectorId, stoppedByIdTag);
    connector.requestStop(reason);
    return true;
  }

  async endSessions(reason: StopReason): Promise<void> {
    const { clock } = this.options;
    for (const connector of this.connectors) this.stopSession(connector.id, reason);
    // Closed means out of the machine and through the final meter read (the record, the event):
    // re-checked at each 'changed' (the machine moved) and 'sessionStopped' (the record closed).
    const closed = () => !this.connectors.some((c) => c.inSession) && this.closing.size === 0;
    await waitUntil(clock, closed, (changed) => this.onEvent(changed), POWER_OFF_UNDER_LOAD_MS + SESSION_END_MARGIN_MS);
  }

  unlock(connectorId: number): Promise<UnlockResult> {
    const connector = this.part(connectorId);
    if (!connector) return Promise.resolve('NotSupported');
    if (connector.inSession) this.stoppedBy.set(connectorId, null);
    return connector.unlock();
  }

  setOperative(connectorId: number, operative: boolean): void {
    if (connectorId === 0) this.stationOperative = operative;
    for (const connector of this.connectors) if (connectorId === 0 || connector.id === connectorId) connector.setOperative(operative);
    if (connectorId === 0) this.emit({ type: 'changed', connectorId: 0 });
  }

  setExternalLimit(connectorId: number, amps: number | null, claim: string): void {
    this.part(connectorId)?.setExternalLimit(claim, amps);
  }

  configureSessions(settings: SessionSettings): void {
    for (const connector of this.connectors) connector.configure(settings);
  }

  private require(connectorId: number): Connector {
    const connector = this.part(connectorId);
    if (!connector) throw new RangeError(`no connector ${connectorId}`);
    return connector;
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

  // —— sessions ——

  private onSessionStarted(connectorId: number, idTag: string | null): void {
    this.closing.get(connectorId)?.();
    const connector = this.part(connectorId)!;
    const { clock, sessions } = this.options;
    const record = sessions.start({
      connectorId,
      idTag,
      startedAt: new Date(clock.now()).toISOString(),
      meterStartWh: connector.meter.lastReading?.importEnergyWh ?? 0,
    });
    this.open.set(connectorId, { sessionId: record.sessionId, idTag, startedAtMs: clock.now(), meterStartWh: record.meterStartWh });
    this.stoppedBy.delete(connectorId);
    this.siteShare.update();
    this.emit({ type: 'sessionStarted', connectorId, session: record });
  }

  private onSessionStopped(connectorId: number, reason: SessionStopReason, fault: FaultName | null): void {
    const session = this.open.get(connectorId);
    if (!session) return;
    this.open.delete(connectorId);
    const connector = this.part(connectorId)!;
    const at = new Date(this.options.clock.now()).toISOString();
    const stoppedByIdTag = this.stoppedBy.get(connectorId) ?? null;
    this.stoppedBy.delete(connectorId);
    let closed = false;
    const close = (reading: MeterReading | null) => {
      if (closed) return;
      closed = true;
      this.closing.delete(connectorId);
      const meterStopWh = reading?.importEnergyWh ?? connector.meter.lastReading?.importEnergyWh ?? session.meterStartWh;
      this.lastEnergyWh.set(connectorId, meterStopWh - session.meterStartWh);
      const record = this.options.sessions.stop(session.sessionId, { at, meterStopWh, reason, fault });
      if (record) this.emit({ type: 'sessionStopped', connectorId, session: record, stoppedByIdTag });
      this.scheduleDisplay();
    };
    // A new session on this connector before the read below is back closes this one first. Set
    // before anything else can report a change: endSessions counts the session closed once it is gone.
    this.closing.set(connectorId, () => close(null));
    this.siteShare.update();
    // The contactor has just opened: read the register once more so the record has every Wh.
    void connector.meter.poll().then(close);
  }

  private onMeterReading(connectorId: number, reading: MeterReading, at: number): void {
    this.siteShare.observe(connectorId, reading, at);
    const session = this.open.get(connectorId);
    if (session) this.options.sessions.update(session.sessionId, { meterWh: reading.importEnergyWh, powerW: reading.totalPowerW });
    this.emit({ type: 'meterReading', connectorId, reading, at });
  }

  /** A power cut leaves sessions open in the store: stop them with reason PowerLoss and the meter's register now. */
  private async recoverOpenSessions(): Promise<void> {
    const { sessions, clock } = this.options;
    const at = new Date(clock.now()).toISOString();
    for (const record of sessions.open()) {
      if (this.open.has(record.connectorId) && this.open.get(record.connectorId)!.sessionId === record.sessionId) continue;
      const connector = this.part(record.connectorId);
      const reading = connector ? await connector.meter.poll() : null;
      const meterStopWh = Math.max(reading?.importEnergyWh ?? 0, record.meterStopWh ?? record.meterStartWh + record.energyWh);
      sessions.stop(record.sessionId, { at, meterStopWh, reason: 'PowerLoss', fault: null });
      this.options.log?.('session closed after restart', { sessionId: record.sessionId, reason: 'PowerLoss', meterStopWh });
    }
  }

  // —— cards ——

  private async onCard(uid: string): Promise<void> {
    const { clock } = this.options;
    if (!this.cards.accept(uid, clock.now())) return;
    if (this.releaseKeptCable(uid)) return;
    const route = routeCard(uid, this.connectors.map((c) => ({
      connectorId: c.id,
      waitsForCard: c.hasTag(Tag.waitsForCard),
      vacant: c.hasTag(Tag.vacant),
      sessionIdTag: c.inSession ? c.context.idTag : null,
      pluggedAt: this.pluggedAt.get(c.id) ?? null,
    })));
    this.options.log?.('card', { uid, route });
    if (route.action === 'ignore') {
      await this.stopByGroupCard(uid);
      return;
    }
    const connector = this.part(route.connectorId)!;
    if (route.action === 'stop') {
      this.stopSession(connector.id, 'Local', uid);
      return;
    }
    // Free charging needs no card, but a card is the driver's "go again" after an emergency stop.
    if (this.authorizer.freeCharging) {
      connector.authorize(null);
      return;
    }
    const result = await this.authorizer.authorize(uid);
    this.options.log?.('card authorization', { uid, connectorId: connector.id, result });
    if (result === 'Accepted') {
      connector.authorize(uid);
    } else {
      this.cardRejectedUntil.set(connector.id, clock.now() + CARD_REJECTED_DISPLAY_MS);
      this.scheduleDisplay();
    }
  }

  /**
   * A socket that kept the cable locked after the EV left (UnlockConnectorOnEVSideDisconnect
   * false) lets it go for the card of its last session.
   */
  private releaseKeptCable(uid: string): boolean {
    const sessions = this.options.sessions.list();
    for (const connector of this.connectors) {
      if (!connector.hasTag(Tag.vacant) || connector.hardware.lock?.readFeedback() !== 'locked') continue;
      const last = sessions.findLast((s) => s.connectorId === connector.id);
      if (last?.idTag?.toUpperCase() !== uid.toUpperCase()) continue;
      void connector.unlock();
      return true;
    }
    return false;
  }

  /** A card of the same group as a session's card may stop it (OCPP 1.6 §3.5.x parentIdTag), when only one session could be meant. */
  private async stopByGroupCard(uid: string): Promise<void> {
    const mayStop = this.authorizer.mayStop?.bind(this.authorizer);
    if (!mayStop) return;
    const candidates = this.connectors.filter((c) => c.inSession && c.context.idTag !== null);
    const matches: Connector[] = [];
    for (const c of candidates) if (await mayStop(c.context.idTag!, uid)) matches.push(c);
    if (matches.length === 1) this.stopSession(matches[0]!.id, 'Local', uid);
  }

  // —— station faults, fault log, display ——

  private onStationFaults(next: FaultState[]): void {
    const previous = new Map(this.stationFaults.map((f) => [f.fault, f]));
    this.stationFaults = next;
    for (const state of next) {
      const before = previous.get(state.fault) ?? null;
      previous.delete(state.fault);
      if (!before || before.phase !== state.phase) this.logFault(null, state.fault, before, state, this.stationValues.get(state.fault) ?? {});
    }
    for (const gone of previous.values()) this.logFault(null, gone.fault, gone, null, {});
    this.pushStation();
    this.emit({ type: 'changed', connectorId: 0 });
  }

  private pushStation(): void {
    const derate: DerateLevel = this.enclosure?.derateLevel ?? 'none';
    for (const connector of this.connectors) connector.setStation(this.stationFaults, derate);
  }

  private logFault(connectorId: number | null, fault: FaultName, previous: FaultState | null, next: FaultState | null, values: FaultValues): void {
    const event: FaultLogEntry['event'] =
      next === null ? (previous?.latched ? 'reset' : 'cleared')
        : next.latched ? 'latched'
          : 'raised';
    if (next !== null && previous !== null && !next.latched) return; // phase changes within an episode (active → holdoff …)
    const at = new Date(this.options.clock.now()).toISOString();
    const key = `${connectorId ?? 'station'}:${fault}`;
    if (next === null) this.faultSince.delete(key);
    else if (!this.faultSince.has(key)) this.faultSince.set(key, at);
    const entry: FaultLogEntry = {
      at,
      connectorId,
      fault,
      event,
      ocppErrorCode: FAULTS[fault].ocppErrorCode,
      values,
    };
    this.options.faultLog.append(entry);
    this.options.log?.(`fault ${event}`, { ...entry });
  }

  private onConnectorChanged(connectorId: number): void {
    const connector = this.part(connectorId);
    if (!connector) return;
    const plugged = vehicleConnected(connector.pilotState);
    if (plugged && !this.pluggedAt.has(connectorId)) this.pluggedAt.set(connectorId, this.options.clock.now());
    if (!plugged) this.pluggedAt.delete(connectorId);
    this.siteShare.update();
    this.scheduleDisplay();
    this.emit({ type: 'changed', connectorId });
  }

  /** The display is redrawn once after a burst of changes, never inside a safety reaction. */
  private scheduleDisplay(): void {
    this.displayPending ??= this.options.clock.setTimeout(() => {
      this.displayPending = null;
      this.refreshDisplay();
    }, 0);
  }

  private refreshDisplay(): void {
    const { hardware, clock } = this.options;
    const now = clock.now();
    const messages = this.connectors.map((connector) => {
      const session = this.open.get(connector.id);
      const reading = connector.meter.lastReading;
      const firstFault = connector.faults[0];
      const message = driverMessage({
        connectorId: connector.id,
        display: connector.displayKey,
        energyWh: session ? (reading?.importEnergyWh ?? session.meterStartWh) - session.meterStartWh : (this.lastEnergyWh.get(connector.id) ?? 0),
        powerW: reading?.totalPowerW ?? 0,
        sessionSeconds: session ? Math.round((now - session.startedAtMs) / 1000) : 0,
        faultReason: firstFault ? FAULTS[firstFault.fault].displayReason : null,
        cardRejected: (this.cardRejectedUntil.get(connector.id) ?? 0) > now,
        plugged: vehicleConnected(connector.pilotState),
      });
      connector.hardware.led.set(message.led.color, message.led.blink);
      return { ...message, connectorId: connector.id };
    });
    hardware.display.show(displayLines(messages, hardware.display.lineCount));
  }

  private activeFault(state: FaultState, connectorId: number | null): ActiveFault {
    return { fault: state.fault, since: this.faultSinceOf(state.fault, connectorId), latched: state.latched, ocppErrorCode: FAULTS[state.fault].ocppErrorCode };
  }

  private faultSinceOf(fault: FaultName, connectorId: number | null): string {
    return this.faultSince.get(`${connectorId ?? 'station'}:${fault}`) ?? this.faultSince.get(`station:${fault}`) ?? '';
  }

  private connectorStatus(connector: Connector): ConnectorStatus {
    const session = this.open.get(connector.id);
    return connectorStatus(connector, {
      enclosureC: this.options.hardware.enclosureTemperature.read(),
      session: session ? (this.options.sessions.get(session.sessionId) ?? null) : null,
      faults: connector.faults.map((f) => this.activeFault(f, connector.id)),
    });
  }
}
