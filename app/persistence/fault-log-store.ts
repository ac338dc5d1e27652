// The fault log: every fault raised, cleared, latched or reset, persisted to
// `<dataDir>/fault-log.json`. `append` is synchronous in memory and persists in the
// background (coalesced); `flush()` awaits what is pending.

import { join } from 'node:path';
import type { Low } from 'lowdb';

import type { FaultLogEntry } from '../records.js';
import { consoleReporter, openDurableDb, versionedListValidator, type PersistenceReporter } from './durable-json-file.js';

export const FAULT_LOG_FILE = 'fault-log.json';
export const DEFAULT_MAX_FAULT_LOG_ENTRIES = 2000;

export interface FaultLogStoreOptions {
  /** Oldest entries are dropped beyond this many. Default 2000. */
  readonly maxEntries?: number;
  /** Told about a corrupt file or a failed write. Default: console.error. */
  readonly report?: PersistenceReporter;
}

interface FaultLogFile {
  version: 1;
  entries: FaultLogEntry[];
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

const validateFaultLogFile = versionedListValidator('fault log', 'entries', entryProblem);

function frozenEntry(entry: FaultLogEntry): FaultLogEntry {
  return Object.freeze({ ...entry, values: Object.freeze({ ...entry.values }) });
}

export class FaultLogStore {
  private readonly maxEntries: number;

  private constructor(
    private readonly db: Low<FaultLogFile>,
    options: FaultLogStoreOptions,
  ) {
    this.maxEntries = Math.max(1, options.maxEntries ?? DEFAULT_MAX_FAULT_LOG_ENTRIES);
    this.db.data.entries = this.db.data.entries.map(frozenEntry);
  }

  /** Opens (creating if needed) `<dataDir>/fault-log.json`. A corrupt file is moved aside and reported. */
  static async open(dataDir: string, options: FaultLogStoreOptions = {}): Promise<FaultLogStore> {
    const db = await openDurableDb<FaultLogFile>(join(dataDir, FAULT_LOG_FILE), () => ({ version: 1, entries: [] }), {
      report: options.report ?? consoleReporter,
      validate: validateFaultLogFile,
    });
    return new FaultLogStore(db, options);
  }

  /** Adds an entry (kept in memory at once, written in the background). Returns the stored copy. */
  append(entry: FaultLogEntry): FaultLogEntry {
    const stored = frozenEntry(entry);
    const entries = this.db.data.entries;
    entries.push(stored);
    if (entries.length > this.maxEntries) entries.splice(0, entries.length - this.maxEntries);
    this.db.write().catch(() => {
      // Already reported by the adapter; the next write carries the data again.
    });
    return stored;
  }

  /** Every entry kept, oldest first. */
  list(): readonly FaultLogEntry[] {
    return Object.freeze(this.db.data.entries.slice());
  }

  /** Writes what is pending now and waits until it is on disk. Rejects if that write failed. */
  async flush(): Promise<void> {
    await this.db.write();
  }
}
