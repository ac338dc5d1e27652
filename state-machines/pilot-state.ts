// Classifies control-pilot levels into IEC 61851-1 states A–F.
// Bands: reference A1 (chargebyte CPUtils, "based on Table A.4"), with its hysteresis:
// a level in a gap between two bands keeps the earlier state when that state is the higher one.

import type { PilotLevels } from '../hal/interfaces.js';

export type PilotState = 'A' | 'B' | 'C' | 'D' | 'E' | 'F' | 'invalid';

export function classifyPilot(positiveV: number, previous: PilotState): PilotState {
  const v = positiveV;
  if (v > 13) return 'invalid';
  if (v >= 11) return 'A';
  if (v >= 10) return previous === 'A' ? 'A' : 'B';
  if (v >= 8) return 'B';
  if (v >= 7) return previous === 'A' || previous === 'B' ? 'B' : 'C';
  if (v >= 5) return 'C';
  if (v >= 4) return previous === 'A' || previous === 'B' || previous === 'C' ? 'C' : 'D';
  if (v >= 2) return 'D';
  if (v >= -1) return 'E';
  if (v <= -11 && v >= -13) return 'F';
  return 'invalid';
}

/**
 * Reference A2, diode check (chargebyte): at nominal PWM with an EV connected (high level in the
 * B–D bands), a low level that mirrors the high level means the EV has no diode. With no EV
 * (state A, ±12 V) the levels are symmetric by nature and say nothing about a diode.
 */
export function diodeMissing(levels: PilotLevels): boolean {
  if (levels.negativeV === null) return false;
  return levels.positiveV > 2 && levels.positiveV < 10 && Math.abs(levels.positiveV + levels.negativeV) <= 1.2;
}

/** The −12 V low level the EVSE must see at least once before closing the contactor (A2). */
export function diodeVerified(levels: PilotLevels): boolean {
  return levels.negativeV !== null && levels.negativeV <= -11 && levels.positiveV > 2;
}

/** An EV asks for energy in C, or in D when it needs ventilation. */
export function evRequestsEnergy(state: PilotState): boolean {
  return state === 'C' || state === 'D';
}

export function vehicleConnected(state: PilotState): boolean {
  return state === 'B' || state === 'C' || state === 'D';
}
