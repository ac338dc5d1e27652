// Delivers the transaction message queue, oldest first, one at a time (OCPP 1.6 §3.7, §4.7
// and errata 3.18): a message goes once the link is online and its retry time has come.
// A failed attempt is an answer refusing it, a CALLERROR (or an answer breaking the schema): the
// queue spaces and limits those per TransactionMessageAttempts / TransactionMessageRetryInterval
// and discards the message after the last one, the only way a message is lost (logged as an error).
// Neither a lost connection nor a CALL timeout is an attempt (OCPP 1.6 errata on
// TransactionMessageAttempts). A timeout makes the link suspect: it is tested with a ping; a dead
// link is replaced and the message goes again after the reconnect; a live one means a slow
// backend, and the message goes again at once, given twice as long to be answered each time (up
// to MAX_ANSWER_WAIT_FACTOR × the call timeout). So a backend answering just after the timeout gets
// each message twice; one slower than that limit gets it again once per that limit, never discarded.
// After a reconnect the backlog may be paced, so a fleet coming back does not flood the backend.
// Each message's times are moved onto its transaction's time base when sent (restamp.ts).

import type { Clock } from '../../../hal/clock.js';
import type { BackendLink } from '../backend-link.js';
import { OcppCallError } from '../ocpp-types.js';
import type { QueuedMessage, TransactionQueue } from '../queue/transaction-queue.js';
import { restamp } from './restamp.js';

/** After a call cut off by a lost connection, wait this long before looking again. */
const OFFLINE_PAUSE_MS = 1000;
/** A message left unanswered on a live link waits at most this many call timeouts for its answer. */
export const MAX_ANSWER_WAIT_FACTOR = 4;
const DEFAULT_CALL_TIMEOUT_MS = 30_000;

export interface TransactionSenderOptions {
  readonly queue: TransactionQueue;
  readonly link: BackendLink;
  readonly clock: Clock;
  /** Messages per second at most; 0 = as fast as the backend answers. */
  readonly drainPerSecond: number;
  /** The connection's call timeout (default 30 000): a message left unanswered waits longer next time. */
  readonly callTimeoutMs?: number;
  /** The clock offset now (OcppTime.offset): a transaction's time base, pinned at its first message. Default: messages go as stamped. */
  readonly timeOffsetMs?: () => number;
  /** Told about each answer at once, once the queue has taken the delivery in memory (before it is durable). */
  readonly onDelivered: (message: QueuedMessage, result: unknown) => void;
  /**
   * Runs before the queue writes a delivery's acknowledgement (and after it writes a discard's),
   * so that whoever keeps the sessions' delivery state has it first: a power cut between the two
   * means one more delivery, never a session forgotten. A failure is logged and delivery goes on.
   */
  readonly settled?: (message: QueuedMessage, outcome: 'delivered' | 'discarded', result?: unknown) => Promise<void>;
  readonly log: (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;
}

export class TransactionSender {
  private stopped = false;
  private lastSentAt = -Infinity;
  private running: Promise<void> | null = null;
  private delivered = 0;
  /** Ends the run loop's wait in progress at stop() (one at a time: the loop is sequential). */
  private interrupt: (() => void) | null = null;
  /** The head message's timeouts on a link that answered the ping since (the backend is slow). */
  private unanswered: { seq: number; count: number } | null = null;

  constructor(private readonly options: TransactionSenderOptions) {}

  /** Messages delivered since start. */
  get deliveredCount(): number {
    return this.delivered;
  }

  start(): void {
    this.running ??= this.run().catch((error: Error) => this.options.log('error', `transaction sender stopped: ${error.stack ?? error.message}`));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.interrupt?.();
    this.options.link.release();
    await this.running;
  }

