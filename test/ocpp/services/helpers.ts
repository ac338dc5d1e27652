// Fakes and fixtures for the OCPP client's services: a scripted connection, a virtual clock that
// shows when its timers fall due, and temp dirs for a real ConfigurationStore / TransactionQueue.
// The charger is the shared FakeChargerPort (../fake-charger-port.ts).

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { VirtualClock, type TimerHandle } from '../../../hal/clock.js';
import { ConfigurationStore, type ConfigurationStoreOptions } from '../../../app/ocpp/configuration/configuration-store.js';
import type { OcppConnection } from '../../../app/ocpp/connection/ocpp-connection.js';
import { OcppCallError, type CallFailureKind } from '../../../app/ocpp/ocpp-types.js';
import { TransactionQueue, type QueueProblem, type TransactionQueueOptions } from '../../../app/ocpp/queue/transaction-queue.js';
import { TransactionService, type TransactionServiceOptions } from '../../../app/ocpp/transactions/transaction-service.js';

/** A VirtualClock that also tells when each pending one-shot timer falls due. */
export class TestClock extends VirtualClock {
  private readonly due = new Map<TimerHandle, number>();

  override setTimeout(callback: () => void, delayMs: number): TimerHandle {
    const handle: TimerHandle = super.setTimeout(() => {
      this.due.delete(handle);
      callback();
    }, delayMs);
    this.due.set(handle, this.now() + Math.max(0, delayMs));
    return handle;
  }

  override clearTimeout(handle: TimerHandle): void {
    this.due.delete(handle);
    super.clearTimeout(handle);
  }

  /** Due times (clock ms) of the pending one-shot timers. */
  get timeoutsDue(): number[] {
    return [...this.due.values()].sort((a, b) => a - b);
  }

  hasTimeoutAt(at: number): boolean {
    return [...this.due.values()].includes(at);
  }
}

/**
 * Waits, in real time, for I/O (journal and file writes) to let `predicate` hold; the virtual
 * clock does not move. Fails with `what` after `timeoutMs` of real time.
 */
export async function until(predicate: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/** Lets pending promise callbacks run (no I/O, no time). */
export const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export type Log = (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;

export function logSink(): { log: Log; lines: Array<{ level: string; message: string; fields?: Record<string, unknown> }> } {
  const lines: Array<{ level: string; message: string; fields?: Record<string, unknown> }> = [];
  return { lines, log: (level, message, fields) => void lines.push({ level, message, ...(fields ? { fields } : {}) }) };
}

// --- the connection ---

export interface SentCall {
  readonly action: string;
  readonly payload: unknown;
  /** The answer wait asked for (undefined: the connection's call timeout). */
  readonly timeoutMs: number | undefined;
  /** Clock time it was sent. */
  readonly at: number;
  resolve(result: unknown): void;
  reject(error: Error): void;
  readonly settled: boolean;
}

/** What a scripted backend does with a call: an answer, a failure, or undefined to leave it to the test. */
export type Responder = (action: string, payload: unknown, timeoutMs: number | undefined) => unknown | Promise<unknown>;

/** The OcppConnection surface the services use: connected, onOpen/onClose, call. */
export class FakeConnection {
  connected = false;
  readonly calls: SentCall[] = [];
  /** Answers calls as they come; null: every call waits for the test. */
  respond: Responder | null = null;
  /** What a WebSocket ping finds: true, the pong comes; false, none (the connection is then closed). */
  answersPings = true;
  /** Pings sent (probe()). */
  probes = 0;
  private readonly openListeners = new Set<() => void>();
  private readonly closeListeners = new Set<(info: { code: number; reason: string }) => void>();
  private callWaiters: Array<() => void> = [];

  constructor(private readonly clock: { now(): number }) {}

  get asConnection(): OcppConnection {
    return this as unknown as OcppConnection;
  }

  /** Calls of an action, in order. */
  sent(action?: string): SentCall[] {
    return action === undefined ? [...this.calls] : this.calls.filter((c) => c.action === action);
  }

  get pending(): SentCall[] {
    return this.calls.filter((c) => !c.settled);
  }

  open(): void {
    this.connected = true;
    for (const listener of [...this.openListeners]) listener();
  }

  close(): void {
    this.connected = false;
    for (const listener of [...this.closeListeners]) listener({ code: 1006, reason: 'test' });
  }

  onOpen(listener: () => void): () => void {
    this.openListeners.add(listener);
    return () => void this.openListeners.delete(listener);
  }

  onClose(listener: (info: { code: number; reason: string }) => void): () => void {
    this.closeListeners.add(listener);
    return () => void this.closeListeners.delete(listener);
  }

  /** Resolves with call number `n` (1-based) once it has been sent; fails after `timeoutMs` real time. */
  async nthCall(n: number, timeoutMs = 5000): Promise<SentCall> {
    await until(() => this.calls.length >= n, `call #${n} (have ${this.calls.length}: ${this.calls.map((c) => c.action).join(', ')})`, timeoutMs);
    return this.calls[n - 1]!;
  }

  /** A ping's round trip: the answer comes on a later turn of the event loop. */
  async probe(): Promise<boolean> {
    if (!this.connected) return false;
    this.probes++;
    await new Promise((resolve) => setImmediate(resolve));
    if (!this.answersPings) this.close();
    return this.answersPings;
  }

  call<T>(action: string, payload: unknown, options: { timeoutMs?: number } = {}): Promise<T> {
    if (!this.connected) return Promise.reject(new OcppCallError('offline', action, 'not connected'));
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const call: SentCall = {
        action,
        payload,
        timeoutMs: options.timeoutMs,
        at: this.clock.now(),
        resolve: (result) => {
          settled = true;
          resolve(result as T);
        },
        reject: (error) => {
          settled = true;
          reject(error);
        },
        get settled() {
          return settled;
        },
      };
      this.calls.push(call);
      for (const wake of this.callWaiters.splice(0)) wake();
      if (this.respond) {
        Promise.resolve()
          .then(() => this.respond!(action, payload, options.timeoutMs))
          .then(
            (result) => {
              if (result !== undefined) call.resolve(result);
            },
            (error: Error) => call.reject(error),
          );
      }
    });
  }
}

