// The EV behind the cable: its pilot resistors (state B/C/D), its reading of the PWM
// (reference A2 "EV side"), its on-board charger's current and its battery.

import type { TimerHandle } from '../clock.js';
import { evCurrentFromDuty } from './pilot-physics.js';
import type { SimTimers } from './sim-timers.js';
import { OVERDRAW_PHASES, type EvParameters, type OverdrawPhase } from './simulation-control.js';

export const DEFAULT_EV_PARAMETERS: EvParameters = Object.freeze({
  phases: 3,
  maxCurrentA: 32,
  batteryCapacityWh: 60000,
  socPercent: 20,
  targetSocPercent: 100,
  followDelayMs: 2000,
  ignorePwm: false,
  requestsVentilation: false,
  hasDiode: true,
  overdrawA: 0,
  overdrawPhase: 'all',
  wakeDelayMs: 1000,
});

/** What the EV perceives on its CP: the EVSE's output, or nothing usable (short, lost return). */
export type EvPilotSignal = 'high' | 'pwm' | 'error' | 'lost';

export interface VirtualEvHooks {
  /** Before anything that may change the EV's draw or pilot state (lets the owner integrate energy up to now). */
  willChange(): void;
  /** After such a change: the pilot load and the draw may differ. */
  changed(): void;
}

/** A2: the EVSE offers at least 6 A for the EV to charge. */
const MIN_CHARGE_CURRENT_A = 6;
/** A3 seq 10.1: after the PWM is removed the EV goes to B within 3 s. */
const MAX_PWM_REMOVED_TO_B_MS = 3000;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Known keys only; undefined values (absent optional fields) leave the current value. */
function mergeParameters(base: EvParameters, changes: Partial<EvParameters>): Mutable<EvParameters> {
  const merged: Mutable<EvParameters> = { ...base };
  const target = merged as unknown as Record<string, unknown>;
  for (const key of Object.keys(DEFAULT_EV_PARAMETERS)) {
    const value = (changes as Record<string, unknown>)[key];
    if (value !== undefined) target[key] = value;
  }
  checkParameters(merged);
  return merged;
}

function checkParameters(p: EvParameters): void {
  const fail = (what: string): never => {
    throw new Error(`invalid EV parameter: ${what}`);
  };
  if (p.phases !== 1 && p.phases !== 3) fail('phases must be 1 or 3');
  const nonNegative = ['maxCurrentA', 'followDelayMs', 'overdrawA', 'wakeDelayMs'] as const;
  for (const key of nonNegative) if (!(Number.isFinite(p[key]) && p[key] >= 0)) fail(`${key} must be a number ≥ 0`);
  if (!(Number.isFinite(p.batteryCapacityWh) && p.batteryCapacityWh > 0)) fail('batteryCapacityWh must be > 0');
  for (const key of ['socPercent', 'targetSocPercent'] as const) {
    if (!(p[key] >= 0 && p[key] <= 100)) fail(`${key} must be within 0–100`);
  }
  if (!OVERDRAW_PHASES.includes(p.overdrawPhase)) fail(`overdrawPhase must be one of ${OVERDRAW_PHASES.join(', ')}`);
  for (const key of ['ignorePwm', 'requestsVentilation', 'hasDiode'] as const) {
    if (typeof p[key] !== 'boolean') fail(`${key} must be a boolean`);
  }
}

export class VirtualEv {
  private readonly p: Mutable<EvParameters>;
  private pilotState: 'B' | 'C' | 'D' = 'B';
  private paused = false;
  private signal: EvPilotSignal = 'high';
  /** Current decoded from the PWM now. */
  private offeredA = 0;
  /** The limit the on-board charger applies (lags the offer by followDelayMs). */
  private followedA = 0;
  /** evOverdraw fault: replaces the overdrawA and overdrawPhase parameters while set. */
  private overdrawFault: { readonly amps: number; readonly phase: OverdrawPhase } | null = null;
  private wakeTimer: TimerHandle | undefined;
  private dropTimer: TimerHandle | undefined;
  private readonly followTimers = new Set<TimerHandle>();

  constructor(
    private readonly timers: SimTimers,
    private readonly hooks: VirtualEvHooks,
    parameters: Partial<EvParameters> = {},
  ) {
    this.p = mergeParameters(DEFAULT_EV_PARAMETERS, parameters);
  }

