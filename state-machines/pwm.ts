// Control-pilot PWM duty cycle for an offered current (IEC 61851-1 Annex A, Table A.7).
// Reference A2: 6–51 A → duty = I / 0.6; 51–80 A → duty = I / 2.5 + 64.

export const MIN_PWM_CURRENT_A = 6;
export const MAX_PWM_CURRENT_A = 80;
/** 51–52.5 A has no duty cycle in the standard; EVerest clamps it to 51 A and so do we. */
const LOW_RANGE_MAX_A = 51;
const HIGH_RANGE_MIN_A = 52.5;
/** Amperes per duty-cycle percent below 85 % (reference A2, IEC 61851-1 Table A.7: duty = I / 0.6). */
const LOW_RANGE_A_PER_PERCENT = 0.6;
/** Amperes per duty-cycle percent from 85 % (reference A2, IEC 61851-1 Table A.7: duty = I / 2.5 + 64). */
const HIGH_RANGE_A_PER_PERCENT = 2.5;
const HIGH_RANGE_OFFSET_PERCENT = 64;
/** The duty cycle is signalled in steps of 0.1 %. */
const DUTY_STEPS_PER_PERCENT = 10;

export class CurrentBelowMinimumError extends RangeError {
  constructor(readonly amps: number) {
    super(`cannot signal ${amps} A: IEC 61851 PWM starts at ${MIN_PWM_CURRENT_A} A`);
  }
}

/**
 * Duty cycle in percent (one decimal) for `amps`; currents above 80 A are capped at 80 A.
 * Rounded down to the 0.1 % step, which in both ranges is toward the lower current: the EV never
 * reads more than `amps` (13 A → 21.6 %, read as 12.96 A; rounding to nearest gave 21.7 % = 13.02 A).
 */
export function dutyCycleForCurrent(amps: number): number {
  if (!Number.isFinite(amps) || amps < MIN_PWM_CURRENT_A) throw new CurrentBelowMinimumError(amps);
  let current = Math.min(amps, MAX_PWM_CURRENT_A);
  if (current > LOW_RANGE_MAX_A && current < HIGH_RANGE_MIN_A) current = LOW_RANGE_MAX_A;
  // In tenths of a percent, so that whole amperes divide exactly (13 A → 216.67 tenths).
  const tenths = current <= LOW_RANGE_MAX_A
    ? (current * DUTY_STEPS_PER_PERCENT) / LOW_RANGE_A_PER_PERCENT
    : (current * DUTY_STEPS_PER_PERCENT) / HIGH_RANGE_A_PER_PERCENT + HIGH_RANGE_OFFSET_PERCENT * DUTY_STEPS_PER_PERCENT;
  return Math.floor(tenths) / DUTY_STEPS_PER_PERCENT;
}

/** The current an EV reads from a duty cycle (reference A2, "EV side"); 0 means "do not charge". */
export function currentForDutyCycle(dutyPercent: number): number {
  if (dutyPercent < 8) return 0;
  if (dutyPercent <= 85) return dutyPercent * 0.6;
  if (dutyPercent <= 96) return (dutyPercent - 64) * 2.5;
  if (dutyPercent < 97) return 80;
  return 0;
}