  private async run(): Promise<void> {
    const { queue, link, log } = this.options;
    while (!this.stopped) {
      const message = await this.untilStopped(queue.whenDue()); // whenDue ends only at close, after us
      if (!message || this.stopped) return;
      if (!link.online) {
        await link.whenOnline();
        continue;
      }
      await this.pace();
      if (this.stopped) return;
      const payload = await this.onTimeBase(message);
      let result: unknown;
      try {
        this.lastSentAt = this.options.clock.now();
        result = await link.call(message.action, payload, { timeoutMs: this.answerWaitMs(message.seq) });
      } catch (error) {
        if (error instanceof OcppCallError && error.kind === 'offline') {
          await this.sleep(OFFLINE_PAUSE_MS);
          continue;
        }
        if (error instanceof OcppCallError && error.kind === 'timeout') {
          await this.onUnanswered(message);
          continue;
        }
        const outcome = await queue.markFailed(message.seq, (error as Error).message);
        // A discard is also reported by the queue (an error line in the log).
        if (outcome.discarded) await this.settle(message, 'discarded');
        log('warn', `${message.action} #${message.seq} failed (attempt ${outcome.attempts}): ${(error as Error).message}`, {
          discarded: outcome.discarded,
          nextAttemptAt: outcome.nextAttemptAt,
        });
        continue;
      }
      this.unanswered = null;
      // Acted on at once, in the order the backend's answers and CALLs arrive; durable after the store has it.
      const acknowledged = queue.markDelivered(message.seq, result, this.settle(message, 'delivered', result));
      this.delivered++;
      try {
        this.options.onDelivered(message, result);
      } catch (error) {
        log('error', `handling the answer to ${message.action} failed: ${(error as Error).message}`);
      }
      await acknowledged;
    }
  }

  private async settle(message: QueuedMessage, outcome: 'delivered' | 'discarded', result?: unknown): Promise<void> {
    try {
      await this.options.settled?.(message, outcome, result);
    } catch (error) {
      this.options.log('error', `recording that ${message.action} #${message.seq} was ${outcome} failed: ${(error as Error).message}`);
    }
  }

  /** The payload with its times on its transaction's time base, pinned now if this is the transaction's first message out. */
  private async onTimeBase(message: QueuedMessage): Promise<unknown> {
    const { queue, timeOffsetMs, log } = this.options;
    if (message.stampOffsetMs === undefined || !timeOffsetMs) return message.payload; // stamped before time bases existed
    let base = queue.timeBase(message.localTransactionId);
    if (base === undefined) {
      base = timeOffsetMs();
      // A failed write is reported by the journal; the pin holds in memory.
      await queue.pinTimeBase(message.localTransactionId, base).catch((error: Error) => log('error', `time base of ${message.localTransactionId} not durable: ${error.message}`));
    }
    return restamp(message.action, message.payload, base - message.stampOffsetMs);
  }

  /** How long the head message may wait for its answer: the call timeout, doubled per timeout on a live link. */
  private answerWaitMs(seq: number): number | undefined {
    if (this.unanswered?.seq !== seq) return undefined;
    const base = this.options.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
    return base * Math.min(2 ** this.unanswered.count, MAX_ANSWER_WAIT_FACTOR);
  }

  /** A timeout: not an attempt. Tests the link; a dead one is replaced (the loop waits for it to come back). */
  private async onUnanswered(message: QueuedMessage): Promise<void> {
    const { link, log } = this.options;
    const count = this.unanswered?.seq === message.seq ? this.unanswered.count + 1 : 1;
    const alive = await this.untilStopped(link.probe());
    if (alive === null) return; // stopped
    if (alive) {
      this.unanswered = { seq: message.seq, count };
      log('warn', `${message.action} #${message.seq} unanswered (${count}×), the link answers: sending it again with longer to answer; not a failed attempt`, {
        answerWaitMs: this.answerWaitMs(message.seq),
      });
    } else {
      this.unanswered = null;
      log('warn', `${message.action} #${message.seq} unanswered and the link is dead: kept for the next connection; not a failed attempt`);
    }
  }

  private async pace(): Promise<void> {
    const rate = this.options.drainPerSecond;
    if (rate <= 0) return;
    const wait = this.lastSentAt + 1000 / rate - this.options.clock.now();
    if (wait > 0) await this.sleep(wait);
  }

  private async sleep(ms: number): Promise<void> {
    let timer: ReturnType<Clock['setTimeout']> | undefined;
    await this.untilStopped(new Promise<void>((resolve) => (timer = this.options.clock.setTimeout(resolve, ms))));
    if (this.stopped && timer !== undefined) this.options.clock.clearTimeout(timer);
  }

  /**
   * `promise`'s value, or null as soon as stop() is called. Not a Promise.race against one promise
   * kept for the sender's life: every race would stay subscribed to it, holding each message it
   * resolved with until stop.
   */
  private untilStopped<T>(promise: Promise<T>): Promise<T | null> {
    if (this.stopped) return Promise.resolve(null);
    return new Promise<T | null>((resolve, reject) => {
      const interrupt = () => resolve(null);
      this.interrupt = interrupt;
      const done = () => {
        if (this.interrupt === interrupt) this.interrupt = null;
      };
      promise.then(
        (value) => (done(), resolve(value)),
        (error: unknown) => (done(), reject(error)),
      );
    });
  }
}