  get state(): 'B' | 'C' | 'D' {
    return this.pilotState;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  get phases(): 1 | 3 {
    return this.p.phases;
  }

  get hasDiode(): boolean {
    return this.p.hasDiode;
  }

  parameters(): EvParameters {
    return { ...this.p };
  }

  /** Current the on-board charger draws on a phase (0 = L1) when the contacts are closed. */
  demandA(phase: number): number {
    if (this.pilotState === 'B') return 0;
    const base = this.p.ignorePwm ? this.p.maxCurrentA : Math.min(this.p.maxCurrentA, this.followedA);
    if (base <= 0) return 0;
    const { amps, phase: overdrawn } = this.overdrawFault ?? { amps: this.p.overdrawA, phase: this.p.overdrawPhase };
    return overdrawn === 'all' || overdrawn === phase + 1 ? base + amps : base;
  }

  /** The EVSE's pilot output as this EV sees it; duty only matters for 'pwm'. */
  seePilot(signal: EvPilotSignal, dutyPercent: number): void {
    this.hooks.willChange();
    const offered = signal === 'pwm' ? evCurrentFromDuty(dutyPercent) : 0;
    const offerChanged = offered !== this.offeredA;
    this.signal = signal;
    this.offeredA = offered;
    if (signal === 'error' || signal === 'lost') {
      // State F (or no usable pilot): stop at once, back to B.
      this.stopAsking();
    } else if (signal === 'high') {
      this.wakeTimer = this.timers.cancel(this.wakeTimer);
      this.clearFollows();
      // Seq 10.1: current to 0 now, B within 3 s. An EV ignoring the PWM ignores its removal too.
      if (this.charging && !this.p.ignorePwm && this.dropTimer === undefined) {
        this.followedA = 0;
        this.dropTimer = this.timers.after(Math.min(this.p.followDelayMs, MAX_PWM_REMOVED_TO_B_MS), () => {
          this.dropTimer = undefined;
          this.hooks.willChange();
          if (this.charging && this.signal !== 'pwm') this.stopAsking();
          this.hooks.changed();
        });
      }
    } else {
      this.dropTimer = this.timers.cancel(this.dropTimer);
      if (this.charging) {
        if (offerChanged) this.follow(offered);
      } else {
        this.updateWake();
      }
    }
    this.hooks.changed();
  }

  setParameters(parameters: Partial<EvParameters>): void {
    const next = mergeParameters(this.p, parameters);
    this.hooks.willChange();
    Object.assign(this.p, next);
    if (this.charging) {
      if (this.wantsPower) this.pilotState = this.chargingState;
      else this.stopAsking();
    } else {
      this.updateWake();
    }
    this.hooks.changed();
  }

  pause(): void {
    this.hooks.willChange();
    this.paused = true;
    this.stopAsking();
    this.hooks.changed();
  }

  /** Asks again at once if the PWM allows it. */
  resume(): void {
    this.hooks.willChange();
    this.paused = false;
    if (!this.charging && this.mayCharge) this.startCharging();
    this.hooks.changed();
  }

  setOverdrawFault(fault: { readonly amps: number; readonly phase: OverdrawPhase } | null): void {
    this.hooks.willChange();
    this.overdrawFault = fault;
    this.hooks.changed();
  }

  /** Energy delivered into the battery (called by the owner's integration). */
  addEnergy(wh: number): void {
    this.p.socPercent = Math.min(100, this.p.socPercent + (wh / this.p.batteryCapacityWh) * 100);
  }

  /** Physics tick: a full battery stops asking (stays in B, does not re-ask). */
  checkBattery(): void {
    if (!this.charging || this.wantsPower) return;
    this.hooks.willChange();
    this.stopAsking();
    this.hooks.changed();
  }

  dispose(): void {
    this.wakeTimer = this.timers.cancel(this.wakeTimer);
    this.dropTimer = this.timers.cancel(this.dropTimer);
    this.clearFollows();
  }

  private get charging(): boolean {
    return this.pilotState !== 'B';
  }

  private get wantsPower(): boolean {
    return !this.paused && this.p.socPercent < this.p.targetSocPercent;
  }

  private get mayCharge(): boolean {
    return this.signal === 'pwm' && this.offeredA >= MIN_CHARGE_CURRENT_A && this.wantsPower;
  }

  private get chargingState(): 'C' | 'D' {
    return this.p.requestsVentilation ? 'D' : 'C';
  }

  private startCharging(): void {
    this.wakeTimer = this.timers.cancel(this.wakeTimer);
    this.clearFollows();
    this.followedA = this.offeredA;
    this.pilotState = this.chargingState;
  }

  private stopAsking(): void {
    this.wakeTimer = this.timers.cancel(this.wakeTimer);
    this.dropTimer = this.timers.cancel(this.dropTimer);
    this.clearFollows();
    this.followedA = 0;
    this.pilotState = 'B';
  }

  /** In B: start (or keep, or drop) the wake-up countdown from seeing a usable PWM to asking (B→C). */
  private updateWake(): void {
    if (!this.mayCharge) {
      this.wakeTimer = this.timers.cancel(this.wakeTimer);
      return;
    }
    if (this.wakeTimer !== undefined) return;
    this.wakeTimer = this.timers.after(this.p.wakeDelayMs, () => {
      this.wakeTimer = undefined;
      this.hooks.willChange();
      if (!this.charging && this.mayCharge) this.startCharging();
      this.hooks.changed();
    });
  }

  /** The on-board charger applies each new limit followDelayMs after it was offered (A3: EV follows ≤5 s). */
  private follow(amps: number): void {
    const handle = this.timers.after(this.p.followDelayMs, () => {
      this.followTimers.delete(handle as TimerHandle);
      this.hooks.willChange();
      if (this.charging) this.followedA = amps;
      this.hooks.changed();
    });
    if (handle !== undefined) this.followTimers.add(handle);
  }

  private clearFollows(): void {
    for (const handle of this.followTimers) this.timers.cancel(handle);
    this.followTimers.clear();
  }
}
