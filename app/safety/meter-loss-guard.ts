// A meter that stops answering is a fault: no charging without metering (the over-current and
// mains checks read it too). It clears by itself when the meter answers again.

import type { FaultReporter } from './fault-reporter.js';

export class MeterLossGuard {
  private failures = 0;
  private lost = false;

  constructor(
    /** Consecutive failed reads before the meter counts as lost (`safety.meterFailuresBeforeFault`). */
    private readonly failuresBeforeFault: number,
    private readonly reporter: FaultReporter,
  ) {}

  /** Whether the meter counts as lost now. */
  get meterLost(): boolean {
    return this.lost;
  }

  answered(): void {
    this.failures = 0;
    if (!this.lost) return;
    this.lost = false;
    this.reporter.clear('MeterFailure');
  }

  failed(error: unknown): void {
    this.failures += 1;
    if (this.lost || this.failures < this.failuresBeforeFault) return;
    this.lost = true;
    this.reporter.raise('MeterFailure', {
      consecutiveFailures: this.failures,
      error: error instanceof Error ? error.message : String(error),
    });
  }
}
