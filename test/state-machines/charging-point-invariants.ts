// Safety invariants of the charging point, checked against what the test told the machine
// (the physical truth: pilot, faults, lock feedback, diode, self-test, cable, limit) and against
// the I/O the machine issued, call by call: what must never happen, and what must (state F after
// a fault, the plug released or kept locked by the rules, the PWM at the allowed current, the
// OCPP status of every state).

import { strict as assert } from 'node:assert';
import type { ChargingPointEvent, ChargingPointInput } from '../../state-machines/charging-point.js';
import type { SessionStopReason } from '../../app/records.js';
import type { PilotState } from '../../state-machines/pilot-state.js';
import { formatCall, type ActorClock, type IoCall, type Rig } from './charging-point-rig.js';
import { dutyCycleForCurrent } from '../../state-machines/pwm.js';
import { ocppStatusOf, type ChargePointStatus } from '../../state-machines/charging-point-view.js';
import { VirtualClock } from '../../hal/clock.js';

/** What the world looks like, from the events sent so far (never from the machine's context). */
interface Environment {
  pilot: PilotState;
  blocked: boolean;
  blockingStateF: boolean;
  blockingReason: SessionStopReason;
  lastStopReason: SessionStopReason;
  operative: boolean;
  /** The event being handled is a STOP (its reason wins, even with no EV). */
  stopping: boolean;
  /** The last LIMIT sent (A). */
  limitA: number;
  /** The lock's last feedback since the EV was last unplugged. */
  locked: boolean;
  /** The −12 V diode level was seen since the EV was last unplugged. */
  diodeSeen: boolean;
  selfTestPassed: boolean;
  /** The energy meter has answered (METER_READY): the session's meterStart is a reading. */
  meterReady: boolean;
  /** The last CABLE rating sent (a tethered cable's own rating never goes). */
  cableA: number | null;
  unlockOnUnplug: boolean;
  /** A STOP was sent since the contactor last closed (energized.stopping is then Finishing, else SuspendedEVSE). */
  stopSinceClose: boolean;
  /** Until when the CP must show state F: set when a block with state F begins. */
  stateFUntil: number | null;
  /** An emergency stop hit a connected EV: no free session until an unplug or a card. */
  awaitingDriver: boolean;
}

/**
 * OCPP 1.6 §7.7 status of every steady state of the point region (§4.9 and the README's
 * "StatusNotification" row): written out, so a state that maps to the wrong status, or a new
 * state without a status, fails. Inoperative (ChangeAvailability) and fault states are handled
 * before this table.
 */
const EXPECTED_STATUS: Readonly<Record<string, ChargePointStatus | 'stopping'>> = {
  'idle.vacant': 'Available',
  'idle.authorizedAwaitingPlug': 'Preparing',
  'connected.awaitingAuthorization': 'Preparing',
  'connected.session.preparing': 'Preparing',
  'connected.session.offering': 'SuspendedEV',
  'connected.session.energized.charging': 'Charging',
  /** Finishing when stopped (card, backend), SuspendedEVSE when paused for want of current. */
  'connected.session.energized.stopping': 'stopping',
  'connected.session.suspendedEV': 'SuspendedEV',
  'connected.session.suspendedEVSE.holding': 'SuspendedEVSE',
  'connected.session.suspendedEVSE.resumable': 'SuspendedEVSE',
  'connected.session.evDisconnected': 'SuspendedEV',
  'connected.finishing': 'Finishing',
  'fault.signalling': 'Faulted',
  'fault.holding': 'Faulted',
};

/** The contactor's minimum off time after an open (project figure, state-machines/close-preconditions.ts). */
const MIN_CONTACTOR_OFF_MS = 2000;

/** IEC 61851-1 Table A.7 (reference A2): duty % = I / 0.6 for 6–51 A, I / 2.5 + 64 for 51–80 A. */
function tableA7DutyPercent(amps: number): number {
  return amps <= 51 ? amps / 0.6 : amps / 2.5 + 64;
}

export class InvariantChecker {
  private readonly env: Environment;
  private checked = 0;
  private sessionOpen = false;
  private contactorClosed = false;
  private pilotOutput: 'high' | 'pwm' | 'error' = 'high';
  /** When the machine last opened a closed contactor. */
  private openedAt = Number.NEGATIVE_INFINITY;
  /** The amps of the last PWM the machine set, and when. */
  private pwm: { amps: number; at: number } | null = null;
  /** What the machine last told the lock to do (a socket's plug is free until first locked). */
  private lockCommand: 'locked' | 'released' = 'released';
  /** The event of the step being checked. */
  private stepEvent: { type: string } = { type: 'xstate.init' };
  /** The block began with this step. */
  private blockBegan = false;
  /** The open session was stopped at the charger (card, backend): its end releases the plug whatever the unplug rule. */
  private sessionStopped = false;
  /** The events so far, for failure messages. */
  private readonly trail: string[] = [];

