// A charging-point actor with recording I/O actions, on a clock the test controls.
// Shared by charging-point.test.ts and charging-point-graph.test.ts.

import { createActor, type StateValue } from 'xstate';
import {
  chargingPointMachine,
  type ChargingPointContext,
  type ChargingPointEvent,
  type ChargingPointInput,
} from '../../state-machines/charging-point.js';
import { VirtualClock } from '../../hal/clock.js';

export const CARD = 'CARD-1';

export const BASE_INPUT: ChargingPointInput = {
  connectorId: 1,
  kind: 'socket',
  tetheredCableRatingA: null,
  ventilationAvailable: false,
  freeCharging: false,
  stateFDurationMs: 300, // reference A3: state F ≥ 300 ms after a fault (EVerest)
  pwmMinUpdateIntervalMs: 5000, // reference A3: at most one PWM update every 5 s
  pilotResumeHoldMs: 4000,
  plugInTimeoutMs: 60_000,
};

export type IoAction =
  | 'pilotHigh' | 'pilotPwmAtAllowed' | 'pilotError'
  | 'closeContactor' | 'openContactor' | 'lockConnector' | 'unlockConnector'
  | 'startSession' | 'stopSession';

export interface IoCall {
  readonly type: IoAction;
  /** Clock time when the machine issued it. */
  readonly at: number;
  /** idTag (startSession), reason (stopSession), amps (pilotPwmAtAllowed). */
  readonly arg?: string | number | null;
  /** The machine's context when the action ran. */
  readonly context: ChargingPointContext;
}

/** What XState needs from a clock. */
export interface ActorClock {
  now(): number;
  setTimeout(callback: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
}

type Recorder = (type: IoAction, context: ChargingPointContext, arg?: string | number | null) => void;

/** Each actor's recorder: one provided machine serves every rig (providing per rig is slow). */
const recorders = new WeakMap<object, Recorder>();

/** The machine with every I/O action replaced by a recorder, looked up by the running actor. */
export const recordingMachine = (() => {
  type Args = { context: ChargingPointContext; self: object };
  const record = (self: object, ...call: Parameters<Recorder>) => recorders.get(self)?.(...call);
  const io = (type: IoAction) => ({ context, self }: Args) => record(self, type, context);
  return chargingPointMachine.provide({
    actions: {
      pilotHigh: io('pilotHigh'),
      pilotError: io('pilotError'),
      closeContactor: io('closeContactor'),
      openContactor: io('openContactor'),
      lockConnector: io('lockConnector'),
      unlockConnector: io('unlockConnector'),
      pilotPwmAtAllowed: ({ context, self }) => record(self, 'pilotPwmAtAllowed', context, context.allowedCurrentA),
      startSession: ({ context, self }, params) => record(self, 'startSession', context, params.idTag),
      stopSession: ({ context, self }, params) => record(self, 'stopSession', context, params.reason),
    },
  });
})();

/** A transition definition as text, the same for every copy of the machine: "source --event [guard]--> targets". */
export function transitionKey(t: { source: { id: string }; eventType: string; target?: readonly { id: string }[] | undefined; guard?: unknown }): string {
  const guard = (g: unknown): string =>
    typeof g === 'string' ? g
      : typeof g === 'function' ? `${g.name}(${((g as { guards?: unknown[] }).guards ?? []).map(guard).join(',')})`
        : (g as { type?: string } | undefined)?.type ?? '?';
  const targets = (t.target ?? []).map((n) => n.id).join(',') || '(none)';
  return `${t.source.id} --${t.eventType || '(always)'}${t.guard ? ` [${guard(t.guard)}]` : ''}--> ${targets}`;
}

/** "connected.session.energized.charging" from { connected: { session: { energized: 'charging' } } }. */
export function flattenState(value: StateValue): string {
  if (typeof value === 'string') return value;
  const [key, child] = Object.entries(value)[0]!;
  return child === undefined ? key : `${key}.${flattenState(child as StateValue)}`;
}

export function formatCall(call: IoCall): string {
  return call.arg === undefined ? call.type : `${call.type}(${call.arg})`;
}

export class Rig<C extends ActorClock = VirtualClock> {
  readonly calls: IoCall[] = [];
  /** Ids of every state node entered, transient ones included (from microsteps). */
  readonly entered = new Set<string>();
  /** Every transition definition taken, as transitionKey() text. */
  readonly taken = new Set<string>();
  readonly actor;
  private seen = 0;

  constructor(overrides: Partial<ChargingPointInput> = {}, readonly clock: C = new VirtualClock(0) as unknown as C) {
    this.actor = createActor(recordingMachine, {
      input: { ...BASE_INPUT, ...overrides },
      clock,
      inspect: (event) => {
        if (event.type !== '@xstate.microstep' && event.type !== '@xstate.snapshot') return;
        const snapshot = event.snapshot as unknown as { _nodes?: { id: string }[] };
        for (const node of snapshot._nodes ?? []) this.entered.add(node.id);
        if (event.type === '@xstate.microstep') for (const t of event._transitions) this.taken.add(transitionKey(t));
      },
    });
    recorders.set(this.actor, (type, context, arg) => {
      this.calls.push({ type, at: clock.now(), context, ...(arg === undefined ? {} : { arg }) });
    });
    this.actor.start();
  }

  send(...events: ChargingPointEvent[]): this {
    for (const event of events) this.actor.send(event);
    return this;
  }

  pilot(state: 'A' | 'B' | 'C' | 'D' | 'E'): this {
    return this.send({ type: 'PILOT', state });
  }

  /** The point region, flattened: "idle.vacant", "connected.session.offering", "fault.holding"… */
  get state(): string {
    return flattenState((this.actor.getSnapshot().value as { point: StateValue }).point);
  }

  get pacing(): string {
    return (this.actor.getSnapshot().value as { pwmPacing: string }).pwmPacing;
  }

  get context(): ChargingPointContext {
    return this.actor.getSnapshot().context;
  }

  /** I/O issued since the previous call, formatted: "startSession(CARD-1)", "pilotPwmAtAllowed(16)". */
  io(): string[] {
    const fresh = this.calls.slice(this.seen).map(formatCall);
    this.seen = this.calls.length;
    return fresh;
  }

  count(type: IoAction): number {
    return this.calls.filter((c) => c.type === type).length;
  }

  callsOf(type: IoAction): IoCall[] {
    return this.calls.filter((c) => c.type === type);
  }
}

/** Everything a socket needs to close the contactor, except the EV's C and the card. */
export const READY: readonly ChargingPointEvent[] = [
  { type: 'SELF_TEST', passed: true },
  { type: 'METER_READY' },
  { type: 'LIMIT', amps: 16 },
  { type: 'CABLE', ratingA: 32 },
];

/** A socket rig charging: plugged, authorized, locked, diode seen, EV in C. */
export function chargingRig(overrides: Partial<ChargingPointInput> = {}): Rig {
  const rig = new Rig(overrides);
  rig.send(...READY).pilot('B').send(
    { type: 'AUTHORIZED', idTag: CARD },
    { type: 'LOCK', locked: true },
    { type: 'DIODE_VERIFIED' },
  ).pilot('C');
  return rig;
}
