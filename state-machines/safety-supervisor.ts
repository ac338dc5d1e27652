// The safety supervisor: the life of every fault, from the table in faults.ts.
//
// One parallel region per fault, each the same small lifecycle:
//   clear → active (condition present) → clear            (recovery auto, no holdoff)
//                                      → holdoff → clear   (auto with a retry delay)
//                                      → awaitingUnplug → clear (untilUnplug)
//                                      → latched → clear on technician reset (latched)
// A self-recovering fault raised more than `repeatedFaultLimit` times within the window latches.
// Detectors in app/safety/ say when a condition appears (RAISE) and goes (CLEAR); events carry
// the time, so the machine stays pure.

import { assign, setup, type SnapshotFrom } from 'xstate';
import { FAULTS, type FaultName, type FaultRecovery } from './faults.js';

export interface SafetySupervisorInput {
  readonly faults: readonly FaultName[];
  readonly repeatedFaultLimit: number;
  readonly repeatedFaultWindowMs: number;
  readonly faultRetryDelayMs: number;
}

export interface SafetySupervisorContext extends SafetySupervisorInput {
  /** When each fault was raised, within the repeat window. */
  readonly raisedAt: Readonly<Partial<Record<FaultName, readonly number[]>>>;
}

export type SafetySupervisorEvent =
  | { type: 'RAISE'; fault: FaultName; at: number }
  | { type: 'CLEAR'; fault: FaultName; at: number }
  | { type: 'UNPLUGGED' }
  | { type: 'RESET' };

export type FaultPhase = 'clear' | 'active' | 'holdoff' | 'awaitingUnplug' | 'latched';

type FaultParams = { fault: FaultName };

const supervisorSetup = setup({
  types: {
    input: {} as SafetySupervisorInput,
    context: {} as SafetySupervisorContext,
    events: {} as SafetySupervisorEvent,
  },
  actions: {
    recordRaise: assign({
      raisedAt: ({ context, event }, { fault }: FaultParams) => {
        if (event.type !== 'RAISE') return context.raisedAt;
        const recent = (context.raisedAt[fault] ?? []).filter((t) => event.at - t < context.repeatedFaultWindowMs);
        return { ...context.raisedAt, [fault]: [...recent, event.at] };
      },
    }),
    forgetRaises: assign({
      raisedAt: ({ context }, { fault }: FaultParams) => ({ ...context.raisedAt, [fault]: [] }),
    }),
  },
  guards: {
    isFault: ({ event }, { fault }: FaultParams) => 'fault' in event && event.fault === fault,
    /** This raise is one too many within the window (counting it). */
    repeatsTooOften: ({ context, event }, { fault }: FaultParams) => {
      if (event.type !== 'RAISE' || event.fault !== fault) return false;
      const recent = (context.raisedAt[fault] ?? []).filter((t) => event.at - t < context.repeatedFaultWindowMs);
      return recent.length + 1 > context.repeatedFaultLimit;
    },
  },
  delays: {
    faultRetryDelay: ({ context }) => context.faultRetryDelayMs,
  },
});

/** A site's own stricter recovery for some faults (e.g. an emergency stop that latches until a technician reset). */
export type RecoveryOverrides = Readonly<Partial<Record<FaultName, FaultRecovery>>>;

/** The lifecycle region of one fault, shaped by its recovery rule. */
function faultRegion(fault: FaultName, overrides: RecoveryOverrides) {
  const def = { ...FAULTS[fault], recovery: overrides[fault] ?? FAULTS[fault].recovery };
  const params = { fault };
  const isThis = { type: 'isFault', params } as const;
  const recoveredTarget =
    def.recovery === 'latched' ? 'latched'
      : def.recovery === 'untilUnplug' ? 'awaitingUnplug'
        : def.holdoff === 'faultRetryDelay' ? 'holdoff'
          : 'clear';
  const raise = [
    ...(def.recovery === 'latched'
      ? []
      // The condition is present at this raise: latchedActive, so a reset waits for its CLEAR.
      : [{ guard: { type: 'repeatsTooOften', params } as const, target: 'latchedActive', actions: { type: 'recordRaise', params } as const }]),
    { guard: isThis, target: 'active', actions: { type: 'recordRaise', params } as const },
  ];
  return {
    initial: 'clear',
    states: {
      clear: { on: { RAISE: raise } },
      active: { on: { CLEAR: { guard: isThis, target: recoveredTarget } } },
      holdoff: {
        after: { faultRetryDelay: 'clear' },
        on: { RAISE: raise },
      },
      awaitingUnplug: {
        on: { UNPLUGGED: 'clear', RAISE: raise },
      },
      /** Only a technician reset clears it, and only once its condition is gone. */
      latched: {
        on: {
          RAISE: { guard: isThis, target: 'latchedActive' },
          RESET: { target: 'clear', actions: { type: 'forgetRaises', params } as const },
        },
      },
      latchedActive: { on: { CLEAR: { guard: isThis, target: 'latched' } } },
    },
  };
}

export function createSafetySupervisor(faults: readonly FaultName[], overrides: RecoveryOverrides = {}) {
  return supervisorSetup.createMachine({
    id: 'safetySupervisor',
    type: 'parallel',
    context: ({ input }) => ({ ...input, raisedAt: {} }),
    // Typed loosely: the regions are generated from the fault table.
    states: Object.fromEntries(faults.map((fault) => [fault, faultRegion(fault, overrides)])) as never,
  });
}

export type SafetySupervisorMachine = ReturnType<typeof createSafetySupervisor>;
export type SafetySupervisorSnapshot = SnapshotFrom<SafetySupervisorMachine>;

export interface FaultState {
  readonly fault: FaultName;
  readonly phase: FaultPhase;
  /** Whether the fault keeps power off now (anything but clear). */
  readonly blocking: boolean;
  readonly latched: boolean;
}

/** Reads the phase of every fault that is not clear. */
export function faultStates(snapshot: SafetySupervisorSnapshot): FaultState[] {
  const value = snapshot.value as Record<string, string>;
  const states: FaultState[] = [];
  for (const [fault, raw] of Object.entries(value)) {
    if (raw === 'clear') continue;
    const phase: FaultPhase = raw === 'latchedActive' ? 'latched' : (raw as FaultPhase);
    states.push({ fault: fault as FaultName, phase, blocking: true, latched: phase === 'latched' });
  }
  return states;
}