export const failure = (kind: CallFailureKind, action = 'X'): OcppCallError =>
  new OcppCallError(kind, action, `fake ${kind}`, kind === 'call-error' ? 'InternalError' : undefined);

// --- stores in temp dirs ---

/** A fresh temp dir per test, with a real ConfigurationStore and TransactionQueue opened on it. */
export function storesFixture() {
  const fx = {
    dir: '',
    queueProblems: [] as QueueProblem[],
    openConfiguration(options: Partial<ConfigurationStoreOptions> = {}): Promise<ConfigurationStore> {
      return ConfigurationStore.open(fx.dir, { numberOfConnectors: 2, report: () => undefined, ...options });
    },
    openQueue(clock: TestClock, configuration: ConfigurationStore, options: Partial<TransactionQueueOptions> = {}): Promise<TransactionQueue> {
      return TransactionQueue.open(join(fx.dir, 'queue'), {
        clock,
        maxAttempts: () => configuration.integer('TransactionMessageAttempts'),
        retryIntervalS: () => configuration.integer('TransactionMessageRetryInterval'),
        report: (p) => void fx.queueProblems.push(p),
        ...options,
      });
    },
  };
  beforeEach(async () => {
    fx.dir = await mkdtemp(join(tmpdir(), 'charger-ocpp-services-'));
    fx.queueProblems = [];
  });
  afterEach(async () => {
    await rm(fx.dir, { recursive: true, force: true, maxRetries: 3 });
  });
  return fx;
}

/** Sets configuration keys, failing the test when one is not Accepted. */
export async function configure(configuration: ConfigurationStore, values: Record<string, string | number | boolean>): Promise<void> {
  for (const [key, value] of Object.entries(values)) {
    const status = await configuration.change(key, String(value));
    if (status !== 'Accepted') throw new Error(`could not set ${key}=${value}: ${status}`);
  }
}

/** The parts a TransactionService is built from in these tests. */
export type TransactionServiceParts = Pick<TransactionServiceOptions, 'queue' | 'link' | 'charger' | 'sampler' | 'configuration' | 'time' | 'clock'>;

/** A TransactionService as the client builds it, with test defaults: free idTag FREE, unpaced, nothing recovered. */
export function testTransactionService(parts: TransactionServiceParts, overrides: Partial<TransactionServiceOptions> = {}): TransactionService {
  return new TransactionService({
    ...parts,
    freeChargingIdTag: 'FREE',
    drainPerSecond: 0,
    learn: () => undefined,
    recoveredSessionIds: new Set(),
    log: logSink().log,
    ...overrides,
  });
}
