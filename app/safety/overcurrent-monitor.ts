// An EV drawing more than offered, beyond a tolerance and for longer than a grace time, is
// stopped (reference A5: EVerest (I_PWM + 0.5 A) × 1.10 for 7 s). Every phase counts: the
// most loaded one is compared with the limit.
//
// After a lower offer the EV has EV_FOLLOW_TIME_MS to follow (reference A3); from then on the
// lower offer is enforced with the same tolerance and only LOWERED_OFFER_GRACE_MS of grace, so an
// EV ignoring a lowered PWM is stopped within 10 s of the change (issue 8 item 9): 5 s follow time
// + one meter poll (1 s default, 2 s at most: config/schema.ts) + 2 s grace = 8 s (9 s).

import type { MeterReading } from '../../hal/interfaces.js';
import type { FaultReporter } from './fault-reporter.js';
import { OfferFollow } from '../metering/offer-follow.js';

export interface OvercurrentSettings {
  readonly overcurrentToleranceRatio: number;
  readonly overcurrentMarginA: number;
  readonly overcurrentGraceMs: number;
}

/**
 * Grace after the follow time of a lowered offer: two readings at the default 1 s meter poll, so
 * one reading cannot stop a session, and 5 s + 2 s still lets through the EVs that need about 6 s
 * (reference A3, EVerest PR #762).
 */
export const LOWERED_OFFER_GRACE_MS = 2000;

export class OvercurrentMonitor {
  private readonly offer = new OfferFollow();
  private overSince: number | null = null;

  constructor(
    private readonly settings: OvercurrentSettings,
    private readonly reporter: FaultReporter,
  ) {}

  /** The current the PWM offers now (0 when no PWM). */
  setOffered(amps: number, at: number): void {
    this.offer.set(amps, at);
  }

  /** The most the EV may draw at `at`, tolerance included. */
  limitAt(at: number): number {
    return this.tolerated(this.offer.committedA(at));
  }

  /** Feeds one meter reading taken while the contactor is closed. */
  check(reading: MeterReading, at: number): void {
    const drawnA = Math.max(...reading.phases.map((p) => p.currentA));
    // Within the tolerance of a lowered offer, the EV has followed it: later excess is a steady over-draw.
    this.offer.observe(drawnA, at, this.tolerated(this.offer.offeredA));
    const limitA = this.limitAt(at);
    if (drawnA <= limitA) {
      this.overSince = null;
      return;
    }
    this.overSince ??= at;
    const graceMs = this.offer.overdue(at)
      ? Math.min(LOWERED_OFFER_GRACE_MS, this.settings.overcurrentGraceMs)
      : this.settings.overcurrentGraceMs;
    if (at - this.overSince >= graceMs) {
      this.overSince = null;
      this.reporter.raise('OverCurrent', { drawnA, limitA, offeredA: this.offer.offeredA, forMs: graceMs });
      this.reporter.clear('OverCurrent');
    }
  }

  private tolerated(offeredA: number): number {
    return (offeredA + this.settings.overcurrentMarginA) * (1 + this.settings.overcurrentToleranceRatio);
  }

  /** No current flows (contactor open): forget any running excess. */
  reset(): void {
    this.overSince = null;
  }
}
