// Every timer of the simulated board goes through here, on the injected Clock, so that
// closing the board clears them all and tests on a VirtualClock stay deterministic.

import type { Clock, TimerHandle } from '../clock.js';

export class SimTimers {
  private readonly timeouts = new Set<TimerHandle>();
  private readonly intervals = new Set<TimerHandle>();
  private closed = false;

  constructor(readonly clock: Clock) {}

  now(): number {
    return this.clock.now();
  }

  /** Schedules `callback` once; returns undefined once the board is closed. */
  after(delayMs: number, callback: () => void): TimerHandle | undefined {
    if (this.closed) return undefined;
    const handle = this.clock.setTimeout(() => {
      this.timeouts.delete(handle);
      callback();
    }, delayMs);
    this.timeouts.add(handle);
    return handle;
  }

  every(periodMs: number, callback: () => void): TimerHandle | undefined {
    if (this.closed) return undefined;
    const handle = this.clock.setInterval(callback, periodMs);
    this.intervals.add(handle);
    return handle;
  }

  /** Cancels a pending timeout; harmless for undefined or already-fired handles. Returns undefined for `x = cancel(x)`. */
  cancel(handle: TimerHandle | undefined): undefined {
    if (handle !== undefined && this.timeouts.delete(handle)) this.clock.clearTimeout(handle);
    return undefined;
  }

  close(): void {
    this.closed = true;
    for (const handle of this.timeouts) this.clock.clearTimeout(handle);
    for (const handle of this.intervals) this.clock.clearInterval(handle);
    this.timeouts.clear();
    this.intervals.clear();
  }
}
