// The persistent queue of transaction-related OCPP messages (StartTransaction,
// StopTransaction, transaction MeterValues; OCPP 1.6 §3.7, §4.7, cheat sheet B5): delivered
// oldest first, at least once, retried per TransactionMessageAttempts and
// TransactionMessageRetryInterval, and surviving a power cut at any instant.
//
// Everything lives in an append-only journal (journal.ts); each change is one small record,
// applied to the in-memory state and appended, and opening replays the same records through the
// same `apply`, so memory after a restart is what it was before, up to the last durable record:
//   m  message (seq, action, connector, local transaction id, payload)
//   a  acknowledged through seq (delivered, or discarded with a reason)
//   f  a failed attempt (count, time, reason)
//   x  localTransactionId -> transactionId, from StartTransaction.conf
//   b  localTransactionId -> its time base (clock offset, ms), pinned when its first message is sent
//   h  checkpoint at the start of each segment: next seq, acked-through, live id mappings and
//      time bases, and each connector's last transaction (see lastTransaction)
// Delivery is strictly in order, so an acknowledgement is "everything through seq N".
// Memory holds a small index entry per queued message; payloads are read back from the
// journal when a message reaches the head.
//
// Transaction ids. Messages are queued before the backend has given the transaction its id.
// For StopTransaction and MeterValues the queue owns `payload.transactionId`: whatever the
// caller put there (by convention TRANSACTION_ID_UNKNOWN) is replaced, each time the message
// is peeked, by the id recorded for its localTransactionId, or by -1 when none is known (errata
// 3.18: the transaction's StartTransaction was discarded or its .conf never came). The id is
// recorded by `markDelivered(startSeq, conf)` (in the same write as the acknowledgement) or by
// `setTransactionId` (a .conf that arrives late). A mapping lives, carried from checkpoint to
// checkpoint, until the transaction's StopTransaction is acknowledged and no message of it is
// left (one recorded after that, from a .conf later than the Stop itself, just stays: a few bytes).
//
// Time bases. A message records the clock offset its payload was stamped with (`stampOffsetMs`,
// absent in records written before it existed: those are sent as stamped). The sender pins each
// transaction's time base when its first message goes out and moves every message's times onto
// it (transactions/restamp.ts); the pin lives as long as the transaction's id mapping does.
//
// Superseded messages. A damaged journal can lose a transaction's StartTransaction and keep its
// later messages; reconciliation then queues the Start (and Stop) again from the session store.
// A Stop or MeterValues queued before its own transaction's latest StartTransaction is never sent
// (it would reach the backend before the Start, with no transactionId): it is acknowledged as
// superseded and reported when it reaches the head.

import type { Clock, TimerHandle } from '../../../hal/clock.js';
import { Journal, MAX_RECORD_BYTES, type JournalOptions, type JournalProblem, type JournalRecord, type JournalStats, type RecordLocation } from './journal.js';

export type TransactionAction = 'StartTransaction' | 'StopTransaction' | 'MeterValues';

const ACTIONS: ReadonlySet<string> = new Set<TransactionAction>(['StartTransaction', 'StopTransaction', 'MeterValues']);

/** The transactionId sent when the backend never gave one (OCPP 1.6 errata 3.18). */
export const TRANSACTION_ID_UNKNOWN = -1;

/** Longest failure reason kept in the journal. */
const MAX_REASON_CHARS = 200;

export interface TransactionMessage {
  readonly action: TransactionAction;
  /** The request's JSON payload; `transactionId` of Stop/MeterValues is filled in by the queue. */
  readonly payload: unknown;
  readonly connectorId: number;
  readonly localTransactionId: string;
  /** The clock offset (OcppTime.offset, ms) the payload's timestamps were stamped with. */
  readonly stampOffsetMs?: number;
}

export interface QueuedMessage extends TransactionMessage {
  readonly seq: number;
  /** Clock time of `enqueue`. */
  readonly enqueuedAt: number;
  /** Failed attempts so far. */
  readonly attempts: number;
}

export interface DiscardedMessageProblem {
  /**
   * discarded: given up after its attempts; unreadable: its record was damaged after open, dropped;
   * superseded: queued before its transaction's StartTransaction was queued again, dropped.
   */
  readonly kind: 'discarded' | 'unreadable' | 'superseded';
  readonly seq: number;
  readonly action: TransactionAction;
  readonly localTransactionId: string;
  readonly attempts: number;
  readonly reason: string;
  readonly message: string;
}

