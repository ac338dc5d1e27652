// StatusNotification.req reporting (OCPP 1.6 §4.9, errata §3.19, §3.22): one notification per
// change of a connector's report (status, error code and its detail; status-report.ts), stamped
// with the time of the change, sent one at a time in order. Nothing is queued while offline:
// `online()` (each BootNotification Accepted) sends the current status of connector 0 and of
// every connector, never the history (§4.9 offline rules 1–3, cheat sheet B4). A CALL left
// unanswered (timeout) is not an outage: the connection tests the link and closes it if it is
// dead; until then the connector's latest status is sent again, so the backend ends up knowing it.

import type { Clock, TimerHandle } from '../../../hal/clock.js';
import type { ChargerPort } from '../charger-port.js';
import type { ConfigurationStore } from '../configuration/configuration-store.js';
import { OcppCallError } from '../ocpp-types.js';
import { SerialSender } from './serial-sender.js';
import { connectorReport, reportKey, stationReport, type StatusNotificationRequest, type StatusReport } from './status-report.js';

/** The part of ChargerPort status reporting reads (a ChargerPort fits). */
export type ChargerStatusSource = Pick<ChargerPort, 'connectorIds' | 'connector' | 'station' | 'onEvent'>;

export interface StatusNotifierOptions {
  readonly charger: ChargerStatusSource;
  readonly configuration: ConfigurationStore;
  readonly clock: Clock;
  /** Sends one StatusNotification.req; resolves on its .conf. */
  readonly send: (payload: StatusNotificationRequest) => Promise<void>;
  readonly log?: (message: string, fields?: Record<string, unknown>) => void;
}

interface Tracked {
  report: StatusReport;
  key: string;
  /** Clock time the report began: the notification's timestamp. */
  since: number;
  /** Key of the last report handed to the sender since `online()`. */
  reported: string | null;
  /** A report waiting out MinimumStatusDuration. */
  timer: TimerHandle | null;
}

/**
 * MinimumStatusDuration (§9.1.20: "minimum duration that a … status is stable before a
 * StatusNotification.req is sent") delays plain status changes, but not a report carrying an
 * error (Faulted, or any errorCode other than NoError). The key exists "to limit the number of
 * transitions" (§4.9), and §4.9 treats errors apart from statuses: they are reported even when
 * no longer current (offline rule 2) while passing statuses are dropped (rule 3). A Central
 * System must not learn of a fault only minutes late; clearing it (back to NoError) is delayed.
 */
function urgent(report: StatusReport): boolean {
  return report.status === 'Faulted' || report.errorCode !== 'NoError';
}

export class StatusNotifier {
  private readonly tracked = new Map<number, Tracked>();
  private readonly sender: SerialSender<StatusNotificationRequest>;
  private unsubscribe: (() => void) | null = null;
  private connected = false;

  constructor(private readonly options: StatusNotifierOptions) {
    this.sender = new SerialSender(options.send, (payload, error, stale) => this.failed(payload, error, stale));
  }

  /** Between `online()` and `offline()` (or a send that failed for want of a connection). */
  get isOnline(): boolean {
    return this.connected;
  }

  /** Follows the charger's 'changed' events. */
  start(): void {
    if (this.unsubscribe) return;
    this.unsubscribe = this.options.charger.onEvent((event) => {
      if (event.type === 'changed') this.changed(event.connectorId);
    });
    for (const id of this.ids()) this.observe(id);
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.offline();
  }

  /** After each BootNotification Accepted: the current status of connector 0 and every connector (errata §3.22). */
  online(): void {
    this.connected = true;
    this.sender.clear(); // anything left from before is superseded by the current status
    for (const id of this.ids()) {
      const t = this.observe(id, false);
      this.cancel(t);
      this.enqueue(id, t);
    }
  }

