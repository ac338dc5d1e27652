// The Local Authorization List (OCPP 1.6 §3.5.2, 2.0.1 D01–D02), protocol-neutral: identifiers the
// backend grants or refuses ahead of time, with a version, persisted in
// `<dataDir>/local-authorization-list.json` so it survives reboots and power cuts.
//
// An update is built aside, written whole (durable-json-file: write-then-rename), and only then
// swapped in: a power cut mid-update leaves the old list or the new one on disk, never a mix, and
// lookups never see a half-applied update. Updates run one at a time, in the order asked.
// Lookups are one Map read, and never wait on the disk.

import { join } from 'node:path';
import type { Low } from 'lowdb';

import type { Clock } from '../../hal/clock.js';
import { consoleReporter, openDurableDb, versionedListValidator, type PersistenceReporter } from '../persistence/durable-json-file.js';
import { applyUpdate, asOf, LIST_STATUSES, tokenKey, type ListEntry, type ListLimits, type ListStatus, type ListUpdate, type UpdateRefusal } from './list-update.js';

export const LOCAL_LIST_FILE = 'local-authorization-list.json';

export interface LocalListOptions {
  /** The backend-corrected clock: an entry's expiry is a time of the backend's. */
  readonly clock: Clock;
  /** Read at every update (they may come from configuration). */
  readonly limits: () => ListLimits;
  /** Told about a corrupt file (moved aside, the list starts empty) or a failed write. Default: console.error. */
  readonly report?: PersistenceReporter;
}

export type UpdateResult = { readonly status: 'accepted'; readonly version: number } | UpdateRefusal;

interface ListFile {
  version: 1;
  /** The list's version (0: empty). */
  listVersion: number;
  entries: ListEntry[];
}

function entryProblem(item: unknown): string | null {
  if (typeof item !== 'object' || item === null) return 'entry';
  const e = item as Record<string, unknown>;
  if (typeof e['idToken'] !== 'string' || e['idToken'] === '') return 'idToken';
  if (!LIST_STATUSES.includes(e['status'] as ListStatus)) return 'status';
  if (e['expiresAt'] !== undefined && !Number.isFinite(e['expiresAt'])) return 'expiresAt';
  if (e['group'] !== undefined && typeof e['group'] !== 'string') return 'group';
  return null;
}

const validateEntries = versionedListValidator('local authorization list', 'entries', entryProblem);

function validateFile(value: unknown): string | null {
  const bad = validateEntries(value);
  if (bad) return bad;
  const { listVersion, entries } = value as ListFile;
  if (!Number.isSafeInteger(listVersion) || listVersion < 0) return `bad listVersion ${JSON.stringify(listVersion)}`;
  if ((listVersion === 0) !== (entries.length === 0)) return `listVersion ${listVersion} with ${entries.length} entries`;
  return null;
}

export class LocalList {
  private entries: ReadonlyMap<string, ListEntry>;
  private listVersion: number;
  /** The update being applied; the next one waits for it. */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly db: Low<ListFile>,
    private readonly options: LocalListOptions,
  ) {
    this.entries = new Map(db.data.entries.map((e) => [tokenKey(e.idToken), e]));
    this.listVersion = this.entries.size === 0 ? 0 : db.data.listVersion;
  }

  static async open(dataDir: string, options: LocalListOptions): Promise<LocalList> {
    const db = await openDurableDb<ListFile>(join(dataDir, LOCAL_LIST_FILE), () => ({ version: 1, listVersion: 0, entries: [] }), {
      report: options.report ?? consoleReporter,
      validate: validateFile,
      now: () => new Date(options.clock.now()),
    });
    return new LocalList(db, options);
  }

  /** The list's version; 0 when empty. */
  get version(): number {
    return this.listVersion;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The entry for `idToken` (expired once past its expiry), or undefined when not listed. */
  lookup(idToken: string): ListEntry | undefined {
    const entry = this.entries.get(tokenKey(idToken));
    return entry && asOf(entry, this.options.clock.now());
  }

  /** The group of a listed identifier (whatever its status), for group checks (a reservation's, a stop's). */
  groupOf(idToken: string): string | undefined {
    return this.entries.get(tokenKey(idToken))?.group;
  }

  /** Applies a full or differential update; 'failed' (list unchanged) when refused or not saved. */
  update(update: ListUpdate): Promise<UpdateResult> {
    const run = this.queue.then(() => this.apply(update));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async apply(update: ListUpdate): Promise<UpdateResult> {
    const next = applyUpdate(this.entries, this.listVersion, update, this.options.limits());
    if (next.status !== 'accepted') return next;
    const before = this.db.data;
    this.db.data = { version: 1, listVersion: next.version, entries: [...next.entries.values()] };
    try {
      await this.db.write();
    } catch (err) {
      this.db.data = before; // reported by the adapter
      return { status: 'failed', reason: `not saved (${(err as Error).message})` };
    }
    this.entries = next.entries;
    this.listVersion = next.version;
    return { status: 'accepted', version: next.version };
  }
}
