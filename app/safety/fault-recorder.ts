// The fault log's writer: each fault episode of a connector or of the station is appended to the
// fault log when it is raised, latched, cleared or reset, and remembered as active since then.

import type { Clock } from '../../hal/clock.js';
import { FAULTS, type FaultName } from '../../state-machines/faults.js';
import type { FaultState } from '../../state-machines/safety-supervisor.js';
import type { FaultLogStore } from '../persistence/fault-log-store.js';
import type { ActiveFault, FaultLogEntry } from '../records.js';
import type { FaultValues } from './fault-reporter.js';

export class FaultRecorder {
  /** When each active fault was raised, by "connectorId:fault" ("station:fault" for the station). */
  private readonly raisedAt = new Map<string, string>();

  constructor(
    private readonly clock: Clock,
    private readonly store: FaultLogStore,
    private readonly log?: (message: string, fields?: Record<string, unknown>) => void,
  ) {}

  /** A fault's state changed (connectorId null for the station); phase changes within an episode are not logged. */
  record(connectorId: number | null, fault: FaultName, previous: FaultState | null, next: FaultState | null, values: FaultValues): void {
    const event: FaultLogEntry['event'] =
      next === null ? (previous?.latched ? 'reset' : 'cleared')
        : next.latched ? 'latched'
          : 'raised';
    if (next !== null && previous !== null && !next.latched) return; // phase changes within an episode (active → holdoff …)
    const at = new Date(this.clock.now()).toISOString();
    const key = `${connectorId ?? 'station'}:${fault}`;
    if (next === null) this.raisedAt.delete(key);
    else if (!this.raisedAt.has(key)) this.raisedAt.set(key, at);
    const entry: FaultLogEntry = { at, connectorId, fault, event, ocppErrorCode: FAULTS[fault].ocppErrorCode, values };
    this.store.append(entry);
    this.log?.(`fault ${event}`, { ...entry });
  }

  /** When the fault was raised on the connector (or, failing that, on the station); '' if unknown. */
  since(fault: FaultName, connectorId: number | null): string {
    return this.raisedAt.get(`${connectorId ?? 'station'}:${fault}`) ?? this.raisedAt.get(`station:${fault}`) ?? '';
  }

  active(state: FaultState, connectorId: number | null): ActiveFault {
    return { fault: state.fault, since: this.since(state.fault, connectorId), latched: state.latched, ocppErrorCode: FAULTS[state.fault].ocppErrorCode };
  }
}