export type QueueProblem = JournalProblem | DiscardedMessageProblem;

export interface TransactionQueueOptions {
  readonly clock: Clock;
  /** TransactionMessageAttempts: tries before a message may be discarded (values below 1 count as 1). */
  readonly maxAttempts: () => number;
  /** TransactionMessageRetryInterval, seconds. */
  readonly retryIntervalS: () => number;
  /** Told about torn or damaged records, failed writes and discarded messages. Default: console.error. */
  readonly report?: (problem: QueueProblem) => void;
  /** Journal segment size. Default 1 MiB. */
  readonly segmentBytes?: number;
  /**
   * Asked when a message has used up its attempts (`attempts` already counts the last one):
   * true drops it and the queue moves on (OCPP: "discard the message and continue"); false
   * keeps it at the head, retried at the ever longer interval. Default: always true.
   */
  readonly discardable?: (message: QueuedMessage) => boolean;
  /** The journal's sync (see JournalOptions.sync); for tests. */
  readonly sync?: JournalOptions['sync'];
}

export interface FailureOutcome {
  readonly attempts: number;
  readonly discarded: boolean;
  /** When to try again (clock ms), or null when discarded. */
  readonly nextAttemptAt: number | null;
}

export interface QueueStats extends JournalStats {
  readonly segments: number;
}

type QueueRecord =
  | { k: 'h'; v: 1; n: number; u: number; x: Array<[string, number]>; c?: Array<[number, string, boolean]>; b?: Array<[string, number]> }
  | { k: 'm'; s: number; t: number; a: TransactionAction; c: number; l: string; p: unknown; o?: number }
  | { k: 'b'; l: string; o: number }
  | { k: 'a'; u: number; d?: string }
  | { k: 'f'; s: number; n: number; t: number; r?: string }
  | { k: 'x'; l: string; i: number };

interface Entry {
  readonly seq: number;
  readonly action: TransactionAction;
  readonly connectorId: number;
  readonly localId: string;
  readonly enqueuedAt: number;
  readonly stampOffsetMs: number | undefined;
  attempts: number;
  lastFailedAt: number;
  /** The record, until it is written; then where it was written. */
  body: Buffer | null;
  at: RecordLocation | null;
  /** Its enqueue's write has not settled yet: not due (see whenDue). */
  writing: boolean;
}

interface Transaction {
  transactionId: number | undefined;
  /** Messages of it still queued. */
  queued: number;
  /** Its StopTransaction has been acknowledged. */
  stopped: boolean;
  /** The clock offset its times are sent on, once pinned. */
  timeBaseMs: number | undefined;
  /** Seq of its latest StartTransaction queued (0: none seen). */
  startSeq: number;
}

const isInt = (v: unknown): v is number => Number.isSafeInteger(v);
const isPairList = (v: unknown): boolean => Array.isArray(v) && v.every((p) => Array.isArray(p) && typeof p[0] === 'string' && isInt(p[1]));

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Throws on anything that is not a record this version wrote. */
function parseRecord(body: Buffer): QueueRecord {
  const r: unknown = JSON.parse(body.toString('utf8'));
  if (!isObject(r)) throw new Error('not an object');
  const ok = (() => {
    switch (r['k']) {
      case 'h':
        return r['v'] === 1 && isInt(r['n']) && isInt(r['u']) && isPairList(r['x']) && (r['b'] === undefined || isPairList(r['b'])) &&
          (r['c'] === undefined || (Array.isArray(r['c']) && r['c'].every((p) => Array.isArray(p) && isInt(p[0]) && typeof p[1] === 'string' && typeof p[2] === 'boolean')));
      case 'm':
        return isInt(r['s']) && typeof r['t'] === 'number' && ACTIONS.has(r['a'] as string) && isInt(r['c']) && typeof r['l'] === 'string' && 'p' in r &&
          (r['o'] === undefined || isInt(r['o']));
      case 'b':
        return typeof r['l'] === 'string' && isInt(r['o']);
      case 'a':
        return isInt(r['u']) && (r['d'] === undefined || typeof r['d'] === 'string');
      case 'f':
        return isInt(r['s']) && isInt(r['n']) && typeof r['t'] === 'number';
      case 'x':
        return typeof r['l'] === 'string' && isInt(r['i']);
      default:
        return false;
    }
  })();
  if (!ok) throw new Error(`unknown or malformed record ${JSON.stringify(r).slice(0, 80)}`);
  return r as QueueRecord;
}

