// Sessions as OCPP transactions. Every session start, periodic meter value and stop goes into
// the persistent queue at once (lossless offline, §3.7), and the sender delivers them in order.
// The answers come back here: a StartTransaction whose idTag is not Accepted ends the session
// (StopTransactionOnInvalidId) or caps its energy (MaxEnergyOnInvalidId), §4.8 / errata.

import type { Clock } from '../../../hal/clock.js';
import type { SessionRecord } from '../../records.js';
import type { ChargerEvent, ChargerPort } from '../charger-port.js';
import type { BackendLink } from '../backend-link.js';
import type { ConfigurationStore } from '../configuration/configuration-store.js';
import type { MeterSampler, MeterValuesMessage } from '../metering/meter-sampler.js';
import type { IdTagInfo, MeterValue } from '../ocpp-types.js';
import type { OcppTime } from '../ocpp-time.js';
import type { QueuedMessage, TransactionMessage, TransactionQueue } from '../queue/transaction-queue.js';
import { ACTION as START, startTransactionRequest, type StartTransactionConf, type StartTransactionRequest } from '../messages/start-transaction.js';
import { ACTION as STOP, stopTransactionRequest, type StopTransactionConf, type StopTransactionRequest } from '../messages/stop-transaction.js';
import { ACTION as METER_VALUES, meterValuesRequest } from '../messages/meter-values.js';
import { TransactionSender } from './transaction-sender.js';
import { reconcileAfterRestart } from './reconcile.js';

/** The external-limit claim of MaxEnergyOnInvalidId. */
const ENERGY_CAP_CLAIM = 'invalid-id-energy-cap';

