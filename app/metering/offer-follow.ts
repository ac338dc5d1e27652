// What an EV may still be drawing after its offer (the PWM current) changed. A higher offer
// counts at once; a lower one only once the EV has followed it: seen at or below it by the
// meter, or at the latest EV_FOLLOW_TIME_MS after the change. Used by the over-current monitor
// (which limit to enforce) and by site sharing (whose current is still committed).

/** The EV follows a new PWM within 5 s (IEC 61851-1 Table A.6, reference A3). */
export const EV_FOLLOW_TIME_MS = 5000;

export class OfferFollow {
  private offered = 0;
  private previous = 0;
  private changedAt = Number.NEGATIVE_INFINITY;
  private followed = true;

  /** The current the PWM offers now (0 without PWM). */
  get offeredA(): number {
    return this.offered;
  }

  /** A new offer. One below what the EV may still be drawing (a lowering, even during another) restarts the follow time. */
  set(amps: number, at: number): void {
    if (amps === this.offered) return;
    const committed = this.committedA(at);
    this.offered = amps;
    this.previous = Math.max(amps, committed);
    this.followed = amps >= committed;
    if (!this.followed) this.changedAt = at;
  }

  /**
   * A meter reading taken after the change: drawing no more than the new offer (or than `withinA`,
   * a tolerance above it), the EV has followed it.
   */
  observe(drawnA: number, at: number, withinA: number = this.offered): void {
    if (!this.followed && at >= this.changedAt && drawnA <= withinA) this.followed = true;
  }

  /** The offer was lowered and the EV has not shown it follows, within the follow time. */
  following(at: number): boolean {
    return !this.followed && at - this.changedAt < EV_FOLLOW_TIME_MS;
  }

  /** The offer was lowered, the follow time is over and the EV has not been seen to follow. */
  overdue(at: number): boolean {
    return !this.followed && at - this.changedAt >= EV_FOLLOW_TIME_MS;
  }

  /** When the follow time of the last lowering ends (already past when there is none). */
  get followEndsAt(): number {
    return this.changedAt + EV_FOLLOW_TIME_MS;
  }

  /** The most the EV may be drawing now: the previous, higher offer while it is following. */
  committedA(at: number): number {
    return this.following(at) ? Math.max(this.offered, this.previous) : this.offered;
  }
}