/** `transactionId` of a StartTransaction.conf, if that is what `result` is. */
function transactionIdOf(result: unknown): number | undefined {
  return isObject(result) && isInt(result['transactionId']) ? result['transactionId'] : undefined;
}

const encode = (record: QueueRecord): Buffer => Buffer.from(JSON.stringify(record), 'utf8');

export class TransactionQueue {
  private journal!: Journal;
  private readonly clock: Clock;
  private readonly report: (problem: QueueProblem) => void;
  private readonly discardable: (message: QueuedMessage) => boolean;
  /** Queued messages, oldest first, from `head` on (a deque: slots before `head` are spent). */
  private entries: Entry[] = [];
  private head = 0;
  private nextSeq = 1;
  private lastSeq = 0;
  private ackedThrough = 0;
  private readonly transactions = new Map<string, Transaction>();
  /** Per connector, the last transaction a StartTransaction (or StopTransaction) was durably queued for, and whether its Stop was. */
  private readonly lastByConnector = new Map<number, { localTransactionId: string; stopQueued: boolean }>();
  private headBody: { seq: number; body: Buffer } | null = null;
  private dueWaiters: Array<(message: QueuedMessage | null) => void> = [];
  private dueTimer: TimerHandle | null = null;
  private readonly shrinkListeners = new Set<() => void>();
  private closed = false;

  private constructor(private readonly options: TransactionQueueOptions) {
    this.clock = options.clock;
    this.report = options.report ?? ((p) => console.error(`[transaction-queue] ${p.message}`));
    this.discardable = options.discardable ?? (() => true);
  }

  /** Opens the queue in `dir` (created if missing), replaying its journal. */
  static async open(dir: string, options: TransactionQueueOptions): Promise<TransactionQueue> {
    const queue = new TransactionQueue(options);
    queue.journal = await Journal.open(
      dir,
      {
        segmentBytes: options.segmentBytes,
        report: queue.report,
        checkpoint: () => [queue.checkpoint()],
        now: () => new Date(options.clock.now()),
        ...(options.sync ? { sync: options.sync } : {}),
      },
      (body, at) => queue.replay(body, at),
    );
    queue.nextSeq = Math.max(queue.nextSeq, queue.lastSeq + 1, queue.ackedThrough + 1);
    queue.journal.releaseThrough(queue.ackedThrough);
    return queue;
  }

  /** Messages not yet delivered or discarded. */
  get size(): number {
    return this.entries.length - this.head;
  }

  get stats(): QueueStats {
    return { ...this.journal.stats, segments: this.journal.segmentCount };
  }

  /**
   * Queues a message; resolves with its sequence number once it is durable. It is visible to
   * `peek` at once, and due (`whenDue`) once its write has settled. A rejection means it may not
   * survive a power cut (the failed write is reported); it stays queued in memory.
   */
  async enqueue(message: TransactionMessage): Promise<number> {
    if (this.closed) throw new Error('transaction queue is closed');
    if (!ACTIONS.has(message.action)) throw new TypeError(`not a transaction message: ${String(message.action)}`);
    if (!isInt(message.connectorId) || message.connectorId < 0) throw new TypeError(`bad connectorId ${message.connectorId}`);
    if (typeof message.localTransactionId !== 'string' || message.localTransactionId === '') throw new TypeError('localTransactionId is required');
    if (message.payload === undefined) throw new TypeError('payload is required');
    const record: QueueRecord = {
      k: 'm',
      s: this.nextSeq,
      t: this.clock.now(),
      a: message.action,
      c: message.connectorId,
      l: message.localTransactionId,
      p: message.payload,
      ...(message.stampOffsetMs !== undefined ? { o: message.stampOffsetMs } : {}),
    };
    if (record.o !== undefined && !isInt(record.o)) throw new TypeError(`bad stampOffsetMs ${record.o}`);
    const body = encode(record);
    if (body.length > MAX_RECORD_BYTES) throw new RangeError(`${message.action} of ${body.length} bytes is too large to queue`);
    const entry = this.apply(record)!;
    entry.body = body;
    entry.writing = true;
    try {
      await this.journal.append([
        {
          body,
          mark: record.s,
          onWritten: (at) => {
            entry.at = at;
            entry.body = null;
            // Only once durable: a checkpoint written meanwhile (a new segment) must not claim a
            // Start that a power cut could still take away.
            this.noteLast(record.a, record.c, record.l);
          },
        },
      ]);
    } finally {
      entry.writing = false;
      this.checkDue();
    }
    return record.s;
  }

