// Value lists the config schema declares and the rules across fields (./load-config.ts) name in
// their messages: one list for both.

import type { CableRatingA } from '../hal/interfaces.js';

/** Ratings a tethered cable may have (IEC 61851-1 proximity pilot ratings). */
export const CABLE_RATINGS_A = [13, 20, 32, 63] as const satisfies readonly CableRatingA[];
