// The charging point: one connector's IEC 61851-1 Mode 3 behaviour as an XState v5 machine.
//
// Pure: it decides, the app acts. Every side effect is a named action declared here as a
// no-op and provided by app/connector/ through `.provide()`; every condition is a named guard.
// Timers run on the actor's clock, so tests drive it on a virtual clock.
//
// Reference: the project's IEC 61851 reference sheet (sections A1–A5, cited "reference A3"); state letters in comments are IEC's
// (B1 = connected, no PWM; B2 = connected, PWM on; C2 = charging).

import { and, assign, not, raise, setup, stateIn } from 'xstate';
import type { PilotState } from './pilot-state.js';
import { evRequestsEnergy, vehicleConnected } from './pilot-state.js';
import { MIN_PWM_CURRENT_A } from './pwm.js';
import { MIN_CONTACTOR_OFF_TIME_MS, closeBlockers, type CloseConditions } from './close-preconditions.js';
import type { SessionStopReason } from './stop-reasons.js';
import { Tag, type PointStateMeta, type PointTag, type StopIntent } from './charging-point-view.js';

export interface ChargingPointInput {
  readonly connectorId: number;
  readonly kind: 'socket' | 'tethered';
  /** A tethered cable's fixed rating; sockets learn theirs from the proximity pilot. */
  readonly tetheredCableRatingA: number | null;
  readonly ventilationAvailable: boolean;
  readonly freeCharging: boolean;
  readonly stateFDurationMs: number;
  readonly pwmMinUpdateIntervalMs: number;
  /** Least time X1 holds after the EVSE withdrew the PWM for want of current (the app uses the PWM update interval). */
  readonly pilotResumeHoldMs: number;
  /** How long an authorization waits for the EV to be plugged in. */
  readonly plugInTimeoutMs: number;
}

export interface ChargingPointContext extends ChargingPointInput {
  /** Debounced pilot state. */
  readonly pilot: PilotState;
  readonly cableRatingA: number | null;
  readonly idTag: string | null;
  readonly authorized: boolean;
  readonly lockConfirmed: boolean;
  readonly diodeVerified: boolean;
  readonly selfTestPassed: boolean;
  /** The energy meter has answered since the start (close-preconditions.ts meterReady). */
  readonly meterReady: boolean;
  /** A fault blocks this connector (from the safety supervisor). */
  readonly blocked: boolean;
  readonly blockingStateF: boolean;
  readonly blockingReason: SessionStopReason;
  /** The current the limits allow now. */
  readonly allowedCurrentA: number;
  /** The current the PWM signals now (lags allowedCurrentA by the update pacing). */
  readonly offeredCurrentA: number;
  readonly pwmOn: boolean;
  /** Why the energized state is being left by the EVSE: pause (limit < 6 A) or finish (stopped). */
  readonly stopIntent: StopIntent;
  /** Why the session is being stopped at the charger (card, backend command). */
  readonly requestedStopReason: SessionStopReason;
  /** An inoperative connector (OCPP ChangeAvailability) starts no new session. */
  readonly operative: boolean;
  /** The session outlives an unplug at the EV side (OCPP StopTransactionOnEVSideDisconnect = false). */
  readonly keepSessionOnUnplug: boolean;
  /** The socket releases the cable when the EV is unplugged (OCPP UnlockConnectorOnEVSideDisconnect); else a card or an unlock command does. */
  readonly unlockOnUnplug: boolean;
  /** The contactor has been open at least MIN_CONTACTOR_OFF_TIME_MS (false while it rests after an open). */
  readonly contactorRested: boolean;
  /**
   * An emergency stop hit a connected EV: energy flows again only after a new driver action
   * (a replug or a card), never by itself when the stop is released, not even in free charging.
   */
  readonly awaitingDriver: boolean;
}

export type ChargingPointEvent =
  | { type: 'PILOT'; state: PilotState }
  | { type: 'CABLE'; ratingA: number | null }
  | { type: 'AUTHORIZED'; idTag: string | null }
  | { type: 'STOP'; reason: SessionStopReason }
  | { type: 'LIMIT'; amps: number }
  | { type: 'LOCK'; locked: boolean }
  | { type: 'DIODE_VERIFIED' }
  | { type: 'SELF_TEST'; passed: boolean }
  /** The energy meter's first reading since the start. */
  | { type: 'METER_READY' }
  | { type: 'FAULTS'; blocking: boolean; stateF: boolean; reason: SessionStopReason }
  | { type: 'OPERATIVE'; operative: boolean }
  | { type: 'CONFIGURE'; plugInTimeoutMs?: number; keepSessionOnUnplug?: boolean; unlockOnUnplug?: boolean }
  /** Raised by the machine itself when it leaves the energized state. */
  | { type: 'CONTACTOR_OPENED' };