  /** The oldest undelivered message, transactionId resolved; null when the queue is empty. */
  peek(): QueuedMessage | null {
    for (;;) {
      const entry = this.entries[this.head];
      if (!entry) return null;
      if (entry.action !== 'StartTransaction' && (this.transactions.get(entry.localId)?.startSeq ?? 0) > entry.seq) {
        this.dropHead(entry, 'superseded', 'its StartTransaction was queued again after it');
        continue;
      }
      try {
        if (this.headBody?.seq !== entry.seq) this.headBody = { seq: entry.seq, body: this.bodyOf(entry) };
        return this.view(entry, this.payloadOf(entry, this.headBody.body));
      } catch (err) {
        this.dropUnreadable(entry, err);
      }
    }
  }

  /** Every queued message, oldest first (read from disk as iterated; for diagnostics and tests). */
  *messages(): IterableIterator<QueuedMessage> {
    for (let i = this.head; i < this.entries.length; i++) {
      const entry = this.entries[i]!;
      let payload: unknown;
      try {
        payload = this.payloadOf(entry, this.bodyOf(entry));
      } catch {
        continue; // reported and dropped when it reaches the head
      }
      yield this.view(entry, payload);
    }
  }

  /**
   * The head message `seq` was delivered. For a StartTransaction, pass the .conf as `result`: its
   * transactionId is recorded with the acknowledgement. Acknowledging again is a no-op; any other
   * seq than the head's rejects. Takes effect in memory at once (the next message is up, the
   * transactionId known); the acknowledgement is written once `after` has settled (whoever must
   * know of the delivery before the queue forgets the message: the session store), and this
   * resolves once it is durable (until then a power cut means one more delivery).
   */
  async markDelivered(seq: number, result?: unknown, after?: PromiseLike<unknown>): Promise<void> {
    if (seq <= this.ackedThrough) return;
    const head = this.requireHead(seq);
    const records: JournalRecord[] = [];
    const transactionId = head.action === 'StartTransaction' ? transactionIdOf(result) : undefined;
    if (transactionId !== undefined && this.transactions.get(head.localId)?.transactionId !== transactionId) {
      records.push(this.change({ k: 'x', l: head.localId, i: transactionId }));
    }
    records.push({ ...this.change({ k: 'a', u: seq }), coalesceKey: 'ack' });
    this.checkDue();
    if (after) await Promise.resolve(after).catch(() => undefined);
    await this.journal.append(records);
    this.journal.releaseThrough(seq);
  }

  /**
   * An attempt to deliver the head message `seq` failed: the backend refused it (CALLERROR; a
   * timeout or a lost connection is not an attempt, the sender keeps those). Counts the attempt;
   * once attempts reach maxAttempts() and `discardable` agrees, the message is discarded (acknowledged with `reason`, reported) and the next one is up.
   */
  async markFailed(seq: number, reason: string): Promise<FailureOutcome> {
    const head = this.requireHead(seq);
    const attempts = head.attempts + 1;
    const limit = Math.max(1, Math.floor(this.options.maxAttempts()) || 1);
    const why = String(reason).slice(0, MAX_REASON_CHARS);
    if (attempts >= limit && this.discardable(this.viewForDecision(head, attempts))) {
      const record = this.change({ k: 'a', u: seq, d: why });
      this.report({
        kind: 'discarded',
        seq,
        action: head.action,
        localTransactionId: head.localId,
        attempts,
        reason: why,
        message: `discarded ${head.action} #${seq} (transaction ${head.localId}) after ${attempts} failed attempts: ${why}`,
      });
      this.checkDue();
      await this.journal.append([record]);
      this.journal.releaseThrough(seq);
      return { attempts, discarded: true, nextAttemptAt: null };
    }
    const record = this.change({ k: 'f', s: seq, n: attempts, t: this.clock.now(), r: why });
    this.checkDue();
    await this.journal.append([record]);
    return { attempts, discarded: false, nextAttemptAt: this.dueAt(head) };
  }

