// The simulated faults as a runtime list. SimFaultName is only a type in
// hal/sim/simulation-control.ts; this list is checked against it at compile time.

import type { SimFaultName } from '../../hal/sim/simulation-control.js';

const LIST = [
  'contactorWelded',
  'contactorWontClose',
  'rcdTripAc',
  'rcdTripDc',
  'rcdSelfTestFail',
  'overTemperature',
  'peLoss',
  'cpShortToGround',
  'diodeMissing',
  'lockFailure',
  'meterCommLoss',
  'evOverdraw',
  'emergencyStop',
  'cpGlitch',
] as const satisfies readonly SimFaultName[];

/** Fails to compile if a SimFaultName is missing from LIST. */
type AssertNever<T extends never> = T;
export type SimFaultNamesAreExhaustive = AssertNever<Exclude<SimFaultName, (typeof LIST)[number]>>;

export const SIM_FAULT_NAMES: readonly SimFaultName[] = LIST;

export function isSimFaultName(value: unknown): value is SimFaultName {
  return typeof value === 'string' && (SIM_FAULT_NAMES as readonly string[]).includes(value);
}
