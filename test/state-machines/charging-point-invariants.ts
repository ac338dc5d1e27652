// Safety invariants of the charging point, checked against what the test told the machine
// (the physical truth: pilot, faults) and against the I/O the machine issued, call by call.

import { strict as assert } from 'node:assert';
import type { ChargingPointEvent, ChargingPointInput } from '../../state-machines/charging-point.js';
import type { SessionStopReason } from '../../app/records.js';
import type { PilotState } from '../../state-machines/pilot-state.js';
import { formatCall, type ActorClock, type IoCall, type Rig } from './charging-point-rig.js';

/** What the world looks like, from the events sent so far. */
interface Environment {
  pilot: PilotState;
  blocked: boolean;
  blockingReason: SessionStopReason;
  lastStopReason: SessionStopReason;
  operative: boolean;
  /** The event being handled is a STOP (its reason wins, even with no EV). */
  stopping: boolean;
}

export class InvariantChecker {
  private readonly env: Environment = { pilot: 'A', blocked: false, blockingReason: 'Other', lastStopReason: 'Local', operative: true, stopping: false };
  private checked = 0;
  private sessionOpen = false;
  private contactorClosed = false;
  private pilotOutput: 'high' | 'pwm' | 'error' = 'high';
  /** The events so far, for failure messages. */
  private readonly trail: string[] = [];

  constructor(private readonly rig: Rig<ActorClock>, private readonly input: ChargingPointInput) {}

  /** Call before sending an event to the machine. */
  observe(event: ChargingPointEvent | { type: string }): void {
    this.trail.push(JSON.stringify(event));
    const e = event as ChargingPointEvent;
    if (e.type === 'PILOT') this.env.pilot = e.state;
    if (e.type === 'FAULTS') Object.assign(this.env, { blocked: e.blocking, blockingReason: e.reason });
    if (e.type === 'STOP') this.env.lastStopReason = e.reason;
    if (e.type === 'OPERATIVE') this.env.operative = e.operative;
    this.env.stopping = e.type === 'STOP';
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
    for (const call of this.rig.calls.slice(this.checked)) this.checkCall(call);
    this.checked = this.rig.calls.length;
    this.checkSteadyState();
  }

  private checkCall(call: IoCall): void {
    const { context: c, type } = call;
    switch (type) {
      case 'closeContactor':
        if (!this.evMayDraw) this.fail(`contactor closed with pilot ${this.env.pilot}`, call);
        if (this.env.blocked) this.fail('contactor closed during a fault', call);
        if (!this.sessionOpen || !c.authorized) this.fail('contactor closed without authorization', call);
        if (c.cableRatingA === null) this.fail('contactor closed without a cable rating', call);
        if (c.kind === 'socket' && !c.lockConfirmed) this.fail('contactor closed without the lock', call);
        if (!c.selfTestPassed || !c.diodeVerified) this.fail('contactor closed without self-test / diode check', call);
        if (this.contactorClosed) this.fail('contactor closed twice', call);
        this.contactorClosed = true;
        break;
      case 'openContactor':
        this.contactorClosed = false;
        break;
      case 'pilotPwmAtAllowed':
        if (!this.sessionOpen || !c.authorized) this.fail('PWM before authorization', call);
        if (this.env.blocked) this.fail('PWM during a fault', call);
        if (typeof call.arg !== 'number' || call.arg < 6) this.fail('PWM below 6 A', call);
        this.pilotOutput = 'pwm';
        break;
      case 'pilotHigh':
        this.pilotOutput = 'high';
        break;
      case 'pilotError':
        if (!this.env.blocked) this.fail('state F without a fault', call);
        this.pilotOutput = 'error';
        break;
      case 'startSession':
        if (this.sessionOpen) this.fail('startSession while a session is open', call);
        if (this.env.blocked) this.fail('session started during a fault', call);
        if (call.arg === null && !this.input.freeCharging) this.fail('session without a card', call);
        if (!this.env.operative) this.fail('session started on an inoperative connector', call);
        this.sessionOpen = true;
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
        break;
      case 'unlockConnector':
        if (this.contactorClosed) this.fail('unlock with the contactor closed', call);
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

  }
}