/** How long the EV may stay in C after the PWM is removed before power is cut under load (A3, seq 10.2). */
export const POWER_OFF_UNDER_LOAD_MS = 6000;

export const chargingPointMachine = setup({
  types: {
    input: {} as ChargingPointInput,
    context: {} as ChargingPointContext,
    events: {} as ChargingPointEvent,
    // What the app reads of a state (charging-point-view.ts): never its name.
    tags: {} as PointTag,
    meta: {} as PointStateMeta,
  },
  actions: {
    // I/O, provided by the app. The machine says what, the app knows how.
    pilotHigh: () => {},
    pilotError: () => {},
    closeContactor: () => {},
    openContactor: () => {},
    lockConnector: () => {},
    unlockConnector: () => {},
    startSession: (_, _params: { idTag: string | null }) => {},
    /** PWM at the current the limits allow now. */
    pilotPwmAtAllowed: () => {},
    stopSession: (_, _params: { reason: SessionStopReason }) => {},

    // Context bookkeeping.
    recordPilot: assign(({ context, event }) => {
      const pilot = event.type === 'PILOT' ? event.state : 'A';
      // An unplug is the new driver action an emergency stop waits for.
      return { pilot, awaitingDriver: pilot === 'A' ? false : context.awaitingDriver };
    }),
    recordCable: assign({
      cableRatingA: ({ context, event }) =>
        context.kind === 'tethered' ? context.tetheredCableRatingA : event.type === 'CABLE' ? event.ratingA : null,
    }),
    recordAuthorization: assign(({ event }) =>
      event.type === 'AUTHORIZED' ? { authorized: true, idTag: event.idTag, awaitingDriver: false } : {}),
    clearAuthorization: assign({ authorized: false, idTag: null }),
    recordLock: assign({ lockConfirmed: ({ event }) => event.type === 'LOCK' && event.locked }),
    recordDiodeVerified: assign({ diodeVerified: true }),
    recordMeterReady: assign({ meterReady: true }),
    clearVehicle: assign({ diodeVerified: false, lockConfirmed: false }),
    recordSelfTest: assign({ selfTestPassed: ({ event }) => event.type === 'SELF_TEST' && event.passed }),
    recordFaults: assign(({ context, event }) =>
      event.type === 'FAULTS'
        ? {
          blocked: event.blocking,
          blockingStateF: event.stateF,
          blockingReason: event.reason,
          awaitingDriver: context.awaitingDriver || (event.blocking && event.reason === 'EmergencyStop' && vehicleConnected(context.pilot)),
        }
        : {}),
    recordLimit: assign({ allowedCurrentA: ({ context, event }) => (event.type === 'LIMIT' ? event.amps : context.allowedCurrentA) }),
    markPwmOn: assign({ pwmOn: true, offeredCurrentA: ({ context }) => context.allowedCurrentA }),
    markPwmOff: assign({ pwmOn: false, offeredCurrentA: 0 }),
    authorizeFree: assign({ authorized: true, idTag: null }),
    recordOperative: assign({ operative: ({ context, event }) => (event.type === 'OPERATIVE' ? event.operative : context.operative) }),
    recordSettings: assign(({ context, event }) =>
      event.type === 'CONFIGURE'
        ? {
          plugInTimeoutMs: event.plugInTimeoutMs ?? context.plugInTimeoutMs,
          keepSessionOnUnplug: event.keepSessionOnUnplug ?? context.keepSessionOnUnplug,
          unlockOnUnplug: event.unlockOnUnplug ?? context.unlockOnUnplug,
        }
        : {}),
    startContactorRest: assign({ contactorRested: false }),
    endContactorRest: assign({ contactorRested: true }),
    announceContactorOpened: raise({ type: 'CONTACTOR_OPENED' } as const),
    intendPause: assign({ stopIntent: 'pause' as const }),
    intendFinish: assign(({ event }) => ({
      stopIntent: 'finish' as const,
      requestedStopReason: event.type === 'STOP' ? event.reason : 'Local',
    })),
  },
  // Guards read the pilot and the limit as the event being handled leaves them: a guard runs
  // before its transition's actions record the event, and an eventless re-check sees them recorded.
  guards: {
    vehicleConnected: ({ context, event }) => vehicleConnected(pilotOf(context, event)),
    vehicleGone: ({ context, event }) => pilotOf(context, event) === 'A',
    evRequestsEnergy: ({ context, event }) => evRequestsEnergy(pilotOf(context, event)),
    evNotRequestingEnergy: ({ context, event }) => !evRequestsEnergy(pilotOf(context, event)),
    /** The EV does not ask for energy, or asks in D where the site has no ventilation. */
    evMayNotDraw: ({ context, event }) => {
      const pilot = pilotOf(context, event);
      return !evRequestsEnergy(pilot) || (pilot === 'D' && !context.ventilationAvailable);
    },
    authorized: ({ context }) => context.authorized,
    operative: ({ context }) => context.operative,
    keepSessionOnUnplug: ({ context }) => context.keepSessionOnUnplug,
    unlockOnUnplug: ({ context }) => context.unlockOnUnplug,
    freeCharging: ({ context }) => context.freeCharging,
    awaitingDriver: ({ context }) => context.awaitingDriver,
    lockReady: ({ context }) => context.kind === 'tethered' || context.lockConfirmed,
    cableKnown: ({ context }) => context.cableRatingA !== null,
    /** This FAULTS report blocks the connector (guards on an event read its payload: they run before its actions record it). */
    faultsBlock: ({ event }) => event.type === 'FAULTS' && event.blocking,
    faultsClear: ({ event }) => event.type === 'FAULTS' && !event.blocking,
    blockingShowsStateF: ({ context }) => context.blockingStateF,
    currentAvailable: ({ context, event }) => allowedOf(context, event) >= MIN_PWM_CURRENT_A,
    stopIntentIsFinish: ({ context }) => context.stopIntent === 'finish',
    /** IEC 61851-1 A.4: state D only where the site is ventilated. */
    ventilationOk: ({ context, event }) => pilotOf(context, event) !== 'D' || context.ventilationAvailable,
    /** Every precondition for closing the contactor, from close-preconditions.ts (the gate checks the same list against the hardware). */
    mayCloseContactor: ({ context }) => closeBlockers(closeConditions(context)).length === 0,
    limitChanged: ({ context }) => context.pwmOn && context.allowedCurrentA !== context.offeredCurrentA,
  },
  delays: {
    stateFDuration: ({ context }) => context.stateFDurationMs,
    pwmMinUpdateInterval: ({ context }) => context.pwmMinUpdateIntervalMs,
    pilotResumeHold: ({ context }) => context.pilotResumeHoldMs,
    plugInTimeout: ({ context }) => context.plugInTimeoutMs,
    powerOffUnderLoad: POWER_OFF_UNDER_LOAD_MS,
    minContactorOffTime: MIN_CONTACTOR_OFF_TIME_MS,
  },
}).createMachine({
  id: 'chargingPoint',
  context: ({ input }) => ({
    ...input,
    pilot: 'A',
    cableRatingA: input.kind === 'tethered' ? input.tetheredCableRatingA : null,
    idTag: null,
    authorized: false,
    lockConfirmed: false,
    diodeVerified: false,
    selfTestPassed: false,
    meterReady: false,
    blocked: false,
    blockingStateF: false,
    blockingReason: 'Other',
    allowedCurrentA: 0,
    offeredCurrentA: 0,
    pwmOn: false,
    stopIntent: 'finish',
    requestedStopReason: 'Local',
    operative: true,
    keepSessionOnUnplug: false,
    unlockOnUnplug: true,
    contactorRested: true,
    awaitingDriver: false,
  }),
  type: 'parallel',
  // Inputs that only update what the machine knows are recorded here. A state that moves on one
  // input alone takes it as a guarded transition on that event (FAULTS, PILOT, LIMIT below; one
  // that moves on PILOT records it itself, as the root's handler then does not run). An
  // eventless `always` stays where a state moves on a condition over several inputs (the close
  // preconditions: pilot, lock, cable, diode, self-test, meter, limit, faults and the contactor's rest
  // timer in another region; an unplug under the backend's keep-session rule), or must also
  // decide on entry (a card given before the plug, current back after the PWM hold, an EV still
  // plugged in when a fault clears), or is a choice made once on entry (releasing, fault.entering).
  on: {
    PILOT: { actions: 'recordPilot' },
    CABLE: { actions: 'recordCable' },
    LOCK: { actions: 'recordLock' },
    DIODE_VERIFIED: { actions: 'recordDiodeVerified' },
    SELF_TEST: { actions: 'recordSelfTest' },
    METER_READY: { actions: 'recordMeterReady' },
    OPERATIVE: { actions: 'recordOperative' },
    CONFIGURE: { actions: 'recordSettings' },
  },
  states: {
    point: {
      initial: 'idle',
      // A fault report moves the connector to fault from wherever it is (fault handles its own reports).
      on: { FAULTS: [{ guard: 'faultsBlock', target: '.fault', actions: 'recordFaults' }, { actions: 'recordFaults' }] },
      states: {
        /** A: no vehicle. CP steady +12 V, contactor open, socket unlocked. */
        idle: {
          entry: ['pilotHigh', 'markPwmOff', 'openContactor', 'clearVehicle'],
          initial: 'releasing',
          always: { guard: 'vehicleConnected', target: 'connected' },
          states: {
            /** The socket lets the cable go, unless it is to stay locked until a card or an unlock command. */
            releasing: {
              meta: { ocppStatus: { status: 'Available', inoperative: 'Unavailable' }, display: 'ready' },
              always: [{ guard: 'unlockOnUnplug', target: 'vacant', actions: 'unlockConnector' }, { target: 'vacant' }],
            },
            vacant: {
              tags: Tag.vacant,
              meta: { ocppStatus: { status: 'Available', inoperative: 'Unavailable' }, display: 'ready' },
              entry: 'clearAuthorization',
              on: { AUTHORIZED: { guard: 'operative', target: 'authorizedAwaitingPlug', actions: 'recordAuthorization' } },
            },
            /** The driver presented a card first (which also frees a cable kept locked); the EV must be plugged in within the timeout. */
            authorizedAwaitingPlug: {
              tags: Tag.awaitsPlug,
              meta: { ocppStatus: { status: 'Preparing', inoperative: 'Unavailable' }, display: 'cardAccepted' },
              entry: 'unlockConnector',
              after: { plugInTimeout: 'vacant' },
              on: { STOP: 'vacant' },
            },
          },
        },

        /** B, C or D: a vehicle is connected. */
        connected: {
          initial: 'awaitingAuthorization',
          always: [
            // An unplug ends the session, unless the session is to outlive it (it waits in session.evDisconnected).
            {
              guard: and(['vehicleGone', not(and(['keepSessionOnUnplug', stateIn('#chargingPoint.point.connected.session')]))]),
              target: 'idle',
            },
          ],
          states: {
            /** B1: waiting for a card (or straight on, in free charging). */
            awaitingAuthorization: {
              tags: Tag.waitsForCard,
              meta: { ocppStatus: { status: 'Preparing', inoperative: 'Unavailable' }, display: 'presentCard' },
              entry: ['pilotHigh', 'markPwmOff'],
              always: [
                { guard: and(['authorized', 'operative']), target: 'session' },
                // vehicleConnected: an unplug (which clears awaitingDriver) must not start a session on its way out.
                { guard: and(['freeCharging', 'operative', not('awaitingDriver'), 'vehicleConnected']), target: 'session', actions: 'authorizeFree' },
              ],
              on: { AUTHORIZED: { guard: 'operative', actions: 'recordAuthorization' } },
            },
            /**
             * An authorized session. It starts on entry and stops on exit, whichever way it is left:
             * unplugged (EVDisconnected), stopped at the charger (Local) or by a fault.
             */
            session: {
              tags: Tag.inSession,
              entry: { type: 'startSession', params: ({ context }) => ({ idTag: context.idTag }) },
              exit: [
                { type: 'stopSession', params: ({ context, event }) => ({ reason: stopReason(context, event) }) },
                'clearAuthorization',
              ],
              initial: 'preparing',
              on: { STOP: { target: 'finishing', actions: 'intendFinish' } },
              always: {
                guard: and(['vehicleGone', 'keepSessionOnUnplug', not(stateIn('#chargingPoint.point.connected.session.evDisconnected'))]),
                target: '.evDisconnected',
              },
              states: {
                /** A socket locks the plug before power is offered. */
                preparing: {
                  meta: { ocppStatus: { status: 'Preparing' }, display: 'preparing' },
                  entry: 'lockConnector',
                  always: [
                    { guard: and(['lockReady', 'cableKnown', 'currentAvailable']), target: 'offering' },
                    // The PWM was never on, so there is nothing to pace: wait for current, no hold.
                    { guard: and(['lockReady', 'cableKnown']), target: 'suspendedEVSE.resumable' },
                  ],
                },
                /** B2: PWM signals the allowed current; the EV may ask for energy. */
                offering: {
                  meta: { ocppStatus: { status: 'SuspendedEV' }, display: 'starting' },
                  entry: ['pilotPwmAtAllowed', 'markPwmOn'],
                  on: { LIMIT: { guard: not('currentAvailable'), target: 'suspendedEVSE' } },
                  always: { guard: 'mayCloseContactor', target: 'energized' },
                },
                /** Contactor closed: C2 (or D2). Leaving this state always opens the contactor. */
                energized: {
                  tags: Tag.energized,
                  entry: 'closeContactor',
                  exit: ['openContactor', 'announceContactorOpened'],
                  initial: 'charging',
                  states: {
                    charging: {
                      meta: { ocppStatus: { status: 'Charging' }, display: 'charging' },
                      on: {
                        LIMIT: { guard: not('currentAvailable'), target: 'stopping', actions: 'intendPause' },
                        PILOT: [
                          { guard: not('ventilationOk'), target: '#chargingPoint.point.connected.session.offering', actions: 'recordPilot' },
                          { guard: 'evNotRequestingEnergy', target: '#chargingPoint.point.connected.session.suspendedEV', actions: 'recordPilot' },
                        ],
                        STOP: { target: 'stopping', actions: 'intendFinish' },
                      },
                    },
                    /** X1 is on; the EV must leave C within 3 s, after 6 s power is cut under load (A3 seq 10.1/10.2). */
                    stopping: {
                      // Finishing when stopped at the charger or by the backend, SuspendedEVSE when paused for want of current.
                      meta: { ocppStatus: { status: { finish: 'Finishing', pause: 'SuspendedEVSE' } }, display: 'stopping' },
                      entry: ['pilotHigh', 'markPwmOff'],
                      on: {
                        PILOT: [
                          { guard: and(['evMayNotDraw', 'stopIntentIsFinish']), target: '#chargingPoint.point.connected.finishing', actions: 'recordPilot' },
                          { guard: 'evMayNotDraw', target: '#chargingPoint.point.connected.session.suspendedEVSE', actions: 'recordPilot' },
                        ],
                        STOP: { actions: 'intendFinish' },
                      },
                      after: {
                        powerOffUnderLoad: [
                          { guard: 'stopIntentIsFinish', target: '#chargingPoint.point.connected.finishing' },
                          { target: '#chargingPoint.point.connected.session.suspendedEVSE' },
                        ],
                      },
                    },
                  },
                },
                /** B2 after charging: the EV paused, or its battery is full. PWM stays on. */
                suspendedEV: {
                  meta: { ocppStatus: { status: 'SuspendedEV' }, display: 'pausedByVehicle' },
                  on: { LIMIT: { guard: not('currentAvailable'), target: 'suspendedEVSE' } },
                  always: { guard: 'mayCloseContactor', target: 'energized' },
                },
                /** Unplugged at the EV side, the session kept open (OCPP StopTransactionOnEVSideDisconnect = false): X1 until plugged in again. */
                evDisconnected: {
                  meta: { ocppStatus: { status: 'SuspendedEV' }, display: 'preparing' },
                  entry: ['pilotHigh', 'markPwmOff', 'clearVehicle'],
                  on: { PILOT: { guard: 'vehicleConnected', target: 'preparing', actions: 'recordPilot' } },
                },
                /**
                 * The charger cannot offer 6 A now (limits, derating): X1 until it can, and for at least
                 * the PWM update interval, so a limit hovering around 6 A cannot toggle the pilot faster.
                 */
                suspendedEVSE: {
                  meta: { ocppStatus: { status: 'SuspendedEVSE' }, display: 'pausedByCharger' },
                  entry: ['pilotHigh', 'markPwmOff'],
                  initial: 'holding',
                  states: {
                    holding: { after: { pilotResumeHold: 'resumable' } },
                    resumable: {
                      always: { guard: 'currentAvailable', target: '#chargingPoint.point.connected.session.offering' },
                    },
                  },
                },
              },
            },
            /** The session was ended at the charger; the driver unplugs. A new card starts a new session. */
            finishing: {
              tags: Tag.waitsForCard,
              meta: { ocppStatus: { status: 'Finishing' }, display: 'finished' },
              entry: ['pilotHigh', 'markPwmOff', 'unlockConnector'],
              on: { AUTHORIZED: { guard: 'operative', target: 'session', actions: 'recordAuthorization' } },
            },
          },
        },

        /** A fault blocks the connector: contactor open; CP in F for a while, then X1 until it clears. */
        fault: {
          tags: Tag.faulted,
          meta: { ocppStatus: { status: 'Faulted' }, display: 'fault' },
          entry: [
            'openContactor',
            'markPwmOff',
            'clearAuthorization',
          ],
          initial: 'entering',
          on: { FAULTS: [{ guard: 'faultsClear', target: 'idle', actions: 'recordFaults' }, { actions: 'recordFaults' }] },
          states: {
            entering: {
              always: [{ guard: 'blockingShowsStateF', target: 'signalling' }, { target: 'holding' }],
            },
            /** State F (−12 V) for a while, so the EV sees the EVSE is not available (A3: ≥300 ms). */
            signalling: {
              entry: 'pilotError',
              after: { stateFDuration: 'holding' },
            },
            /** X1 until the fault clears. The plug is released so an untilUnplug fault can clear
             * (the lock driver refuses while the contactor's mirror contact says closed). */
            holding: {
              entry: ['pilotHigh', 'unlockConnector'],
            },
          },
        },
      },
    },

    /** After every open the contactor rests MIN_CONTACTOR_OFF_TIME_MS before it may close again (a chattering pilot cannot cycle it). */
    contactorRest: {
      initial: 'rested',
      on: { CONTACTOR_OPENED: '.resting' },
      states: {
        rested: {},
        resting: {
          entry: 'startContactorRest',
          exit: 'endContactorRest',
          after: { minContactorOffTime: 'rested' },
        },
      },
    },

    /** PWM changes no more often than EVs can follow (A3: one update every 5 s at most). */
    pwmPacing: {
      initial: 'ready',
      on: { LIMIT: { actions: 'recordLimit' } },
      states: {
        ready: {
          always: { guard: and(['limitChanged', 'currentAvailable']), target: 'holding', actions: ['pilotPwmAtAllowed', 'markPwmOn'] },
        },
        holding: {
          after: { pwmMinUpdateInterval: 'ready' },
        },
      },
    },
  },
});

