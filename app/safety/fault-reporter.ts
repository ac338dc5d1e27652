import type { FaultName } from '../../state-machines/faults.js';

/** Readings that explain a fault, kept in the fault log. */
export type FaultValues = Readonly<Record<string, number | string | boolean | null>>;

/**
 * How detectors tell the safety supervisor about a condition. `raise` must open the contactor
 * before it returns (the connector wires it so); `clear` says the condition is gone.
 * A one-shot condition (a failed check) is raised and cleared at once: its recovery rule decides the rest.
 */
export interface FaultReporter {
  raise(fault: FaultName, values: FaultValues): void;
  clear(fault: FaultName): void;
}
