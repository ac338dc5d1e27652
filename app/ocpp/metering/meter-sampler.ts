// Meter values for the OCPP client (§3.16, §4.7, errata §3.14–3.16):
// - sampled: every MeterValueSampleInterval s from the start of each session, context
//   Sample.Periodic, measurands MeterValuesSampledData, sent with the session's id;
// - clock-aligned: every ClockAlignedDataInterval s from UTC midnight (clock-aligned.ts), context
//   Sample.Clock, measurands MeterValuesAlignedData, for every connector (with the id of the session
//   in progress at that moment, errata §3.16, else null);
// - StopTransaction.transactionData per session: Transaction.Begin and .End values of every
//   measurand in StopTxnSampledData ∪ StopTxnAlignedData (errata §3.16.6), StopTxnSampledData at
//   every sample, StopTxnAlignedData at every aligned boundary; none when both lists are empty
//   (errata §3.14.5). Capped at StopTransactionMaxMeterValues (transaction-data.ts).
// 0 switches an interval off; a change of either interval restarts its timer at once.

import type { Clock, TimerHandle } from '../../../hal/clock.js';
import type { SessionRecord } from '../../records.js';
import type { ChargerEvent, ChargerPort, ConnectorView } from '../charger-port.js';
import type { ConfigurationStore } from '../configuration/configuration-store.js';
import type { MeterValue, SampledValue } from '../ocpp-types.js';
import { boundaryAfter, boundaryAtOrBefore } from './clock-aligned.js';
import { energyRegister, sampledValues } from './sampled-values.js';
import { TransactionData } from './transaction-data.js';

/** One MeterValues.req to be sent; `sessionId` set → a transaction message for that session. */
export interface MeterValuesMessage {
  readonly connectorId: number;
  readonly sessionId: string | null;
  readonly meterValue: MeterValue[];
}

export interface MeterSamplerOptions {
  readonly charger: ChargerPort;
  readonly configuration: ConfigurationStore;
  readonly clock: Clock;
  readonly send: (message: MeterValuesMessage) => void;
  /**
   * The OCPP timestamp of a local-clock time from a session record (startedAt, stoppedAt), so that
   * Transaction.Begin/End carry the same time as StartTransaction/StopTransaction. Default: as is.
   */
  readonly stamp?: (localIso: string) => string;
  /** Told when `send` throws (the sampler carries on). Default: console.error. */
  readonly report?: (message: string) => void;
  /** Subscribes to `clock` being set (the backend's currentTime adopted; by how many ms); returns the unsubscribe. */
  readonly onClockSet?: (listener: (deltaMs: number) => void) => () => void;
}

interface Tracked {
  readonly connectorId: number;
  readonly sessionId: string;
  readonly data: TransactionData;
  timer: TimerHandle | null;
}

const EAIR = 'Energy.Active.Import.Register';
/** A timer firing this early still counts as on its boundary. */
const SLACK_MS = 500;
/** Ended sessions whose transactionData nobody took are kept this many at most. */
const MAX_UNTAKEN = 16;

const iso = (ms: number): string => new Date(ms).toISOString();

export class MeterSampler {
  private readonly sessions = new Map<string, Tracked>();
  private readonly disposers: (() => void)[] = [];
  private alignedTimer: TimerHandle | null = null;
  private lastBoundary: number | null = null;
  private stopped = false;

  constructor(private readonly options: MeterSamplerOptions) {
    const { charger, configuration } = options;
    this.disposers.push(charger.onEvent((event) => this.onEvent(event)));
    this.disposers.push(configuration.onChange((key) => this.onConfigurationChange(key)));
    // Aligned to the backend's clock: the next boundary moves when it is set (a boundary jumped over never happened).
    // The transactionData held moves with it: a StopTransaction's times are all on the clock of when it is queued.
    if (options.onClockSet) {
      this.disposers.push(options.onClockSet((deltaMs) => {
        for (const tracked of this.sessions.values()) tracked.data.shift(deltaMs);
        this.scheduleAligned();
      }));
    }
    for (const id of charger.connectorIds) {
      const session = charger.connector(id).session;
      if (session && session.stoppedAt === null) this.adopt(session);
    }
    this.scheduleAligned();
  }

