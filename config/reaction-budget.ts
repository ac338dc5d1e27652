// The C→B reaction budget of each board: from the EV leaving C to the contactor's main contacts
// open, worst case, added up from the board profile. The config loader refuses a
// safety.pilotDebounceMs that would not fit. docs/reaction-budgets.md has every board's paths.

import type { BoardProfile } from './board-profile-types.js';

/** IEC 61851-1 Table A.6 seq 8.1 (reference A3): the contactor opens within 100 ms of C→B. */
export const C_TO_B_OPEN_LIMIT_MS = 100;
/** Kept free below that limit for what the sum leaves out (timer granularity, a late sample, coil driver): 20 %. */
export const REACTION_MARGIN_MS = 20;
/**
 * From a pilot state accepted to the coil's output written: event-loop turns under load
 * (`make bench`: interlock latency p99 within a few ms; longer stalls are the loop watchdog's).
 */
export const SOFTWARE_REACTION_MS = 10;
/**
 * direct: one pilot sample after its poll is due: two ADS1115 single-shot conversions at 860 SPS
 * (1.2 ms each, TI SBAS444) with their I2C transactions at 100 kHz, behind at most one proximity
 * conversion already on the same chip (hal/i2c/ads1115.ts serialises them).
 */
export const ADS1115_PILOT_SAMPLE_MS = 6;
/** coprocessor: the MCU samples the CP every PWM period, 1 ms at 1 kHz (reference A1: 980–1020 Hz). */
export const COPROCESSOR_PILOT_SAMPLE_MS = 1;
/** coprocessor: CP high level outside C/D this long while energised → the MCU opens by itself (docs/can-coprocessor-protocol.md §7.2). */
export const COPROCESSOR_CP_FILTER_MS = 20;
/** coprocessor: the MCU acts within one cycle (docs/can-coprocessor-protocol.md §7.4). */
export const COPROCESSOR_CYCLE_MS = 10;

/** The worst case from C→B to the main contacts open, part by part (ms). */
export interface CToBPath {
  /** Who opens the contactor on C→B: the app after safety.pilotDebounceMs, or the co-processor by itself. */
  readonly opener: 'app' | 'coprocessor';
  /** The CP change until a sample of it is in. */
  readonly samplingMs: number;
  /** The filter on that path: the app's pilotDebounceMs, or the co-processor's own. */
  readonly debounceMs: number;
  /** Accepted → coil released: the app's event loop, or the co-processor's cycle. */
  readonly reactionMs: number;
  /** Coil released → main contacts open (the board profile's contactor figure). */
  readonly dropOutMs: number;
  readonly totalMs: number;
}

/** The budget every path must fit: the IEC limit less the margin. */
export const C_TO_B_BUDGET_MS = C_TO_B_OPEN_LIMIT_MS - REACTION_MARGIN_MS;

export function cToBPath(profile: BoardProfile, pilotDebounceMs: number): CToBPath {
  const path = (opener: CToBPath['opener'], samplingMs: number, debounceMs: number, reactionMs: number, dropOutMs: number): CToBPath =>
    ({ opener, samplingMs, debounceMs, reactionMs, dropOutMs, totalMs: samplingMs + debounceMs + reactionMs + dropOutMs });
  switch (profile.driver) {
    case 'sim':
      // The simulated pilot reports every change at once.
      return path('app', 0, pilotDebounceMs, SOFTWARE_REACTION_MS, profile.contactorDropOutMs);
    case 'direct': {
      const pollMs = Math.max(...profile.connectors.map((c) => c.pilot.pollMs));
      const dropOutMs = Math.max(...profile.connectors.map((c) => c.contactor.dropOutMs));
      return path('app', pollMs + ADS1115_PILOT_SAMPLE_MS, pilotDebounceMs, SOFTWARE_REACTION_MS, dropOutMs);
    }
    case 'coprocessor': {
      const dropOutMs = Math.max(...profile.connectors.map((c) => c.contactorDropOutMs));
      return path('coprocessor', COPROCESSOR_PILOT_SAMPLE_MS, COPROCESSOR_CP_FILTER_MS, COPROCESSOR_CYCLE_MS, dropOutMs);
    }
  }
}

/** The longest safety.pilotDebounceMs the board's C→B path allows; null when the debounce is not on that path. */
export function maxPilotDebounceMs(profile: BoardProfile): number | null {
  const path = cToBPath(profile, 0);
  return path.opener === 'app' ? C_TO_B_BUDGET_MS - path.totalMs : null;
}