/** The close preconditions as the machine knows them (the gate reads the same ones from the hardware). */
export function closeConditions(context: ChargingPointContext): CloseConditions {
  return {
    pilot: context.pilot,
    ventilationAvailable: context.ventilationAvailable,
    authorized: context.authorized,
    cableRatingA: context.cableRatingA,
    lockRequired: context.kind === 'socket',
    lockConfirmed: context.lockConfirmed,
    faultActive: context.blocked,
    // A trip reaches the machine as a fault (blocked); only the gate reads the module's signal itself.
    rcdTripped: false,
    rcdSelfTestPassed: context.selfTestPassed,
    diodeVerified: context.diodeVerified,
    allowedCurrentA: context.allowedCurrentA,
    meterReady: context.meterReady,
    offTimeElapsed: context.contactorRested,
  };
}

/** Exit actions run before the transition's own actions: a STOP, FAULTS or PILOT that leaves the session now carries its reason itself. */
function stopReason(context: ChargingPointContext, event: ChargingPointEvent): SessionStopReason {
  if (event.type === 'FAULTS' && event.blocking) return event.reason;
  if (context.blocked) return context.blockingReason;
  if (event.type === 'STOP') return event.reason;
  if (pilotOf(context, event) === 'A') return 'EVDisconnected';
  return context.requestedStopReason;
}

/** The pilot as this event leaves it (a PILOT event's own state, before its action records it). */
function pilotOf(context: ChargingPointContext, event: ChargingPointEvent): PilotState {
  return event.type === 'PILOT' ? event.state : context.pilot;
}

/** The allowed current as this event leaves it. */
function allowedOf(context: ChargingPointContext, event: ChargingPointEvent): number {
  return event.type === 'LIMIT' ? event.amps : context.allowedCurrentA;
}