  constructor(private readonly rig: Rig<ActorClock>, private readonly input: ChargingPointInput) {
    this.env = {
      pilot: 'A', blocked: false, blockingStateF: false, blockingReason: 'Other', lastStopReason: 'Local', operative: true,
      stopping: false, limitA: 0, locked: false, diodeSeen: false, selfTestPassed: false, meterReady: false,
      cableA: input.kind === 'tethered' ? input.tetheredCableRatingA : null, unlockOnUnplug: true, stopSinceClose: false,
      stateFUntil: null,
      awaitingDriver: false,
    };
  }

  /** Call before sending an event to the machine. */
  observe(event: ChargingPointEvent | { type: string }): void {
    this.trail.push(JSON.stringify(event));
    this.stepEvent = event;
    const e = event as ChargingPointEvent;
    const env = this.env;
    this.blockBegan = e.type === 'FAULTS' && e.blocking && !env.blocked;
    if (e.type === 'PILOT') {
      env.pilot = e.state;
      if (e.state === 'A') env.awaitingDriver = false;
      // Unplugged: the next EV must be locked in and show its diode again.
      if (e.state === 'A') Object.assign(env, { locked: false, diodeSeen: false });
    }
    // The step clock fires timers in the graph's order, not the clock's: there the F timer's own event ends F.
    if (e.type.startsWith('xstate.after.stateFDuration.')) env.stateFUntil = null;
    if (e.type === 'FAULTS') {
      if (this.blockBegan) env.stateFUntil = e.stateF ? this.rig.clock.now() + this.input.stateFDurationMs : null;
      if (!e.blocking) env.stateFUntil = null;
      Object.assign(env, { blocked: e.blocking, blockingStateF: e.stateF, blockingReason: e.reason });
      if (e.blocking && e.reason === 'EmergencyStop' && env.pilot !== 'A') env.awaitingDriver = true;
    }
    if (e.type === 'AUTHORIZED') env.awaitingDriver = false;
    if (e.type === 'STOP') Object.assign(env, { lastStopReason: e.reason, stopSinceClose: true });
    if (e.type === 'STOP' && this.sessionOpen) this.sessionStopped = true;
    if (e.type === 'OPERATIVE') env.operative = e.operative;
    if (e.type === 'LIMIT') env.limitA = e.amps;
    if (e.type === 'LOCK') env.locked = e.locked;
    if (e.type === 'DIODE_VERIFIED') env.diodeSeen = true;
    if (e.type === 'SELF_TEST') env.selfTestPassed = e.passed;
    if (e.type === 'METER_READY') env.meterReady = true;
    if (e.type === 'CABLE' && this.input.kind === 'socket') env.cableA = e.ratingA;
    if (e.type === 'CONFIGURE' && e.unlockOnUnplug !== undefined) env.unlockOnUnplug = e.unlockOnUnplug;
    env.stopping = e.type === 'STOP';
  }

  private get evMayDraw(): boolean {
    return this.env.pilot === 'C' || (this.env.pilot === 'D' && this.input.ventilationAvailable);
  }

  private fail(message: string, call?: IoCall): never {
    const detail = call ? ` (${formatCall(call)} in ${this.rig.state})` : ` (in ${this.rig.state})`;
    assert.fail(`${message}${detail}\n  after: ${this.trail.join(' → ')}`);
  }

  /** Checks every I/O call issued since the last check, in order, then the steady state. */
  check(): void {
    const fresh = this.rig.calls.slice(this.checked);
    for (const call of fresh) this.checkCall(call);
    this.checked = this.rig.calls.length;
    this.checkStep(fresh);
    this.checkSteadyState();
    // A later check without a new event (the clock ran on) is no step of its own.
    this.blockBegan = false;
    this.stepEvent = { type: '(clock)' };
  }

  /** What this step's event requires of the I/O it caused. */
  private checkStep(calls: readonly IoCall[]): void {
    const issued = (type: IoCall['type']) => calls.some((c) => c.type === type);
    // A fault that shows state F puts the CP to −12 V at once (reference A3: state F ≥ 300 ms after a fault).
    if (this.blockBegan && this.env.blockingStateF && !issued('pilotError')) this.fail('a fault with state F did not show state F');
    if (this.input.kind !== 'socket' || this.env.blocked) return;
    const unplugged = this.stepEvent.type === 'PILOT' && this.env.pilot === 'A';
    // OCPP UnlockConnectorOnEVSideDisconnect false: the cable stays locked at the unplug, until a card or an unlock command.
    if (unplugged && !this.env.unlockOnUnplug && !this.sessionStopped && issued('unlockConnector')) {
      this.fail('plug released at the unplug with unlockOnUnplug false');
    }
    // …true: the unplug that ends the session releases it.
    if (unplugged && this.env.unlockOnUnplug && this.rig.state.startsWith('idle') && this.lockCommand === 'locked') {
      this.fail('plug still locked after the unplug');
    }
  }

