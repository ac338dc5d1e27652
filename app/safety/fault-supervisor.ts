// A safety supervisor actor (state-machines/safety-supervisor.ts) for a set of faults, with the
// fault-handling figures from the config, its fault states told to `onFaults` and an actor error
// sent to the fail-safe. The station and each connector have one; the caller starts it.

import { createActor, type Actor } from 'xstate';
import type { Clock } from '../../hal/clock.js';
import type { SafetyConfig } from '../../config/charger-config.js';
import type { FaultName } from '../../state-machines/faults.js';
import {
  createSafetySupervisor,
  faultStates,
  type FaultState,
  type RecoveryOverrides,
  type SafetySupervisorMachine,
} from '../../state-machines/safety-supervisor.js';
import type { SoftwareFaultHandler } from './fail-safe.js';

export interface FaultSupervisorOptions {
  readonly faults: readonly FaultName[];
  readonly overrides?: RecoveryOverrides;
  readonly safety: SafetyConfig;
  readonly clock: Clock;
  /** For the fail-safe's log line: "station safety supervisor". */
  readonly where: string;
  readonly onFaults: (faults: FaultState[]) => void;
  readonly onSoftwareFault: SoftwareFaultHandler;
}

export interface FaultSupervisor {
  readonly actor: Actor<SafetySupervisorMachine>;
  /** Stops telling `onFaults` and the fail-safe. */
  readonly unsubscribe: () => void;
}

export function createFaultSupervisor(options: FaultSupervisorOptions): FaultSupervisor {
  const { faults, safety, onFaults, onSoftwareFault, where } = options;
  const actor = createActor(createSafetySupervisor(faults, options.overrides), {
    clock: options.clock,
    input: {
      faults,
      repeatedFaultLimit: safety.repeatedFaultLimit,
      repeatedFaultWindowMs: safety.repeatedFaultWindowMs,
      faultRetryDelayMs: safety.faultRetryDelayMs,
    },
  });
  const { unsubscribe } = actor.subscribe({
    next: (snapshot) => onFaults(faultStates(snapshot)),
    error: (error) => onSoftwareFault({ source: 'actor', where, error }),
  });
  return { actor, unsubscribe };
}
