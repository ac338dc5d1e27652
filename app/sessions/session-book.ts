// The open-session book: which connector has a session open, who stopped it, which sessions
// are ended but still waiting for their final meter read, and what the last one delivered.
// It records them in the session store and reports each start and stop as a ChargerEvent.

import type { Clock } from '../../hal/clock.js';
import type { MeterReading } from '../../hal/interfaces.js';
import type { FaultName } from '../../state-machines/faults.js';
import type { ChargerEvent } from '../ocpp/charger-port.js';
import type { SessionRecord, SessionStopReason } from '../records.js';
import type { SessionStore } from '../persistence/session-store.js';

/** What the book reads from a connector's meter (app/metering/meter-poller.ts fits). */
export interface SessionMeter {
  readonly lastReading: MeterReading | null;
  /** Reads the register now; null when the meter does not answer. */
  poll(): Promise<MeterReading | null>;
  /** Calls the listener at every reading; returns what stops it. */
  onReading(listener: (reading: MeterReading) => void): () => void;
}

/** A session begun before the meter's first answer: recorded once the register is read. */
interface PendingStart {
  readonly idTag: string | null;
  readonly startedAtMs: number;
  /** Set when the session ended before the reading came. */
  stop: { readonly reason: SessionStopReason; readonly fault: FaultName | null } | null;
  cancel: () => void;
}

export interface OpenSession {
  readonly sessionId: string;
  readonly idTag: string | null;
  readonly startedAtMs: number;
  readonly meterStartWh: number;
}

export interface SessionBookOptions {
  readonly clock: Clock;
  readonly store: SessionStore;
  /** The meter of a connector, if the charger has it. */
  readonly meterOf: (connectorId: number) => SessionMeter | undefined;
  /** A session opened or closed its place in the book (the site share follows). */
  readonly onBookChanged: () => void;
  /** A session's record was closed (the display shows its energy). */
  readonly onClosed: () => void;
  readonly emit: (event: ChargerEvent) => void;
  readonly log?: (message: string, fields?: Record<string, unknown>) => void;
}

export class SessionBook {
  private readonly open = new Map<number, OpenSession>();
  private readonly starting = new Map<number, PendingStart>();
  /** Who ended the session in progress on a connector (a card, or the backend's stop for a card). */
  private readonly stoppedBy = new Map<number, string | null>();
  /** Sessions ended but still waiting for their final meter read, by connector: calling one closes it now. */
  private readonly closing = new Map<number, () => void>();
  /** Energy of each connector's last finished session, for the "Finished" screen. */
  private readonly lastEnergy = new Map<number, number>();

  constructor(private readonly options: SessionBookOptions) {}

  /** Whether the connector has a session open (from the moment it starts, its record perhaps still waiting for the meter). */
  isOpen(connectorId: number): boolean {
    return this.open.has(connectorId) || this.starting.has(connectorId);
  }

  openOn(connectorId: number): OpenSession | undefined {
    return this.open.get(connectorId);
  }

  /** The stored record of the connector's open session. */
  recordOn(connectorId: number): SessionRecord | null {
    const session = this.open.get(connectorId);
    return session ? (this.options.store.get(session.sessionId) ?? null) : null;
  }

  /** Whether any session is ended but not yet through its final meter read. */
  get anyClosing(): boolean {
    return this.closing.size > 0;
  }

  lastEnergyWh(connectorId: number): number {
    return this.lastEnergy.get(connectorId) ?? 0;
  }

  /** Who asked the connector's session to stop: a card, or null (the backend, an unlock). */
  noteStopper(connectorId: number, idTag: string | null): void {
    this.stoppedBy.set(connectorId, idTag);
  }

  started(connectorId: number, idTag: string | null): void {
    this.closing.get(connectorId)?.();
    const meter = this.options.meterOf(connectorId);
    const startedAtMs = this.options.clock.now();
    this.stoppedBy.delete(connectorId);
    if (!meter) throw new RangeError(`no meter for connector ${connectorId}`); // the connector reporting it has one
    if (meter.lastReading) {
      this.record(connectorId, idTag, startedAtMs, meter.lastReading.importEnergyWh);
      return;
    }
    // The meter has not answered since the start (a session at boot, or a card tapped at once): the
    // session's meterStart is the register as read now, never an invented 0. No energy flows
    // before that reading (close precondition meterNotReady), so it is the register at the start.
    const pending: PendingStart = { idTag, startedAtMs, stop: null, cancel: () => {} };
    this.starting.set(connectorId, pending);
    this.options.onBookChanged();
    pending.cancel = whenRead(meter, (first) => {
      if (pending.stop) this.closing.delete(connectorId);
      else this.starting.delete(connectorId);
      this.record(connectorId, idTag, startedAtMs, first.importEnergyWh);
      if (pending.stop) this.stopped(connectorId, pending.stop.reason, pending.stop.fault);
    });
  }

