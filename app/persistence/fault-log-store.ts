// The fault log: every fault raised, cleared, latched or reset, persisted to
// `<dataDir>/fault-log.json`. `append` is synchronous in memory and persists in the
// background (coalesced); `flush()` awaits what is pending.

import { join } from 'node:path';

import type { FaultLogEntry } from '../records.js';
import { BoundedLogFile } from './bounded-log-file.js';
import type { PersistenceReporter } from './durable-json-file.js';

export const FAULT_LOG_FILE = 'fault-log.json';
export const DEFAULT_MAX_FAULT_LOG_ENTRIES = 2000;

export interface FaultLogStoreOptions {
  /** Oldest entries are dropped beyond this many. Default 2000. */
  readonly maxEntries?: number;
  /** Told about a corrupt file or a failed write. Default: console.error. */
  readonly report?: PersistenceReporter;
}

const EVENTS: readonly string[] = ['raised', 'cleared', 'latched', 'reset'];

function entryProblem(e: unknown): string | null {
  if (typeof e !== 'object' || e === null) return 'not an object';
  const r = e as Record<string, unknown>;
  if (typeof r['at'] !== 'string') return 'at';
  if (r['connectorId'] !== null && !Number.isInteger(r['connectorId'])) return 'connectorId';
  // A fault name this firmware does not know (from a newer one) is kept: history is history.
  if (typeof r['fault'] !== 'string') return 'fault';
  if (!EVENTS.includes(r['event'] as string)) return 'event';
  if (typeof r['ocppErrorCode'] !== 'string') return 'ocppErrorCode';
  if (typeof r['values'] !== 'object' || r['values'] === null || Array.isArray(r['values'])) return 'values';
  return null;
}

function frozenEntry(entry: FaultLogEntry): FaultLogEntry {
  return Object.freeze({ ...entry, values: Object.freeze({ ...entry.values }) });
}

export class FaultLogStore {
  private constructor(private readonly log: BoundedLogFile<FaultLogEntry>) {}

  /** Opens (creating if needed) `<dataDir>/fault-log.json`. A corrupt file is moved aside and reported. */
  static async open(dataDir: string, options: FaultLogStoreOptions = {}): Promise<FaultLogStore> {
    const log = await BoundedLogFile.open<FaultLogEntry>(
      join(dataDir, FAULT_LOG_FILE),
      { kind: 'fault log', listKey: 'entries', itemProblem: entryProblem, freeze: frozenEntry },
      { maxItems: options.maxEntries ?? DEFAULT_MAX_FAULT_LOG_ENTRIES, ...(options.report ? { report: options.report } : {}) },
    );
    return new FaultLogStore(log);
  }

  /** Adds an entry (kept in memory at once, written in the background). Returns the stored copy. */
  append(entry: FaultLogEntry): FaultLogEntry {
    return this.log.append(entry);
  }

  /** Every entry kept, oldest first. */
  list(): readonly FaultLogEntry[] {
    return this.log.list();
  }

  /** Writes what is pending now and waits until it is on disk. Rejects if that write failed. */
  flush(): Promise<void> {
    return this.log.flush();
  }
}
