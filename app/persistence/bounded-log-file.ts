// A durable, bounded, append-only list in one JSON file (`{ version: 1, <listKey>: [...] }`), the
// shape of the fault log and the security event log: the newest `maxItems` are kept. An append is
// in memory at once and written in the background (a failed write is reported by the adapter and
// the next write carries the item again); `flush()` waits for the disk. A damaged file is moved
// aside and reported (durable-json-file.ts), and the log starts empty.

import type { Low } from 'lowdb';

import { consoleReporter, openDurableDb, versionedListValidator, type PersistenceReporter } from './durable-json-file.js';

export interface BoundedLogFileSpec<T> {
  /** For reports: "fault log". */
  readonly kind: string;
  /** The list's member in the file: "entries". */
  readonly listKey: string;
  /** What is wrong with one stored item, or null. */
  readonly itemProblem: (item: unknown) => string | null;
  /** The immutable copy kept in memory. */
  readonly freeze: (item: T) => T;
}

export interface BoundedLogFileOptions {
  readonly maxItems: number;
  /** Told about a damaged file or a failed write. Default: console.error. */
  readonly report?: PersistenceReporter;
}

type ListFile<T> = { version: 1 } & Record<string, T[]>;

export class BoundedLogFile<T> {
  private constructor(
    private readonly db: Low<ListFile<T>>,
    private readonly spec: BoundedLogFileSpec<T>,
    private readonly maxItems: number,
  ) {
    db.data[spec.listKey] = this.items.map(spec.freeze);
  }

  /** Opens (creating if needed) `file`. */
  static async open<T>(file: string, spec: BoundedLogFileSpec<T>, options: BoundedLogFileOptions): Promise<BoundedLogFile<T>> {
    const db = await openDurableDb<ListFile<T>>(file, () => ({ version: 1, [spec.listKey]: [] }) as ListFile<T>, {
      report: options.report ?? consoleReporter,
      validate: versionedListValidator(spec.kind, spec.listKey, spec.itemProblem),
    });
    return new BoundedLogFile(db, spec, Math.max(1, options.maxItems));
  }

  /** Adds an item (kept in memory at once, written in the background). Returns the stored copy. */
  append(item: T): T {
    const stored = this.spec.freeze(item);
    const items = this.items;
    items.push(stored);
    if (items.length > this.maxItems) items.splice(0, items.length - this.maxItems);
    this.db.write().catch(() => {
      // Already reported by the adapter; the next write carries the item again.
    });
    return stored;
  }

  /** Every item kept, oldest first. */
  list(): readonly T[] {
    return Object.freeze(this.items.slice());
  }

  /** Writes what is pending now and waits until it is on disk. Rejects if that write failed. */
  async flush(): Promise<void> {
    await this.db.write();
  }

  private get items(): T[] {
    return this.db.data[this.spec.listKey] as T[];
  }
}