  private checkCall(call: IoCall): void {
    const { context: c, type } = call;
    switch (type) {
      case 'closeContactor':
        // Every precondition against what the walk sent, not what the machine believes.
        if (!this.evMayDraw) this.fail(`contactor closed with pilot ${this.env.pilot}`, call);
        if (this.env.blocked) this.fail('contactor closed during a fault', call);
        if (!this.sessionOpen || !c.authorized) this.fail('contactor closed without authorization', call);
        if (this.env.cableA === null) this.fail('contactor closed without a cable rating', call);
        if (this.input.kind === 'socket' && !this.env.locked) this.fail('contactor closed without the lock confirmed', call);
        if (this.input.kind === 'socket' && this.lockCommand !== 'locked') this.fail('contactor closed with the lock released', call);
        if (!this.env.selfTestPassed) this.fail('contactor closed without a passed RCD self-test', call);
        if (!this.env.diodeSeen) this.fail('contactor closed without the diode seen', call);
        if (!this.env.meterReady) this.fail('contactor closed before the meter answered (no meterStart to bill from)', call);
        if (this.env.limitA < 6) this.fail(`contactor closed with ${this.env.limitA} A allowed`, call);
        if (this.contactorClosed) this.fail('contactor closed twice', call);
        // A chattering pilot cannot cycle the contactor: 2 s off after every open (close-preconditions.ts; within IEC 61851-1 Table A.6 seq 4's 3 s).
        if (this.rig.clock instanceof VirtualClock && call.at - this.openedAt < MIN_CONTACTOR_OFF_MS) {
          this.fail(`contactor closed ${call.at - this.openedAt} ms after it opened`, call);
        }
        this.contactorClosed = true;
        this.env.stopSinceClose = false;
        break;
      case 'openContactor':
        if (this.contactorClosed) this.openedAt = call.at;
        this.contactorClosed = false;
        break;
      case 'pilotPwmAtAllowed':
        if (!this.sessionOpen || !c.authorized) this.fail('PWM before authorization', call);
        if (this.env.blocked) this.fail('PWM during a fault', call);
        if (typeof call.arg !== 'number' || call.arg < 6) this.fail('PWM below 6 A', call);
        if (call.arg !== this.env.limitA) this.fail(`PWM at ${String(call.arg)} A, the last LIMIT was ${this.env.limitA} A`, call);
        if (Math.abs(dutyCycleForCurrent(call.arg) - tableA7DutyPercent(call.arg)) > 0.1) {
          this.fail(`duty ${dutyCycleForCurrent(call.arg)} % for ${call.arg} A, Table A.7 gives ${tableA7DutyPercent(call.arg)} %`, call);
        }
        this.pilotOutput = 'pwm';
        this.pwm = { amps: call.arg, at: call.at };
        break;
      case 'pilotHigh':
        this.pilotOutput = 'high';
        break;
      case 'pilotError':
        if (!this.env.blocked) this.fail('state F without a fault', call);
        if (!this.env.blockingStateF) this.fail('state F for a fault that does not show it', call);
        this.pilotOutput = 'error';
        break;
      case 'startSession':
        if (this.sessionOpen) this.fail('startSession while a session is open', call);
        if (this.env.blocked) this.fail('session started during a fault', call);
        if (call.arg === null && !this.input.freeCharging) this.fail('session without a card', call);
        if (!this.env.operative) this.fail('session started on an inoperative connector', call);
        if (call.arg === null && this.env.awaitingDriver) this.fail('a free session started by itself after an emergency stop', call);
        this.sessionOpen = true;
        this.sessionStopped = false;
        break;
      case 'stopSession': {
        if (!this.sessionOpen) this.fail('stopSession without a session', call);
        const expected = this.env.blocked ? this.env.blockingReason
          : this.env.stopping ? this.env.lastStopReason
            : this.env.pilot === 'A' ? 'EVDisconnected'
              : this.env.lastStopReason;
        if (call.arg !== expected) this.fail(`stop reason ${String(call.arg)}, expected ${expected}`, call);
        this.sessionOpen = false;
        break;
      }
      case 'lockConnector':
        if (!this.sessionOpen) this.fail('lock outside a session', call);
        this.lockCommand = 'locked';
        break;
      case 'unlockConnector':
        if (this.contactorClosed) this.fail('unlock with the contactor closed', call);
        this.lockCommand = 'released';
        break;
    }
  }