  /**
   * When message `seq` may be sent (clock ms): at once (its enqueue time) before any failure, then
   * the last failure + retryInterval × failures so far (60 s, then 120 s, …). Null if not queued.
   */
  nextAttemptAt(seq: number): number | null {
    const entry = this.find(seq);
    return entry ? this.dueAt(entry) : null;
  }

  /** Resolves with the head message once it is due (see nextAttemptAt) and written; null if the queue is closed first. */
  whenDue(): Promise<QueuedMessage | null> {
    if (this.closed) return Promise.resolve(null);
    return new Promise((resolve) => {
      this.dueWaiters.push(resolve);
      this.checkDue();
    });
  }

  /** Records the backend's transactionId for a local transaction (a StartTransaction.conf). Resolves once durable. */
  async setTransactionId(localTransactionId: string, transactionId: number): Promise<void> {
    if (!isInt(transactionId)) throw new TypeError(`bad transactionId ${transactionId}`);
    if (this.transactions.get(localTransactionId)?.transactionId === transactionId) return;
    await this.journal.append([this.change({ k: 'x', l: localTransactionId, i: transactionId })]);
  }

  /** The clock offset a transaction's times are sent on, once pinned (see pinTimeBase). */
  timeBase(localTransactionId: string): number | undefined {
    return this.transactions.get(localTransactionId)?.timeBaseMs;
  }

  /**
   * Pins a transaction's time base (before its first message is sent); a pinned one stays.
   * Resolves once durable; a failed write is reported and the pin kept in memory.
   */
  async pinTimeBase(localTransactionId: string, offsetMs: number): Promise<void> {
    if (!isInt(offsetMs)) throw new TypeError(`bad time base ${offsetMs}`);
    if (this.transactions.get(localTransactionId)?.timeBaseMs !== undefined) return;
    await this.journal.append([this.change({ k: 'b', l: localTransactionId, o: offsetMs })]);
  }

  /** For each local transaction with messages queued, which kinds (from memory: no reads). */
  queuedActions(): Map<string, Set<TransactionAction>> {
    const actions = new Map<string, Set<TransactionAction>>();
    for (let i = this.head; i < this.entries.length; i++) {
      const entry = this.entries[i]!;
      let set = actions.get(entry.localId);
      if (!set) actions.set(entry.localId, (set = new Set()));
      set.add(entry.action);
    }
    return actions;
  }

  /** The backend's transactionId for a local transaction, if known (and the transaction not yet finished). */
  transactionIdFor(localTransactionId: string): number | undefined {
    return this.transactions.get(localTransactionId)?.transactionId;
  }

  /**
   * The last transaction queued on a connector, even long delivered: whether its StopTransaction
   * was queued too. After a power cut this tells which end of a session the queue has not seen.
   */
  lastTransaction(connectorId: number): { readonly localTransactionId: string; readonly stopQueued: boolean } | undefined {
    const last = this.lastByConnector.get(connectorId);
    return last && { ...last };
  }

  /** Waits for pending writes, then closes the journal. `whenDue` waiters get null. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.dueTimer !== null) this.clock.clearTimeout(this.dueTimer);
    this.dueTimer = null;
    for (const resolve of this.dueWaiters.splice(0)) resolve(null);
    await this.journal.close();
  }

  // --- state changes: the same `apply` for live changes and for replay ---

  /** Applies a new record to memory and returns it for the journal. */
  private change(record: QueueRecord): JournalRecord {
    this.apply(record);
    return { body: encode(record) };
  }

  private replay(body: Buffer, at: RecordLocation): number | undefined {
    const record = parseRecord(body);
    const entry = this.apply(record);
    if (entry) entry.at = at;
    // Every message record, acknowledged ones too: a checkpoint may acknowledge a message whose
    // record follows it in the same segment (acknowledged in memory while still being written).
    if (record.k === 'm') this.noteLast(record.a, record.c, record.l);
    return record.k === 'm' ? record.s : undefined;
  }

