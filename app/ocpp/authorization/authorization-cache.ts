// The Authorization Cache (OCPP 1.6 §3.5.1), persisted in `<dataDir>/ocpp-authorization-cache.json`
// so it survives reboots, resets and power cuts (errata v4 §3.4).
//
// It holds the latest IdTagInfo received for each id, valid and NOT-valid alike (§3.5.1), keyed
// case-insensitively (CiString20Type). An entry whose expiryDate has passed reads as Expired and
// is stored so (§3.5.1 "SHALL be changed to expired"; kept, not removed, so that offline it is
// refused rather than taken for unknown, §3.5.4). When full, the least recently used NOT-valid
// entry goes first, then the least recently used valid one (§3.5.1).
//
// Lookups never wait on the disk. Updates are written in the background (the adapter coalesces
// them); `update` returns a promise that settles once written or failed (reported), never rejecting.
// `clear` resolves only once the empty cache is on disk, and rejects (cache kept) when that failed.

import { join } from 'node:path';
import type { Low } from 'lowdb';

import type { Clock } from '../../../hal/clock.js';
import { consoleReporter, openDurableDb, versionedListValidator, type PersistenceReporter } from '../../persistence/durable-json-file.js';
import type { IdTagInfo } from '../ocpp-types.js';
import { cleanIdTagInfo, idTagInfoProblem, idTagKey, isPastExpiry, isValidStatus } from './id-tag-info.js';

export const AUTHORIZATION_CACHE_FILE = 'ocpp-authorization-cache.json';
export const DEFAULT_MAX_CACHE_ENTRIES = 1000;

export interface AuthorizationCacheOptions {
  /** The backend-corrected clock (OcppTime.clock): expiryDate is a time of the Central System's. */
  readonly clock: Clock;
  /** Told about a corrupt file (moved aside, the cache starts empty) or a failed write. Default: console.error. */
  readonly report?: PersistenceReporter;
  /** Default 1000. */
  readonly maxEntries?: number;
}

interface CacheEntry {
  /** As last received (the key is its upper-case form). */
  readonly idTag: string;
  readonly info: IdTagInfo;
}

interface CacheFile {
  version: 1;
  /** Least recently used first. */
  entries: CacheEntry[];
}

function entryProblem(item: unknown): string | null {
  if (typeof item !== 'object' || item === null) return 'entry';
  const e = item as Record<string, unknown>;
  if (typeof e['idTag'] !== 'string' || e['idTag'] === '') return 'idTag';
  const bad = idTagInfoProblem(e['info']);
  return bad && `info.${bad}`;
}

const validateCacheFile = versionedListValidator('authorization cache', 'entries', entryProblem);

export class AuthorizationCache {
  /** By idTagKey; Map order is use order, least recently used first. */
  private readonly entries = new Map<string, CacheEntry>();
  private lastWrite: Promise<void> = Promise.resolve();

  private constructor(
    private readonly db: Low<CacheFile>,
    private readonly clock: Clock,
    readonly maxEntries: number,
  ) {
    for (const entry of db.data.entries) this.put(entry.idTag, entry.info);
  }

  static async open(dataDir: string, options: AuthorizationCacheOptions): Promise<AuthorizationCache> {
    const max = options.maxEntries ?? DEFAULT_MAX_CACHE_ENTRIES;
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`bad maxEntries ${max}`);
    const db = await openDurableDb<CacheFile>(join(dataDir, AUTHORIZATION_CACHE_FILE), () => ({ version: 1, entries: [] }), {
      report: options.report ?? consoleReporter,
      validate: validateCacheFile,
      now: () => new Date(options.clock.now()),
    });
    const cache = new AuthorizationCache(db, options.clock, max);
    if (cache.entries.size !== db.data.entries.length) await cache.persist(); // duplicates merged or trimmed to a lower max
    return cache;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The cached IdTagInfo (Expired once past its expiryDate), or undefined. Counts as a use. */
  get(idTag: string): IdTagInfo | undefined {
    const key = idTagKey(idTag);
    const found = this.entries.get(key);
    if (!found) return undefined;
    const expires = found.info.status !== 'Expired' && isPastExpiry(found.info, this.clock.now());
    const entry = expires ? { idTag: found.idTag, info: { ...found.info, status: 'Expired' as const } } : found;
    this.entries.delete(key);
    this.entries.set(key, entry);
    if (expires) void this.persist(); // only this change is written; a mere use is not worth a flash write
    return entry.info;
  }

  /** §3.5.1: from every IdTagInfo received (Authorize.conf, StartTransaction.conf, StopTransaction.conf). */
  update(idTag: string, info: IdTagInfo): Promise<void> {
    this.put(idTag, info);
    return this.persist();
  }

  /** ClearCache.req (§5.4): resolves once the empty cache is durable; rejects, keeping the entries, when not. */
  async clear(): Promise<void> {
    const before = [...this.entries];
    this.entries.clear();
    const written = this.write();
    this.lastWrite = written.catch(() => undefined);
    try {
      await written;
    } catch (err) {
      // Put back what was there, under anything learnt while the write was failing.
      const since = [...this.entries];
      this.entries.clear();
      for (const [key, entry] of [...before, ...since]) {
        this.entries.delete(key);
        this.entries.set(key, entry);
      }
      this.trim();
      throw err;
    }
  }

  /** Settles once every update asked for so far is written (or has failed). Never rejects. */
  flush(): Promise<void> {
    return this.lastWrite;
  }

  private put(idTag: string, info: IdTagInfo): void {
    const key = idTagKey(idTag);
    this.entries.delete(key);
    this.entries.set(key, { idTag, info: cleanIdTagInfo(info) });
    this.trim();
  }

  /** Makes room (§3.5.1): NOT-valid entries first, then valid ones, least recently used first; never the newest. */
  private trim(): void {
    const now = this.clock.now();
    const notValid = (e: CacheEntry) => !isValidStatus(e.info.status) || isPastExpiry(e.info, now);
    while (this.entries.size > this.maxEntries) {
      const older = [...this.entries].slice(0, -1);
      const victim = older.find(([, e]) => notValid(e)) ?? older[0]!;
      this.entries.delete(victim[0]);
    }
  }

  private persist(): Promise<void> {
    this.lastWrite = this.write().catch(() => undefined); // reported by the adapter
    return this.lastWrite;
  }

  private write(): Promise<void> {
    this.db.data = { version: 1, entries: [...this.entries.values()] };
    return this.db.write();
  }
}