  private checkSteadyState(): void {
    const state = this.rig.state;
    const context = this.rig.context;
    if (this.sessionOpen !== state.startsWith('connected.session')) this.fail(`session open: ${this.sessionOpen}`);
    if (this.contactorClosed !== state.startsWith('connected.session.energized')) this.fail(`contactor closed: ${this.contactorClosed}`);
    if (this.contactorClosed && this.env.blocked) this.fail('contactor closed during a fault');
    // Once the EV leaves C (or asks for D where there is no ventilation) the contactor opens at once.
    if (this.contactorClosed && !this.evMayDraw) this.fail(`contactor closed with pilot ${this.env.pilot}`);
    if (this.env.blocked) {
      if (!state.startsWith('fault')) this.fail('fault not handled');
      if (this.pilotOutput === 'pwm') this.fail('PWM during a fault');
    }
    if (this.pilotOutput === 'pwm' && !(this.sessionOpen && context.authorized && context.pwmOn)) this.fail('PWM without a session');
    if (context.pwmOn !== (this.pilotOutput === 'pwm')) this.fail(`pwmOn ${context.pwmOn} but pilot output ${this.pilotOutput}`);
    if (this.pilotOutput === 'pwm' && context.offeredCurrentA < 6) this.fail('PWM offers less than 6 A');
    // Without an EV the connector is idle, unless the session is to outlive the unplug: then it waits, de-energized, with X1.
    const waitsForReplug = state === 'connected.session.evDisconnected' && context.keepSessionOnUnplug;
    if (this.env.pilot === 'A' && !this.env.blocked && !state.startsWith('idle') && !waitsForReplug) this.fail('no EV but not idle');
    if (waitsForReplug && this.pilotOutput !== 'high') this.fail(`waiting for the EV with pilot output ${this.pilotOutput}`);
    this.checkRequiredOutputs(state);
  }

  /** What must happen, not only what must not: state F, the lock, the PWM and the OCPP status. */
  private checkRequiredOutputs(state: string): void {
    const env = this.env;
    const now = this.rig.clock.now();
    // The step clock fires timers in the graph's order, not by time: time-bound checks need the real-time replay.
    const timersInOrder = this.rig.clock instanceof VirtualClock;
    // State F for stateFDurationMs from the start of a fault that shows it, then X1 (reference A3).
    const showsF = env.blocked && env.stateFUntil !== null && (!timersInOrder || now < env.stateFUntil);
    if (showsF !== (this.pilotOutput === 'error')) this.fail(`pilot output ${this.pilotOutput} ${now} ms, state F due until ${env.stateFUntil}`);
    if (this.input.kind === 'socket') {
      // Locked for the whole session (an EV unplugged from a kept session leaves the cable locked: OCPP 1.6 §4.10);
      // released once the session is over at the charger, the fault holds, or a card frees a kept cable.
      if (state.startsWith('connected.session') && this.lockCommand !== 'locked') this.fail('plug released during a session');
      const releases = ['connected.finishing', 'fault.holding', 'idle.authorizedAwaitingPlug'];
      if (releases.includes(state) && this.lockCommand === 'locked') this.fail('plug kept locked');
    }
    // The PWM offers the last LIMIT, or an earlier one for less than the update interval (reference A3 pacing).
    if (this.pilotOutput === 'pwm') {
      if (env.limitA < 6) this.fail(`PWM on with ${env.limitA} A allowed`);
      const pwm = this.pwm!;
      if (timersInOrder && pwm.amps !== env.limitA && now - pwm.at >= this.input.pwmMinUpdateIntervalMs) {
        this.fail(`PWM still at ${pwm.amps} A ${now - pwm.at} ms after it was set, LIMIT ${env.limitA} A`);
      }
    }
    this.checkOcppStatus(state);
  }

  private checkOcppStatus(state: string): void {
    const env = this.env;
    const row = EXPECTED_STATUS[state];
    if (row === undefined) this.fail(`no expected OCPP status for state ${state}`);
    const inSession = state.startsWith('connected.session') || state === 'connected.finishing';
    const expected: ChargePointStatus =
      state.startsWith('fault') ? 'Faulted'
        : !env.operative && !inSession ? 'Unavailable'
          : row === 'stopping' ? (env.stopSinceClose ? 'Finishing' : 'SuspendedEVSE')
            : row;
    // What the app reports: the status the machine's state carries in its meta.
    const actual = ocppStatusOf(this.rig.actor.getSnapshot());
    if (actual !== expected) this.fail(`OCPP status ${actual}, expected ${expected}`);
  }
}
