// The event-loop watchdog. A stalled event loop cannot run its own watchdog, so the detection runs
// on a worker thread: the main thread writes a heartbeat into shared memory every
// LOOP_HEARTBEAT_MS; the worker (loop-watchdog-worker.ts) waits on it, and when no beat has come
// for LOOP_STALL_LIMIT_MS it carries out the board's safe-state release itself (synchronous
// writes: the sysfs coil and PWM files on direct-ref, the shared coil and pilot words on the
// simulated board) and raises a flag. When the main thread runs again, its next beat sees the
// flag and goes through the fail-safe path (log, exit non-zero). Until the process is gone the
// worker keeps releasing, so a callback that ran before that beat cannot re-energize a coil.

import { Worker } from 'node:worker_threads';
import type { SafeStateRelease } from '../../hal/interfaces.js';

/**
 * The longest the event loop may go without a heartbeat before the outputs are released.
 * IEC 61851-1 Table A.6 wants the contactor open within 100 ms of C→B (reference A3); a bound
 * that low would trip a healthy charger: the loop's ordinary worst gap, measured on the 2-core
 * development machine under a full test load, is 78 ms (first use of code paths, garbage
 * collection, synchronous file writes). 250 ms keeps a margin of ×3 over it and caps what any
 * stall can add to a reaction at 2.5 × the C→B budget, instead of unbounded. Meeting the 100 ms
 * itself on a board without a co-processor rests on the hardware: the RCD trip and the e-stop
 * wired in series with the coil (README, Boards). Check it on the target SoC: every clean stop
 * logs the longest heartbeat gap seen.
 */
export const LOOP_STALL_LIMIT_MS = 250;

/**
 * How often the main thread beats: often enough that the stall is measured from close to its
 * start (the worker waits LOOP_STALL_LIMIT_MS from the last beat), cheap enough to be nothing
 * (an atomic add and a notify).
 */
export const LOOP_HEARTBEAT_MS = 10;

/** Int32 slots of the shared state. */
export const enum LoopWord {
  Beat = 0,
  Fired = 1,
  Stop = 2,
}
const WORDS = 3;
/** Float64 slots of the shared state (ms since the epoch, sub-ms precision: timeOrigin + now). */
export const enum LoopTime {
  LastBeat = 0,
  Released = 1,
}
const TIMES_OFFSET = 16; // bytes; 8-aligned after the Int32 words
const TIMES = 2;

export interface LoopWatchdogWorkerData {
  readonly state: SharedArrayBuffer;
  readonly release: SafeStateRelease;
  readonly limitMs: number;
  readonly beatMs: number;
}

export interface LoopStall {
  /** When the last beat before the stall was written, and when the worker released the outputs (epoch ms). */
  readonly lastBeatAt: number;
  readonly releasedAt: number;
}

/** Now, in epoch ms with sub-ms precision, the same on every thread. */
export function preciseNow(): number {
  return performance.timeOrigin + performance.now();
}

export function loopStateViews(state: SharedArrayBuffer): { words: Int32Array; times: Float64Array } {
  return { words: new Int32Array(state, 0, WORDS), times: new Float64Array(state, TIMES_OFFSET, TIMES) };
}

export interface LoopWatchdogOptions {
  readonly release: SafeStateRelease;
  /** The worker released the outputs during a stall; called from the first beat after it (the fail-safe path). */
  readonly onStall: (stall: LoopStall) => void;
}

export class LoopWatchdog {
  private readonly words: Int32Array;
  private readonly times: Float64Array;
  private stopped = false;
  private reported = false;
  private longestGap = 0;

  private timer: NodeJS.Timeout | null = null;

  private constructor(
    private readonly worker: Worker,
    state: SharedArrayBuffer,
    private readonly options: LoopWatchdogOptions,
  ) {
    ({ words: this.words, times: this.times } = loopStateViews(state));
  }

  /** Starts the worker; resolves once it waits for the first heartbeat (arm() sends it). */
  static async start(options: LoopWatchdogOptions): Promise<LoopWatchdog> {
    const state = new SharedArrayBuffer(TIMES_OFFSET + TIMES * Float64Array.BYTES_PER_ELEMENT);
    const data: LoopWatchdogWorkerData = {
      state,
      release: options.release,
      limitMs: LOOP_STALL_LIMIT_MS,
      beatMs: LOOP_HEARTBEAT_MS,
    };
    const worker = new Worker(new URL('./loop-watchdog-worker.js', import.meta.url), { workerData: data });
    worker.unref();
    await new Promise<void>((resolve, reject) => {
      worker.once('message', () => resolve());
      worker.once('error', reject);
    });
    return new LoopWatchdog(worker, state, options);
  }

  /** Starts the heartbeat: from now on a stall releases the outputs. Idempotent. */
  arm(): void {
    if (this.timer !== null || this.stopped) return;
    this.beat();
    this.timer = setInterval(() => this.beat(), LOOP_HEARTBEAT_MS);
    this.timer.unref();
  }

  /** The longest time between two heartbeats so far, in ms: how close the loop came to the limit. */
  get longestGapMs(): number {
    return this.longestGap;
  }

  /** Whether the worker found the loop stalled (and released the outputs). */
  get fired(): boolean {
    return Atomics.load(this.words, LoopWord.Fired) === 1;
  }

  /** Ends the worker (clean stop). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer !== null) clearInterval(this.timer);
    Atomics.store(this.words, LoopWord.Stop, 1);
    Atomics.notify(this.words, LoopWord.Beat);
    Atomics.notify(this.words, LoopWord.Stop);
    await this.worker.terminate();
  }

  private beat(): void {
    if (this.stopped) return;
    if (this.fired) {
      if (this.reported) return;
      this.reported = true;
      this.options.onStall({ lastBeatAt: this.times[LoopTime.LastBeat]!, releasedAt: this.times[LoopTime.Released]! });
      return;
    }
    const now = preciseNow();
    const last = this.times[LoopTime.LastBeat]!;
    if (last > 0) this.longestGap = Math.max(this.longestGap, now - last);
    this.times[LoopTime.LastBeat] = now;
    Atomics.add(this.words, LoopWord.Beat, 1);
    Atomics.notify(this.words, LoopWord.Beat);
  }
}
