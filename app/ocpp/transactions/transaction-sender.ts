// Delivers the transaction message queue, oldest first, one at a time (OCPP 1.6 §3.7, §4.7
// and errata 3.18): a message goes once the link is online and its retry time has come; a
// CALLERROR or timeout counts as a failed attempt (the queue spaces and limits retries per
// TransactionMessageAttempts / TransactionMessageRetryInterval); losing the connection does
// not. After a reconnect the backlog may be paced, so a fleet coming back does not flood the backend.

import type { Clock } from '../../../hal/clock.js';
import type { BackendLink } from '../backend-link.js';
import { OcppCallError } from '../ocpp-types.js';
import type { QueuedMessage, TransactionQueue } from '../queue/transaction-queue.js';

/** After a call cut off by a lost connection, wait this long before looking again. */
const OFFLINE_PAUSE_MS = 1000;

export interface TransactionSenderOptions {
  readonly queue: TransactionQueue;
  readonly link: BackendLink;
  readonly clock: Clock;
  /** Messages per second at most; 0 = as fast as the backend answers. */
  readonly drainPerSecond: number;
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
      let result: unknown;
      try {
        this.lastSentAt = this.options.clock.now();
        result = await link.call(message.action, message.payload);
      } catch (error) {
        if (error instanceof OcppCallError && error.kind === 'offline') {
          await this.sleep(OFFLINE_PAUSE_MS);
          continue;
        }
        const outcome = await queue.markFailed(message.seq, (error as Error).message);
        if (outcome.discarded) await this.settle(message, 'discarded');
        log('warn', `${message.action} #${message.seq} failed (attempt ${outcome.attempts}): ${(error as Error).message}`, {
          discarded: outcome.discarded,
          nextAttemptAt: outcome.nextAttemptAt,
        });
        continue;
      }
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