  /**
   * §3.5.2: the Central System contradicted the Local Authorization List about `idTag`. Connector 0
   * reports it once (its status, errorCode LocalListConflict), then its current report again, both
   * stamped now: the conflict is an event, not a lasting state. Nothing while offline (§4.9).
   */
  localListConflict(idTag: string): void {
    if (!this.connected) return;
    const t = this.observe(0, false);
    this.cancel(t);
    const timestamp = new Date(this.options.clock.now()).toISOString();
    this.sender.push({ connectorId: 0, status: t.report.status, errorCode: 'LocalListConflict', info: `local list: ${idTag}`, timestamp });
    this.sender.push({ ...t.report, connectorId: 0, timestamp });
    t.reported = t.key;
  }

  /** The connection is gone: nothing is queued; `online()` sends the latest. */
  offline(): void {
    this.connected = false;
    this.sender.clear();
    for (const t of this.tracked.values()) this.cancel(t);
  }

  private ids(): number[] {
    return [0, ...this.options.charger.connectorIds];
  }

  private changed(connectorId: number): void {
    try {
      // A station fault shows in every connector's view too: re-read them all on a change of 0.
      const ids = connectorId === 0 ? this.ids() : this.options.charger.connectorIds.includes(connectorId) ? [connectorId] : [];
      for (const id of ids) this.observe(id);
    } catch (error) {
      this.options.log?.('status notification: reading the charger failed', { connectorId, error: String(error) });
    }
  }

  /** Reads the view; on a change records when it happened and, if online, decides what to send. */
  private observe(id: number, decide = true): Tracked {
    const { charger, clock } = this.options;
    const report = id === 0 ? stationReport(charger.station()) : connectorReport(charger.connector(id));
    const key = reportKey(report);
    let t = this.tracked.get(id);
    if (t && t.key === key) return t;
    if (t) Object.assign(t, { report, key, since: clock.now() });
    else this.tracked.set(id, (t = { report, key, since: clock.now(), reported: null, timer: null }));
    if (decide && this.connected) this.decide(id, t);
    return t;
  }

  private decide(id: number, t: Tracked): void {
    this.cancel(t);
    if (t.key === t.reported) return; // flipped back before it was sent: never reported
    const delayMs = this.options.configuration.integer('MinimumStatusDuration') * 1000;
    if (delayMs <= 0 || urgent(t.report)) {
      this.enqueue(id, t);
      return;
    }
    t.timer = this.options.clock.setTimeout(() => {
      t.timer = null;
      if (this.connected) this.enqueue(id, t);
    }, delayMs);
  }

  private enqueue(id: number, t: Tracked): void {
    t.reported = t.key;
    this.sender.push({ ...t.report, connectorId: id, timestamp: new Date(t.since).toISOString() });
  }

  private cancel(t: Tracked): void {
    if (t.timer === null) return;
    this.options.clock.clearTimeout(t.timer);
    t.timer = null;
  }

  private failed(payload: StatusNotificationRequest, error: unknown, stale: boolean): void {
    const fields = { connectorId: payload.connectorId, status: payload.status, error: String(error) };
    if (stale) return void this.options.log?.('status notification failed (superseded)', fields);
    // The Central System answered (CALLERROR, bad .conf): the link is up; sending it again would
    // get the same answer.
    if (error instanceof OcppCallError && (error.kind === 'call-error' || error.kind === 'invalid-response')) {
      return void this.options.log?.('status notification refused', fields);
    }
    if (error instanceof OcppCallError && error.kind === 'timeout') {
      this.options.log?.('status notification unanswered: sending the latest status again', fields);
      return void this.resend(payload.connectorId);
    }
    this.options.log?.('status notification not delivered: offline until the next online()', fields);
    this.offline();
  }

  /**
   * The backend may not know a connector's status: its latest report goes again, once, unless a
   * newer one of that connector is already on its way (queued, or waiting out MinimumStatusDuration).
   */
  private resend(id: number): void {
    const t = this.tracked.get(id);
    if (!t || !this.connected) return;
    t.reported = null; // what it last got is unknown: a flip back to it is news too
    if (t.timer !== null || this.sender.has((p) => p.connectorId === id)) return;
    this.enqueue(id, t);
  }
}
