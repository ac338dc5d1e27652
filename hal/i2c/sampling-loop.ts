// The sampling loop of the polled I2C drivers (ADS1115 pilot and proximity, TMP102/LM75): a
// sample at once, then one every pollMs on the injected Clock. At most one read is in flight; a
// request that finds one in flight gets one more right after it, never a pile. What a read
// returns after close is dropped. What a sample is, and what a failed read means, stays with
// each driver (its Sampler).

import type { Clock, TimerHandle } from '../clock.js';

export interface Sampler<T> {
  /** One read of the device; rejects when the read fails. */
  read(): Promise<T>;
  /** A read came in (never after close). */
  accept(sample: T): void;
  /** A read failed (never after close); the loop has counted it in readErrors. */
  fail(error: unknown): void;
}

export class SamplingLoop<T> {
  private sampling = false;
  private again = false;
  private closed = false;
  private errors = 0;
  private readonly timer: TimerHandle;
  private readonly firstSample: Promise<void>;
  private firstSampleDone!: () => void;

  /** Starts at once: the sampler must be ready to read when this is constructed. */
  constructor(
    private readonly clock: Clock,
    pollMs: number,
    private readonly sampler: Sampler<T>,
  ) {
    this.firstSample = new Promise((resolve) => {
      this.firstSampleDone = resolve;
    });
    this.timer = clock.setInterval(() => this.sampleNow(), pollMs);
    this.sampleNow();
  }

  /** Resolves once the first read has been attempted (the board awaits it before starting), or on close. */
  ready(): Promise<void> {
    return this.firstSample;
  }

  /** Failed reads since start. */
  get readErrors(): number {
    return this.errors;
  }

  /** A sample now, not at the next poll; with a read in flight, one more right after it. */
  sampleNow(): void {
    if (this.closed) return;
    if (this.sampling) {
      this.again = true;
      return;
    }
    this.sampling = true;
    // A bug in accept or fail rejects here: an unhandled rejection, which takes the fail-safe path.
    void this.once().finally(() => {
      this.sampling = false;
      this.firstSampleDone();
      if (this.again) {
        this.again = false;
        this.sampleNow();
      }
    });
  }

  /** Stops sampling. Idempotent. */
  close(): void {
    this.closed = true;
    this.clock.clearInterval(this.timer);
    this.firstSampleDone();
  }

  private async once(): Promise<void> {
    let sample: T;
    try {
      sample = await this.sampler.read();
    } catch (error) {
      if (this.closed) return;
      this.errors += 1;
      this.sampler.fail(error);
      return;
    }
    if (!this.closed) this.sampler.accept(sample);
  }
}
