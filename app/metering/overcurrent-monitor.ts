// An EV drawing more than offered, beyond a tolerance and for longer than a grace time, is
// stopped (reference A5: EVerest (I_PWM + 0.5 A) × 1.10 for 7 s).

import type { MeterReading } from '../../hal/interfaces.js';
import type { FaultReporter } from '../safety/fault-reporter.js';

export interface OvercurrentSettings {
  readonly overcurrentToleranceRatio: number;
  readonly overcurrentMarginA: number;
  readonly overcurrentGraceMs: number;
}

/** An EV is given this long to follow a lower PWM before the lower figure counts (A3: ≤5 s, some EVs 6 s). */
export const EV_FOLLOW_TIME_MS = 6000;

export class OvercurrentMonitor {
  private offeredA = 0;
  private previousOfferedA = 0;
  private offeredChangedAt = 0;
  private overSince: number | null = null;

  constructor(
    private readonly settings: OvercurrentSettings,
    private readonly reporter: FaultReporter,
  ) {}

  /** The current the PWM offers now (0 when no PWM). */
  setOffered(amps: number, at: number): void {
    if (amps === this.offeredA) return;
    this.previousOfferedA = this.offeredA;
    this.offeredA = amps;
    this.offeredChangedAt = at;
  }

  /** The most the EV may draw at `at`, tolerance included. */
  limitAt(at: number): number {
    const following = at - this.offeredChangedAt < EV_FOLLOW_TIME_MS;
    const offered = following ? Math.max(this.offeredA, this.previousOfferedA) : this.offeredA;
    return (offered + this.settings.overcurrentMarginA) * (1 + this.settings.overcurrentToleranceRatio);
  }

  /** Feeds one meter reading taken while the contactor is closed. */
  check(reading: MeterReading, at: number): void {
    const drawnA = Math.max(...reading.phases.map((p) => p.currentA));
    const limitA = this.limitAt(at);
    if (drawnA <= limitA) {
      this.overSince = null;
      return;
    }
    this.overSince ??= at;
    if (at - this.overSince >= this.settings.overcurrentGraceMs) {
      this.overSince = null;
      this.reporter.raise('OverCurrent', { drawnA, limitA, offeredA: this.offeredA, forMs: this.settings.overcurrentGraceMs });
      this.reporter.clear('OverCurrent');
    }
  }

  /** No current flows (contactor open): forget any running excess. */
  reset(): void {
    this.overSince = null;
  }
}
