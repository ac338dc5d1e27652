// Control-pilot electrics (reference A1, A2): the EVSE's ±12 V generator behind 1 kΩ,
// loaded by the EV's diode and resistors. Pure functions, no state.

import type { PilotLevels, PilotOutput } from '../interfaces.js';
import type { EvPilotState } from './simulation-control.js';

export const GENERATOR_V = 12;
/** A1: generator source resistance, nominal 1 kΩ (970–1030 Ω). */
export const SOURCE_OHMS = 1000;

const R2_OHMS = 2740; // A1: R2 2.74 kΩ (state B)
const R3_OHMS = 1300; // A1: R3 1.3 kΩ, switched in parallel by the EV for C
const R_D_OHMS = 240; // A1: ≈240 Ω (state D, ventilation)

/** EV-side load between CP and PE in each state (behind the diode). */
export const EV_LOAD_OHMS: Readonly<Record<EvPilotState, number>> = {
  A: Number.POSITIVE_INFINITY,
  B: R2_OHMS,
  C: (R2_OHMS * R3_OHMS) / (R2_OHMS + R3_OHMS), // ≈882 Ω
  D: R_D_OHMS,
};

/** Voltage divider: the generator's level across the EV load. */
export function dividedLevel(generatorV: number, loadOhms: number): number {
  if (loadOhms === Number.POSITIVE_INFINITY) return generatorV;
  return (generatorV * loadOhms) / (loadOhms + SOURCE_OHMS);
}

/** Everything on the CP wire that decides what the EVSE measures. */
export interface PilotLine {
  output: PilotOutput;
  /** EV load CP→PE; Infinity when no EV (or its return is lost). */
  loadOhms: number;
  /** The EV's diode blocks the negative half, so the low level stays at −12 V. */
  diode: boolean;
  shortedToGround: boolean;
  /** A transient disturbance: the CP reads this level; null when none. */
  glitchV: number | null;
}

/** What the EVSE's CP measurement reads for this line. */
export function measurePilot(line: PilotLine): PilotLevels {
  const pwm = line.output.mode === 'pwm';
  if (line.glitchV !== null) return { positiveV: line.glitchV, negativeV: pwm ? line.glitchV : null };
  // A1 state E: CP shorted to PE pulls both halves to 0 V.
  if (line.shortedToGround) return { positiveV: 0, negativeV: pwm ? 0 : null };
  // A1 state F: steady −12 V driven by the EVSE; the diode does not conduct backwards into R2.
  if (line.output.mode === 'error') return { positiveV: -GENERATOR_V, negativeV: null };
  const positiveV = dividedLevel(GENERATOR_V, line.loadOhms);
  if (!pwm) return { positiveV, negativeV: null };
  // A2 diode check: without the diode the load also divides the negative half (symmetric levels).
  return { positiveV, negativeV: line.diode ? -GENERATOR_V : -positiveV };
}

/**
 * The current an EV reads from the duty cycle (A2 "EV side", YetiSimulator):
 * <8 % → 0; 8–85 % → d×0.6; 85–96 % → (d−64)×2.5; 96–97 % → 80 A; ≥97 % → 0.
 * Rounded to 0.01 A so duties computed as I/0.6 decode back to I exactly.
 */
export function evCurrentFromDuty(dutyPercent: number): number {
  let amps: number;
  if (!(dutyPercent >= 8) || dutyPercent >= 97) amps = 0;
  else if (dutyPercent <= 85) amps = dutyPercent * 0.6;
  else if (dutyPercent <= 96) amps = (dutyPercent - 64) * 2.5;
  else amps = 80;
  return Math.round(amps * 100) / 100;
}
