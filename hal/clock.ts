// Time is a platform service: the firmware reads it only through a Clock, so tests and
// benchmarks can run the whole charger on a virtual clock, deterministically.
// The shape of setTimeout/clearTimeout matches XState's clock option.

export type TimerHandle = { readonly __timer: unique symbol } | NodeJS.Timeout | number;

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  setTimeout(callback: () => void, delayMs: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
  setInterval(callback: () => void, periodMs: number): TimerHandle;
  clearInterval(handle: TimerHandle): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, delayMs) => setTimeout(callback, delayMs),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  setInterval: (callback, periodMs) => setInterval(callback, periodMs),
  clearInterval: (handle) => clearInterval(handle as NodeJS.Timeout),
};

interface VirtualTimer {
  readonly id: number;
  dueAt: number;
  readonly periodMs: number | null;
  readonly callback: () => void;
}

/** Lets pending promise callbacks and I/O callbacks run before the next timer fires. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * A clock that moves only when told to. Timers fire in due order; between two timers,
 * pending promises settle, so async code (meter reads, self-tests) runs as it would in real time.
 */
export class VirtualClock implements Clock {
  private current: number;
  private nextId = 1;
  private readonly timers = new Map<number, VirtualTimer>();

  constructor(startMs = Date.UTC(2026, 0, 1)) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  setTimeout(callback: () => void, delayMs: number): TimerHandle {
    return this.add(callback, Math.max(0, delayMs), null);
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers.delete(handle as number);
  }

  setInterval(callback: () => void, periodMs: number): TimerHandle {
    return this.add(callback, Math.max(1, periodMs), Math.max(1, periodMs));
  }

  clearInterval(handle: TimerHandle): void {
    this.timers.delete(handle as number);
  }

  /** Number of timers waiting to fire. */
  get pendingTimers(): number {
    return this.timers.size;
  }

  /** Moves time forward by `ms`, firing every timer that falls due, in order. */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    await settle();
    for (;;) {
      const next = this.nextDue(target);
      if (!next) break;
      this.current = next.dueAt;
      if (next.periodMs === null) this.timers.delete(next.id);
      else next.dueAt += next.periodMs;
      next.callback();
      await settle();
    }
    this.current = target;
    await settle();
  }

  /** Advances in steps until `predicate` holds or `maxMs` has passed; returns whether it held. */
  async advanceUntil(predicate: () => boolean, maxMs: number, stepMs = 100): Promise<boolean> {
    const deadline = this.current + maxMs;
    while (!predicate()) {
      if (this.current >= deadline) return false;
      await this.advance(Math.min(stepMs, deadline - this.current));
    }
    return true;
  }

  private add(callback: () => void, delayMs: number, periodMs: number | null): TimerHandle {
    const id = this.nextId++;
    this.timers.set(id, { id, dueAt: this.current + delayMs, periodMs, callback });
    return id;
  }

  private nextDue(limit: number): VirtualTimer | undefined {
    let best: VirtualTimer | undefined;
    for (const timer of this.timers.values()) {
      if (timer.dueAt > limit) continue;
      if (!best || timer.dueAt < best.dueAt || (timer.dueAt === best.dueAt && timer.id < best.id)) best = timer;
    }
    return best;
  }
}