  /**
   * The session's transactionData for StopTransaction.req, then forgets the session. If the
   * session's stop has not been seen yet, it is ended now: with `final` (the stopped record:
   * meterStopWh, stoppedAt) when given, else from the connector's view at this instant.
   */
  takeTransactionData(sessionId: string, final?: SessionRecord): MeterValue[] {
    const tracked = this.sessions.get(sessionId);
    if (!tracked) return [];
    if (!tracked.data.ended) this.end(tracked, final);
    this.sessions.delete(sessionId);
    return tracked.data.values();
  }

  stop(): void {
    this.stopped = true;
    for (const dispose of this.disposers.splice(0)) dispose();
    if (this.alignedTimer !== null) this.options.clock.clearTimeout(this.alignedTimer);
    this.alignedTimer = null;
    for (const tracked of this.sessions.values()) this.clearPeriodic(tracked);
  }

  private onEvent(event: ChargerEvent): void {
    if (event.type === 'sessionStarted') this.begin(event.session);
    else if (event.type === 'sessionStopped') {
      const tracked = this.sessions.get(event.session.sessionId);
      if (tracked && !tracked.data.ended) this.end(tracked, event.session);
    }
  }

  private onConfigurationChange(key: string): void {
    if (this.stopped) return;
    if (key === 'MeterValueSampleInterval') for (const t of this.sessions.values()) if (!t.data.ended) this.startPeriodic(t);
    if (key === 'ClockAlignedDataInterval') this.scheduleAligned();
  }

  // —— sessions ——

  private track(session: SessionRecord): Tracked | null {
    if (this.sessions.has(session.sessionId)) return null;
    const ended = [...this.sessions.values()].filter((t) => t.data.ended);
    for (const t of ended.slice(0, Math.max(0, ended.length - MAX_UNTAKEN + 1))) this.sessions.delete(t.sessionId);
    const { configuration } = this.options;
    const data = new TransactionData(() => configuration.integer('StopTransactionMaxMeterValues'));
    const tracked: Tracked = { connectorId: session.connectorId, sessionId: session.sessionId, data, timer: null };
    this.sessions.set(session.sessionId, tracked);
    return tracked;
  }

  private begin(session: SessionRecord): void {
    const tracked = this.track(session);
    if (!tracked) return;
    const view = this.options.charger.connector(session.connectorId);
    const values = this.edgeValues(view, 'Transaction.Begin', session.meterStartWh);
    if (values.length) tracked.data.setBegin({ timestamp: this.stamp(session.startedAt), sampledValue: values });
    this.startPeriodic(tracked);
  }

  /** A session already running when we start: only its start register is known. */
  private adopt(session: SessionRecord): void {
    const tracked = this.track(session);
    if (!tracked) return;
    if (this.stopTxnMeasurands().includes(EAIR)) {
      tracked.data.setBegin({ timestamp: this.stamp(session.startedAt), sampledValue: [energyRegister(session.meterStartWh, 'Transaction.Begin')] });
    }
    this.startPeriodic(tracked);
  }

  private end(tracked: Tracked, final: SessionRecord | undefined): void {
    this.clearPeriodic(tracked);
    const view = this.options.charger.connector(tracked.connectorId);
    const values = this.edgeValues(view, 'Transaction.End', final?.meterStopWh ?? null);
    const timestamp = final?.stoppedAt ? this.stamp(final.stoppedAt) : iso(this.options.clock.now());
    tracked.data.finish(values.length ? { timestamp, sampledValue: values } : null);
  }

  /** Begin/End values; the register is the session record's (meterStart/meterStop) when known. */
  private edgeValues(view: ConnectorView, context: SampledValue['context'], registerWh: number | null): SampledValue[] {
    const measurands = this.stopTxnMeasurands();
    if (registerWh === null) return sampledValues(view, measurands, context);
    const patched = view.meter ? { ...view, meter: { ...view.meter, importEnergyWh: registerWh } } : view;
    const values = sampledValues(patched, measurands, context);
    if (!view.meter && measurands.includes(EAIR)) values.unshift(energyRegister(registerWh, context));
    return values;
  }