  /** Returns the new entry for a message record that was queued. */
  private apply(record: QueueRecord): Entry | undefined {
    switch (record.k) {
      case 'h':
        this.nextSeq = Math.max(this.nextSeq, record.n);
        for (const [localId, transactionId] of record.x) this.transaction(localId).transactionId = transactionId;
        for (const [localId, offsetMs] of record.b ?? []) this.transaction(localId).timeBaseMs ??= offsetMs;
        for (const [connectorId, localTransactionId, stopQueued] of record.c ?? []) this.lastByConnector.set(connectorId, { localTransactionId, stopQueued });
        this.ackThrough(record.u);
        return undefined;
      case 'm': {
        if (record.s <= this.lastSeq || record.s <= this.ackedThrough) return undefined; // already had it
        this.lastSeq = record.s;
        this.nextSeq = Math.max(this.nextSeq, record.s + 1);
        const entry: Entry = {
          seq: record.s,
          action: record.a,
          connectorId: record.c,
          localId: record.l,
          enqueuedAt: record.t,
          stampOffsetMs: record.o,
          attempts: 0,
          lastFailedAt: 0,
          body: null,
          at: null,
          writing: false,
        };
        this.entries.push(entry);
        const transaction = this.transaction(record.l);
        transaction.queued++;
        if (record.a === 'StartTransaction') transaction.startSeq = record.s;
        return entry;
      }
      case 'a':
        this.ackThrough(record.u);
        return undefined;
      case 'f': {
        const entry = this.find(record.s);
        if (entry) {
          entry.attempts = record.n;
          entry.lastFailedAt = record.t;
        }
        return undefined;
      }
      case 'x':
        this.transaction(record.l).transactionId = record.i;
        return undefined;
      case 'b':
        this.transaction(record.l).timeBaseMs ??= record.o;
        return undefined;
    }
  }

  /** Calls the listener each time messages leave the queue (delivered, discarded or dropped); returns what stops it. */
  onShrink(listener: () => void): () => void {
    this.shrinkListeners.add(listener);
    return () => void this.shrinkListeners.delete(listener);
  }

  private ackThrough(seq: number): void {
    if (seq <= this.ackedThrough) return;
    this.ackedThrough = seq;
    for (let entry = this.entries[this.head]; entry && entry.seq <= seq; entry = this.entries[this.head]) {
      this.head++;
      const transaction = this.transaction(entry.localId);
      transaction.queued--;
      if (entry.action === 'StopTransaction') transaction.stopped = true;
      if (transaction.queued <= 0 && (transaction.stopped || transaction.transactionId === undefined)) this.transactions.delete(entry.localId);
    }
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
    this.headBody = null;
    for (const listener of [...this.shrinkListeners]) listener();
  }

  private noteLast(action: TransactionAction, connectorId: number, localTransactionId: string): void {
    const last = this.lastByConnector.get(connectorId);
    if (action === 'StartTransaction') this.lastByConnector.set(connectorId, { localTransactionId, stopQueued: false });
    else if (action === 'StopTransaction') {
      if (last?.localTransactionId === localTransactionId) last.stopQueued = true;
      // The Stop of an older transaction (queued after a newer one started) leaves the newer one last.
      else if (!last) this.lastByConnector.set(connectorId, { localTransactionId, stopQueued: true });
    }
  }

  private transaction(localId: string): Transaction {
    let transaction = this.transactions.get(localId);
    if (!transaction) {
      transaction = { transactionId: undefined, queued: 0, stopped: false, timeBaseMs: undefined, startSeq: 0 };
      this.transactions.set(localId, transaction);
    }
    return transaction;
  }

  private checkpoint(): Buffer {
    const live: Array<[string, number]> = [];
    const bases: Array<[string, number]> = [];
    for (const [localId, t] of this.transactions) {
      if (t.transactionId !== undefined) live.push([localId, t.transactionId]);
      if (t.timeBaseMs !== undefined && (t.transactionId !== undefined || t.queued > 0)) bases.push([localId, t.timeBaseMs]);
    }
    const last: Array<[number, string, boolean]> = [...this.lastByConnector].map(([c, t]) => [c, t.localTransactionId, t.stopQueued]);
    return encode({ k: 'h', v: 1, n: this.nextSeq, u: this.ackedThrough, x: live, c: last, ...(bases.length ? { b: bases } : {}) });
  }