type Log = (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;

export interface TransactionServiceOptions {
  readonly queue: TransactionQueue;
  readonly link: BackendLink;
  readonly charger: ChargerPort;
  readonly sampler: MeterSampler;
  readonly configuration: ConfigurationStore;
  readonly time: OcppTime;
  readonly clock: Clock;
  /** idTag for sessions started without a card. */
  readonly freeChargingIdTag: string;
  readonly drainPerSecond: number;
  /** The connection's call timeout, ms (default 30 000). */
  readonly callTimeoutMs?: number;
  /** IdTagInfo from Start/StopTransaction.conf, for the authorization cache. */
  readonly learn: (idTag: string, info: IdTagInfo) => void;
  /** Sessions the charger closed at this start (found open after a power cut). */
  readonly recoveredSessionIds: ReadonlySet<string>;
  readonly log: Log;
}

export class TransactionService {
  private readonly sender: TransactionSender;
  private readonly disposers: (() => void)[] = [];
  /** Sessions whose idTag the backend refused, with the energy they may still take (Wh). */
  private readonly energyCaps = new Map<string, number>();
  private readonly writes = new Set<Promise<void>>();

  constructor(private readonly options: TransactionServiceOptions) {
    this.sender = new TransactionSender({
      queue: options.queue,
      link: options.link,
      clock: options.clock,
      drainPerSecond: options.drainPerSecond,
      ...(options.callTimeoutMs !== undefined ? { callTimeoutMs: options.callTimeoutMs } : {}),
      timeOffsetMs: () => options.time.offset,
      onDelivered: (message, result) => this.onDelivered(message, result),
      settled: (message, _outcome, result) => this.noteDelivery(message, result),
      log: options.log,
    });
  }

  get deliveredCount(): number {
    return this.sender.deliveredCount;
  }

  /** Reconciles the queue with the session store after a restart, then follows the charger and delivers. */
  async start(): Promise<void> {
    const { charger, queue, log } = this.options;
    await reconcileAfterRestart({
      charger,
      queue,
      clock: this.options.clock,
      recoveredSessionIds: this.options.recoveredSessionIds,
      enqueueStart: (session) => this.enqueueStart(session),
      enqueueStop: (session, stoppedBy) => this.enqueueStop(session, stoppedBy, []),
      log,
    });
    this.disposers.push(charger.onEvent((event) => this.onChargerEvent(event)));
    this.sender.start();
  }

  async stop(): Promise<void> {
    for (const dispose of this.disposers) dispose();
    await this.sender.stop();
  }

  /** Periodic and clock-aligned values from the sampler: a session's are queued, others sent if online. */
  meterValues(message: MeterValuesMessage): void {
    const payload = meterValuesRequest(message.connectorId, message.meterValue, message.sessionId !== null);
    if (message.sessionId !== null) {
      void this.enqueue({ action: METER_VALUES, connectorId: message.connectorId, localTransactionId: message.sessionId, payload });
    } else if (this.options.link.online) {
      this.options.link.call(METER_VALUES, payload).catch((error: Error) => this.options.log('warn', `MeterValues not delivered: ${error.message}`));
    }
  }

  /** The session on a connector that the backend knows by this transactionId. */
  connectorForTransaction(transactionId: number): number | null {
    for (const connectorId of this.options.charger.connectorIds) {
      const session = this.options.charger.connector(connectorId).session;
      if (session && this.options.queue.transactionIdFor(session.sessionId) === transactionId) return connectorId;
    }
    return null;
  }

  /** The backend's transactionId for a session, when known. */
  transactionIdOf(sessionId: string): number | undefined {
    return this.options.queue.transactionIdFor(sessionId);
  }

  /** Every queued message has been delivered (or discarded). */
  get drained(): boolean {
    return this.options.queue.size === 0;
  }

  /** Calls the listener whenever messages leave the queue (so `drained` may have become true); returns what stops it. */
  onQueueShrink(listener: () => void): () => void {
    return this.options.queue.onShrink(listener);
  }

  private onChargerEvent(event: ChargerEvent): void {
    switch (event.type) {
      case 'sessionStarted':
        void this.enqueueStart(event.session);
        break;
      case 'sessionStopped': {
        this.energyCaps.delete(event.session.sessionId);
        this.options.charger.setExternalLimit(event.connectorId, null, ENERGY_CAP_CLAIM);
        const data = this.options.sampler.takeTransactionData(event.session.sessionId, event.session);
        void this.enqueueStop(event.session, event.stoppedByIdTag, data);
        break;
      }
      case 'meterReading':
        this.checkEnergyCap(event.connectorId);
        break;
      default:
        break;
    }
  }

  private enqueueStart(session: SessionRecord): Promise<void> {
    const request = startTransactionRequest(session, session.idTag ?? this.options.freeChargingIdTag, this.options.time);
    return this.enqueue({ action: START, connectorId: session.connectorId, localTransactionId: session.sessionId, payload: request });
  }

  /** A Start or Stop settled (delivered, or discarded by the rules): the session store records it, with the transactionId. */
  private async noteDelivery(message: QueuedMessage, result: unknown): Promise<void> {
    if (message.action === START) await this.options.charger.noteDelivery(message.localTransactionId, 'startSent', (result as Partial<StartTransactionConf> | undefined)?.transactionId);
    else if (message.action === STOP) await this.options.charger.noteDelivery(message.localTransactionId, 'stopSent');
  }

  private enqueueStop(session: SessionRecord, stoppedByIdTag: string | null, data: readonly MeterValue[]): Promise<void> {
    const request = stopTransactionRequest(session, stoppedByIdTag, data, this.options.time);
    return this.enqueue({ action: STOP, connectorId: session.connectorId, localTransactionId: session.sessionId, payload: request });
  }

  /** Queues a message stamped just now, recording the clock offset its times carry (restamp.ts). */
  private enqueue(message: TransactionMessage): Promise<void> {
    const write = this.options.queue.enqueue({ ...message, stampOffsetMs: Math.round(this.options.time.offset) }).then(
      () => undefined,
      (error: Error) => {
        // Reported by the queue; the message stays queued in memory and is still delivered.
        this.options.log('error', `${message.action} not durably queued: ${error.message}`);
      },
    );
    this.writes.add(write);
    void write.finally(() => this.writes.delete(write));
    return write;
  }

  /** Resolves once every message queued so far is durable. */
  async idle(): Promise<void> {
    await Promise.all([...this.writes]);
  }

  private onDelivered(message: QueuedMessage, result: unknown): void {
    if (message.action === START) {
      const conf = result as StartTransactionConf;
      const request = message.payload as StartTransactionRequest;
      this.options.learn(request.idTag, conf.idTagInfo);
      if (conf.idTagInfo.status !== 'Accepted') this.onRefusedStart(message.connectorId, message.localTransactionId, conf.idTagInfo);
    } else if (message.action === STOP) {
      const conf = result as StopTransactionConf;
      const request = message.payload as StopTransactionRequest;
      if (conf.idTagInfo && request.idTag) this.options.learn(request.idTag, conf.idTagInfo);
    }
  }

  /** §4.8 / §9.1: the backend refused the idTag of a session that is already running. */
  private onRefusedStart(connectorId: number, sessionId: string, info: IdTagInfo): void {
    const { charger, configuration, log } = this.options;
    if (charger.connector(connectorId).session?.sessionId !== sessionId) return; // over already
    if (configuration.boolean('StopTransactionOnInvalidId')) {
      log('warn', `idTag refused by the backend (${info.status}): stopping the session`, { connectorId, sessionId });
      charger.stopSession(connectorId, 'DeAuthorized');
      return;
    }
    const maxWh = configuration.integer('MaxEnergyOnInvalidId');
    log('warn', `idTag refused by the backend (${info.status}): energy capped at ${maxWh} Wh`, { connectorId, sessionId });
    this.energyCaps.set(sessionId, maxWh);
    this.checkEnergyCap(connectorId);
  }

  private checkEnergyCap(connectorId: number): void {
    const session = this.options.charger.connector(connectorId).session;
    if (!session) return;
    const cap = this.energyCaps.get(session.sessionId);
    if (cap !== undefined && session.energyWh >= cap) this.options.charger.setExternalLimit(connectorId, 0, ENERGY_CAP_CLAIM);
  }
}