  private stamp(localIso: string): string {
    return this.options.stamp ? this.options.stamp(localIso) : localIso;
  }

  private stopTxnMeasurands(): string[] {
    const { configuration } = this.options;
    return [...new Set([...configuration.list('StopTxnSampledData'), ...configuration.list('StopTxnAlignedData')])];
  }

  // —— sampled (§3.16.1) ——

  private startPeriodic(tracked: Tracked): void {
    this.clearPeriodic(tracked);
    const seconds = this.options.configuration.integer('MeterValueSampleInterval');
    if (seconds > 0) tracked.timer = this.options.clock.setInterval(() => this.samplePeriodic(tracked), seconds * 1000);
  }

  private clearPeriodic(tracked: Tracked): void {
    if (tracked.timer !== null) this.options.clock.clearInterval(tracked.timer);
    tracked.timer = null;
  }

  private samplePeriodic(tracked: Tracked): void {
    const { charger, configuration, clock } = this.options;
    const view = charger.connector(tracked.connectorId);
    if (view.session?.sessionId !== tracked.sessionId) return; // stopping: no samples outside the session
    const timestamp = iso(clock.now());
    this.emit(view, tracked.sessionId, timestamp, sampledValues(view, configuration.list('MeterValuesSampledData'), 'Sample.Periodic'));
    const kept = sampledValues(view, configuration.list('StopTxnSampledData'), 'Sample.Periodic');
    if (kept.length) tracked.data.add({ timestamp, sampledValue: kept });
  }

  // —— clock-aligned (§3.16.2) ——

  private scheduleAligned(from?: number): void {
    const { clock, configuration } = this.options;
    if (this.alignedTimer !== null) clock.clearTimeout(this.alignedTimer);
    this.alignedTimer = null;
    const seconds = configuration.integer('ClockAlignedDataInterval');
    if (seconds <= 0 || this.stopped) return;
    const now = clock.now();
    const target = boundaryAfter(Math.max(now, from ?? now), seconds);
    this.alignedTimer = clock.setTimeout(() => this.alignedTick(target), target - now);
  }

  private alignedTick(target: number): void {
    this.alignedTimer = null;
    const seconds = this.options.configuration.integer('ClockAlignedDataInterval');
    if (seconds <= 0) return;
    const now = this.options.clock.now();
    if (now + SLACK_MS < target) {
      // The clock was set back since this was scheduled (unannounced): the boundary is still to come.
      this.alignedTimer = this.options.clock.setTimeout(() => this.alignedTick(target), target - now);
      return;
    }
    const boundary = boundaryAtOrBefore(now + SLACK_MS, seconds);
    this.scheduleAligned(boundary);
    if (boundary === this.lastBoundary) return; // fired early
    this.lastBoundary = boundary;
    this.sampleAligned(iso(boundary));
  }

  private sampleAligned(timestamp: string): void {
    const { charger, configuration } = this.options;
    for (const connectorId of charger.connectorIds) {
      const view = charger.connector(connectorId);
      const sessionId = view.session?.sessionId ?? null;
      this.emit(view, sessionId, timestamp, sampledValues(view, configuration.list('MeterValuesAlignedData'), 'Sample.Clock'));
      const tracked = sessionId === null ? undefined : this.sessions.get(sessionId);
      const kept = tracked && !tracked.data.ended ? sampledValues(view, configuration.list('StopTxnAlignedData'), 'Sample.Clock') : [];
      if (kept.length) tracked!.data.add({ timestamp, sampledValue: kept });
    }
  }

  private emit(view: ConnectorView, sessionId: string | null, timestamp: string, values: SampledValue[]): void {
    if (!values.length) return; // §7.31: a MeterValue holds at least one SampledValue
    try {
      this.options.send({ connectorId: view.connectorId, sessionId, meterValue: [{ timestamp, sampledValue: values }] });
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      (this.options.report ?? console.error)(`MeterValues for connector ${view.connectorId} not queued: ${why}`);
    }
  }
}
