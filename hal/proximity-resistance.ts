// Proximity pilot (PP–PE resistor in the cable plug) → cable current rating.
// Pure mapping, shared by the simulated board and real ADC drivers (reference A4).

import type { CableRatingA, ProximityReading } from './interfaces.js';

/** Nominal PP resistor per cable rating (A4, IEC 61851-1 Annex B). */
export const NOMINAL_PROXIMITY_OHMS: Readonly<Record<CableRatingA, number>> = {
  13: 1500,
  20: 680,
  32: 220,
  63: 100,
};

/** Accepted ranges (A4, "Accepted range (EVerest guide)"), lowest resistance (highest rating) first. */
export const PROXIMITY_RANGES: readonly { readonly ratingA: CableRatingA; readonly minOhms: number; readonly maxOhms: number }[] = [
  { ratingA: 63, minOhms: 80, maxOhms: 140 },
  { ratingA: 32, minOhms: 164, maxOhms: 308 },
  { ratingA: 20, minOhms: 400, maxOhms: 936 },
  { ratingA: 13, minOhms: 1100, maxOhms: 2460 },
];

/** A4: below 60 Ω or above 4.5 kΩ the coding is an error. */
export const PROXIMITY_MIN_VALID_OHMS = 60;
export const PROXIMITY_MAX_VALID_OHMS = 4500;

const NO_CABLE: ProximityReading = Object.freeze({ kind: 'noCable' });

/**
 * Classifies a measured PP–PE resistance. Infinity (open circuit) means no cable.
 * A value in a gap between two ranges gets the lower rating, i.e. the range above it in
 * resistance (A4). Hence 2460–4500 Ω reads 13 A, and 60–80 Ω (inside the valid bounds,
 * just below the 63 A range) reads 63 A.
 */
export function proximityFromResistance(ohms: number): ProximityReading {
  if (ohms === Number.POSITIVE_INFINITY) return NO_CABLE;
  if (!(ohms >= PROXIMITY_MIN_VALID_OHMS && ohms <= PROXIMITY_MAX_VALID_OHMS)) return { kind: 'invalid', ohms };
  // The first range (by rising resistance) whose upper bound is not below the value is
  // either the range the value is in or, from a gap, its lower-rated neighbour.
  for (const range of PROXIMITY_RANGES) {
    if (ohms <= range.maxOhms) return { kind: 'cable', ratingA: range.ratingA, ohms };
  }
  return { kind: 'cable', ratingA: 13, ohms };
}
