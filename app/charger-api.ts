// What the charger offers its local interfaces (the diagnostics API, the technician CLI,
// tests). The diagnostics server sees only this, never the controller's internals; the
// simulated board's controls reach it directly from the board (app/compose.ts, app/main.ts).

import type { FaultName } from '../state-machines/faults.js';
import type { ChargerStatus, FaultLogEntry, SessionRecord } from './records.js';

export interface ChargerApi {
  status(): ChargerStatus;
  /** Newest last. */
  faultLog(): readonly FaultLogEntry[];
  /** Newest last, including the session in progress. */
  sessions(): readonly SessionRecord[];
  /** Technician reset: clears latched faults whose condition is gone. connectorId null = all. Returns what was cleared. */
  resetFaults(connectorId: number | null): readonly { connectorId: number | null; fault: FaultName }[];
}
