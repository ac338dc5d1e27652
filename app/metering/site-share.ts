// Shares the site's supply limit (per phase) between the connectors with an open session, evenly,
// so that the currents the connectors may carry never add up to more than the limit at any
// instant, whatever the PWM pacing.
//
// What a connector may carry is what its PWM offers, or, after a lower offer, the previous offer
// until its EV has followed (OfferFollow: seen at or below the new offer by the meter, or the 5 s
// follow time of IEC 61851-1 Table A.6 is over, reference A3). So a new session first lowers the
// others and is raised only from the capacity they have actually given back.

import type { Clock, TimerHandle } from '../../hal/clock.js';
import type { Contactor, MeterReading } from '../../hal/interfaces.js';
import type { ChargingPointContext } from '../../state-machines/charging-point.js';
import { MIN_PWM_CURRENT_A } from '../../state-machines/pwm.js';
import { OfferFollow } from './offer-follow.js';

/** What site sharing reads from a connector and tells it (app/connector/connector.ts fits). */
export interface SharedConnector {
  readonly id: number;
  /** The machine's view: the PWM on or off, what it offers, and what it will offer next without a new limit. */
  readonly context: Pick<ChargingPointContext, 'pwmOn' | 'offeredCurrentA' | 'allowedCurrentA'>;
  readonly hardware: { readonly contactor: Pick<Contactor, 'commanded' | 'readFeedback'> };
  setSiteShare(amps: number): void;
}

export class SiteShare {
  private readonly follows = new Map<number, OfferFollow>();
  private readonly shares = new Map<number, number>();
  private followTimer: TimerHandle | null = null;
  private updating = false;
  private again = false;

  /**
   * @param inSession whether a connector has an open session; true from the moment its session
   *   starts (while its machine is still entering it), which is when its PWM may come on.
   */
  constructor(
    private readonly siteLimitA: number,
    private readonly clock: Clock,
    private readonly connectors: readonly SharedConnector[],
    private readonly inSession: (connectorId: number) => boolean,
  ) {
    for (const connector of connectors) this.follows.set(connector.id, new OfferFollow());
  }

  /** A meter reading of a connector: its EV may be seen to have followed a lower offer. */
  observe(connectorId: number, reading: MeterReading, at: number): void {
    this.follows.get(connectorId)?.observe(Math.max(...reading.phases.map((p) => p.currentA)), at);
    this.update();
  }

  /** Recomputes every connector's share; call after a session starts or stops and after any PWM change. */
  update(): void {
    if (this.updating) {
      // A share given below made a machine change, which calls back here: run again once this one is done.
      this.again = true;
      return;
    }
    this.updating = true;
    try {
      do {
        this.again = false;
        this.allocate();
      } while (this.again);
    } finally {
      this.updating = false;
    }
  }

  dispose(): void {
    if (this.followTimer !== null) this.clock.clearTimeout(this.followTimer);
    this.followTimer = null;
  }

  private allocate(): void {
    const now = this.clock.now();
    const entries = this.connectors.map((connector) => {
      const follow = this.follows.get(connector.id)!;
      const { pwmOn, offeredCurrentA, allowedCurrentA } = connector.context;
      follow.set(pwmOn ? offeredCurrentA : 0, now);
      const contactor = connector.hardware.contactor;
      // Open contacts carry nothing, whatever the EV was last told.
      if (contactor.commanded === 'open' && contactor.readFeedback() === 'open') follow.observe(0, now);
      const session = this.inSession(connector.id);
      // A session's machine may still put its PWM at the limit it knows (a session starting now does).
      const heldA = session ? Math.max(follow.committedA(now), allowedCurrentA) : follow.committedA(now);
      return { connector, session, heldA };
    });
    let freeA = this.siteLimitA - entries.reduce((sum, e) => sum + e.heldA, 0);
    const sessions = entries.filter((e) => e.session);
    const targetA = this.siteLimitA / Math.max(1, sessions.length);
    const shares = new Map<number, number>();
    for (const e of sessions) {
      // Never above the even share; above what it holds only from capacity nobody holds.
      const shareA = signalable(Math.min(targetA, e.heldA + Math.max(0, freeA)));
      if (shareA > e.heldA) freeA -= shareA - e.heldA;
      shares.set(e.connector.id, shareA);
    }
    // Without a session a connector offers nothing; its share is what it may offer when one starts
    // (what it holds itself, from a session just ended, is its own to reuse). Not held: sessions
    // start one at a time, and each start recomputes the shares before any other can.
    for (const e of entries) {
      if (!e.session) shares.set(e.connector.id, signalable(Math.min(this.siteLimitA / (sessions.length + 1), Math.max(0, freeA + e.heldA))));
    }

    for (const { connector } of entries) {
      const shareA = shares.get(connector.id)!;
      if (this.shares.get(connector.id) === shareA) continue;
      this.shares.set(connector.id, shareA);
      connector.setSiteShare(shareA);
    }
    this.wakeAtFollowEnd(now);
  }

  /** Capacity comes back when a follow time ends even without a meter reading: recompute then. */
  private wakeAtFollowEnd(now: number): void {
    if (this.followTimer !== null) this.clock.clearTimeout(this.followTimer);
    this.followTimer = null;
    const ends = [...this.follows.values()].filter((f) => f.following(now)).map((f) => f.followEndsAt);
    if (ends.length === 0) return;
    this.followTimer = this.clock.setTimeout(() => {
      this.followTimer = null;
      this.update();
    }, Math.min(...ends) - now);
  }
}

/** A share the PWM cannot signal (below 6 A, reference A2) is no share: the connector waits without PWM. */
function signalable(amps: number): number {
  return amps >= MIN_PWM_CURRENT_A ? amps : 0;
}
