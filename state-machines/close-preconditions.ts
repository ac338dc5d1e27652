// Every condition for closing a contactor, in one place. The charging-point machine's guard
// reads them from its context; the contactor gate reads them from the hardware at the instant of
// closing (defence in depth). Both call `closeBlockers`, so the two lists cannot drift apart.
// The technician's "why isn't it charging?" reads the same list.

import type { PilotState } from './pilot-state.js';
import { evRequestsEnergy } from './pilot-state.js';
import { MIN_PWM_CURRENT_A } from './pwm.js';

/**
 * After the contactor opened, it stays open at least this long (ms). A pilot that chatters
 * (a 9 V glitch just past the debounce) would otherwise open and re-close it within tens of
 * milliseconds, arcing the contacts and stressing the EV. 2 s is the longest wait that still
 * closes within IEC 61851-1 Table A.6 seq 4 (close ≤ 3 s after B2→C2, reference A3) with
 * the contactor's own close time (`contactorCloseTimeoutMs`, 500 ms by default) on top.
 */
export const MIN_CONTACTOR_OFF_TIME_MS = 2000;

export interface CloseConditions {
  /** The debounced pilot state. */
  readonly pilot: PilotState;
  readonly ventilationAvailable: boolean;
  readonly authorized: boolean;
  readonly cableRatingA: number | null;
  /** A socket must have its plug locked; a tethered cable has no lock. */
  readonly lockRequired: boolean;
  readonly lockConfirmed: boolean;
  /** Any fault active (connector or station). */
  readonly faultActive: boolean;
  /** The residual-current module signals a trip now. */
  readonly rcdTripped: boolean;
  readonly rcdSelfTestPassed: boolean;
  /** The EV's diode was seen on the PWM's low level since it was plugged in (IEC 61851-1 A.2.3, reference A2). */
  readonly diodeVerified: boolean;
  readonly allowedCurrentA: number;
  /**
   * The energy meter has answered since the connector started: a session's meterStart is a
   * reading of the register, so no energy flows before there is one to bill from.
   */
  readonly meterReady: boolean;
  /** At least MIN_CONTACTOR_OFF_TIME_MS have passed since the last open. */
  readonly offTimeElapsed: boolean;
}

export type CloseBlocker =
  | 'evNotRequesting'
  | 'ventilationMissing'
  | 'notAuthorized'
  | 'cableUnknown'
  | 'lockNotConfirmed'
  | 'faultActive'
  | 'rcdTripped'
  | 'rcdSelfTestNotPassed'
  | 'diodeNotSeen'
  | 'currentBelowMinimum'
  | 'meterNotReady'
  | 'minimumOffTime';

/** What forbids closing now, in the order a technician would check it; empty when closing is safe. */
export function closeBlockers(c: CloseConditions): CloseBlocker[] {
  const blockers: CloseBlocker[] = [];
  if (!evRequestsEnergy(c.pilot)) blockers.push('evNotRequesting');
  // IEC 61851-1 A.4: state D only where the site is ventilated.
  else if (c.pilot === 'D' && !c.ventilationAvailable) blockers.push('ventilationMissing');
  if (!c.authorized) blockers.push('notAuthorized');
  if (c.cableRatingA === null) blockers.push('cableUnknown');
  if (c.lockRequired && !c.lockConfirmed) blockers.push('lockNotConfirmed');
  if (c.faultActive) blockers.push('faultActive');
  if (c.rcdTripped) blockers.push('rcdTripped');
  if (!c.rcdSelfTestPassed) blockers.push('rcdSelfTestNotPassed');
  if (!c.diodeVerified) blockers.push('diodeNotSeen');
  if (!(c.allowedCurrentA >= MIN_PWM_CURRENT_A)) blockers.push('currentBelowMinimum');
  if (!c.meterReady) blockers.push('meterNotReady');
  if (!c.offTimeElapsed) blockers.push('minimumOffTime');
  return blockers;
}