  private record(connectorId: number, idTag: string | null, startedAtMs: number, meterStartWh: number): void {
    const record = this.options.store.start({ connectorId, idTag, startedAt: new Date(startedAtMs).toISOString(), meterStartWh });
    this.open.set(connectorId, { sessionId: record.sessionId, idTag, startedAtMs, meterStartWh: record.meterStartWh });
    this.options.onBookChanged();
    this.options.emit({ type: 'sessionStarted', connectorId, session: record });
  }

  stopped(connectorId: number, reason: SessionStopReason, fault: FaultName | null): void {
    const pending = this.starting.get(connectorId);
    if (pending) {
      // Ended before the meter's first answer: recorded, start and stop, once it answers. A new
      // session first drops it: no reading, so no energy flowed and there is nothing to bill.
      this.starting.delete(connectorId);
      pending.stop = { reason, fault };
      this.closing.set(connectorId, () => {
        pending.cancel();
        this.closing.delete(connectorId);
        this.options.log?.('session dropped: the meter never answered', { connectorId, reason });
      });
      this.options.onBookChanged();
      return;
    }
    const session = this.open.get(connectorId);
    if (!session) return;
    this.open.delete(connectorId);
    const meter = this.options.meterOf(connectorId);
    const at = new Date(this.options.clock.now()).toISOString();
    const stoppedByIdTag = this.stoppedBy.get(connectorId) ?? null;
    this.stoppedBy.delete(connectorId);
    let closed = false;
    const close = (reading: MeterReading | null) => {
      if (closed) return;
      closed = true;
      this.closing.delete(connectorId);
      const meterStopWh = reading?.importEnergyWh ?? meter?.lastReading?.importEnergyWh ?? session.meterStartWh;
      this.lastEnergy.set(connectorId, meterStopWh - session.meterStartWh);
      const record = this.options.store.stop(session.sessionId, { at, meterStopWh, reason, fault });
      if (record) this.options.emit({ type: 'sessionStopped', connectorId, session: record, stoppedByIdTag });
      this.options.onClosed();
    };
    // A new session on this connector before the read below is back closes this one first. Set
    // before anything else can report a change: endSessions counts the session closed once it is gone.
    this.closing.set(connectorId, () => close(null));
    this.options.onBookChanged();
    // The contactor has just opened: read the register once more so the record has every Wh.
    void (meter ? meter.poll() : Promise.resolve(null)).then(close);
  }

  /** A meter reading: the open session's record follows it. */
  reading(connectorId: number, reading: MeterReading): void {
    const session = this.open.get(connectorId);
    if (session) this.options.store.update(session.sessionId, { meterWh: reading.importEnergyWh, powerW: reading.totalPowerW });
  }

  /** A power cut leaves sessions open in the store: stop them with reason PowerLoss and the meter's register now. */
  async recover(): Promise<void> {
    const { store, clock } = this.options;
    const at = new Date(clock.now()).toISOString();
    for (const record of store.open()) {
      if (this.open.get(record.connectorId)?.sessionId === record.sessionId) continue;
      const meter = this.options.meterOf(record.connectorId);
      const reading = meter ? await meter.poll() : null;
      const meterStopWh = Math.max(reading?.importEnergyWh ?? 0, record.meterStopWh ?? record.meterStartWh + record.energyWh);
      store.stop(record.sessionId, { at, meterStopWh, reason: 'PowerLoss', fault: null });
      this.options.log?.('session closed after restart', { sessionId: record.sessionId, reason: 'PowerLoss', meterStopWh });
    }
  }
}

/** Calls `then` with the meter's next reading (a read is asked for now); returns what cancels it. */
function whenRead(meter: SessionMeter, then: (reading: MeterReading) => void): () => void {
  let done = false;
  const stop = meter.onReading((reading) => finish(reading));
  function finish(reading: MeterReading): void {
    if (done) return;
    done = true;
    stop();
    then(reading);
  }
  void meter.poll().then((reading) => reading && finish(reading));
  return () => {
    done = true;
    stop();
  };
}