  // --- reading ---

  private requireHead(seq: number): Entry {
    const head = this.entries[this.head];
    if (!head || head.seq !== seq) throw new RangeError(`#${seq} is not the oldest undelivered message (that is ${head ? `#${head.seq}` : 'none'})`);
    return head;
  }

  private find(seq: number): Entry | undefined {
    const head = this.entries[this.head];
    if (!head || seq < head.seq) return undefined;
    if (seq === head.seq) return head;
    let lo = this.head;
    let hi = this.entries.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const s = this.entries[mid]!.seq;
      if (s === seq) return this.entries[mid];
      if (s < seq) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }

  private bodyOf(entry: Entry): Buffer {
    if (entry.body) return entry.body;
    if (!entry.at) throw new Error(`#${entry.seq} has no record`);
    return this.journal.read(entry.at);
  }

  private payloadOf(entry: Entry, body: Buffer): unknown {
    const record = parseRecord(body);
    if (record.k !== 'm' || record.s !== entry.seq) throw new Error(`record for #${entry.seq} holds something else`);
    return record.p;
  }

  private view(entry: Entry, payload: unknown): QueuedMessage {
    const resolved =
      entry.action !== 'StartTransaction' && isObject(payload)
        ? { ...payload, transactionId: this.transactions.get(entry.localId)?.transactionId ?? TRANSACTION_ID_UNKNOWN }
        : payload;
    return {
      seq: entry.seq,
      action: entry.action,
      connectorId: entry.connectorId,
      localTransactionId: entry.localId,
      payload: resolved,
      enqueuedAt: entry.enqueuedAt,
      attempts: entry.attempts,
      ...(entry.stampOffsetMs !== undefined ? { stampOffsetMs: entry.stampOffsetMs } : {}),
    };
  }

  private viewForDecision(entry: Entry, attempts: number): QueuedMessage {
    let payload: unknown = null;
    try {
      payload = this.payloadOf(entry, this.bodyOf(entry));
    } catch {
      // decided on the rest
    }
    return { ...this.view(entry, payload), attempts };
  }

  private dueAt(entry: Entry): number {
    if (entry.attempts === 0) return entry.enqueuedAt;
    const intervalS = Math.max(0, Number(this.options.retryIntervalS()) || 0);
    return entry.lastFailedAt + intervalS * 1000 * entry.attempts;
  }

  /** A head record that no longer reads back: reported and acknowledged, so the queue moves on. */
  private dropUnreadable(entry: Entry, err: unknown): void {
    this.dropHead(entry, 'unreadable', err instanceof Error ? err.message : String(err));
  }

  private dropHead(entry: Entry, kind: 'unreadable' | 'superseded', reason: string): void {
    const record = this.change({ k: 'a', u: entry.seq, d: `${kind}: ${reason}`.slice(0, MAX_REASON_CHARS) });
    this.report({
      kind,
      seq: entry.seq,
      action: entry.action,
      localTransactionId: entry.localId,
      attempts: entry.attempts,
      reason,
      message: `dropped ${entry.action} #${entry.seq} (transaction ${entry.localId}): ${reason}`,
    });
    this.journal.append([record]).then(
      () => this.journal.releaseThrough(entry.seq),
      () => undefined, // reported by the journal
    );
  }

  private checkDue(): void {
    if (this.dueWaiters.length === 0 || this.closed) return;
    if (this.dueTimer !== null) this.clock.clearTimeout(this.dueTimer);
    this.dueTimer = null;
    const message = this.peek(); // first: it drops an unreadable head
    if (message === null) return; // the next enqueue checks again
    // Never sent before it is durable: a message the backend has seen must survive a power cut,
    // or the next start would tell it the same story differently (a second StartTransaction for
    // one session, the first never stopped). A failed write still lets it go (it is in memory).
    if (this.entries[this.head]!.writing) return; // checked again when the write settles
    const wait = this.dueAt(this.entries[this.head]!) - this.clock.now();
    if (wait > 0) {
      this.dueTimer = this.clock.setTimeout(() => {
        this.dueTimer = null;
        this.checkDue();
      }, wait);
      return;
    }
    for (const resolve of this.dueWaiters.splice(0)) resolve(message);
  }
}
