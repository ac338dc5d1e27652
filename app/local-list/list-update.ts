// The local authorization list's update rules, pure: a full or differential update applied to the
// current entries gives the new entries and version, or a refusal saying why. Protocol-neutral: the
// OCPP 1.6 rules (§5.15, §6.41, errata v4 §3.52) are written here in the service's own terms, and
// OCPP 2.0.1's SendLocalList (D01) has the same shape.

/** What the list says of an identifier (1.6 Accepted/Blocked/Expired/Invalid/ConcurrentTx). */
export type ListStatus = 'accepted' | 'blocked' | 'expired' | 'invalid' | 'concurrentTx';

export const LIST_STATUSES: readonly ListStatus[] = ['accepted', 'blocked', 'expired', 'invalid', 'concurrentTx'];

export interface ListGrant {
  readonly status: ListStatus;
  /** When the grant ends (ms since the epoch, the backend's time). Absent: no end. */
  readonly expiresAt?: number;
  /** The identifier's group (1.6 parentIdTag, 2.0.1 groupIdToken). */
  readonly group?: string;
}

export interface ListEntry extends ListGrant {
  /** As the backend sent it; keys are its upper-case form. */
  readonly idToken: string;
}

/** One item of an update: `grant` absent deletes the entry (differential only). */
export interface ListChange {
  readonly idToken: string;
  readonly grant?: ListGrant;
}

export interface ListUpdate {
  readonly kind: 'full' | 'differential';
  /** The list's version once the update is applied. */
  readonly version: number;
  readonly changes: readonly ListChange[];
}

export interface ListLimits {
  /** Most entries the list may hold (1.6 LocalAuthListMaxLength). */
  readonly maxEntries: number;
  /** Most changes one update may carry (1.6 SendLocalListMaxLength). */
  readonly maxChanges: number;
}

export type UpdateRefusal =
  | { readonly status: 'failed'; readonly reason: string }
  | { readonly status: 'versionMismatch'; readonly reason: string };

export interface UpdatedList {
  readonly status: 'accepted';
  readonly version: number;
  readonly entries: ReadonlyMap<string, ListEntry>;
}

/** Identifiers are case-insensitive (1.6 CiString20Type, 2.0.1 IdToken): the one key every lookup uses. */
export function tokenKey(idToken: string): string {
  return idToken.toUpperCase();
}

const failed = (reason: string): UpdateRefusal => ({ status: 'failed', reason });

/**
 * The list after `update`, or why it is refused (the current list stays). An empty list has
 * version 0 (1.6 §5.10: 0 means empty), whatever version emptied it.
 */
export function applyUpdate(
  current: ReadonlyMap<string, ListEntry>,
  currentVersion: number,
  update: ListUpdate,
  limits: ListLimits,
): UpdatedList | UpdateRefusal {
  // Errata v4 §3.52: 0 and -1 mean "empty" and "not supported" in GetLocalListVersion.conf.
  if (!Number.isSafeInteger(update.version) || update.version < 1) return failed(`version ${update.version} (must be 1 or more)`);
  if (update.changes.length > limits.maxChanges) return failed(`${update.changes.length} entries in one update (at most ${limits.maxChanges})`);
  const seen = new Set<string>();
  for (const change of update.changes) {
    const key = tokenKey(change.idToken);
    if (seen.has(key)) return failed(`${change.idToken} appears twice (§6.41: idTags must be unique)`);
    seen.add(key);
    if (update.kind === 'full' && change.grant === undefined) return failed(`${change.idToken} has no status (required in a full update, §7.1)`);
  }
  // §7.2 VersionMismatch: a differential update's version not above the current one.
  if (update.kind === 'differential' && update.version <= currentVersion) {
    return { status: 'versionMismatch', reason: `differential version ${update.version} is not above the list's ${currentVersion}` };
  }
  const entries = update.kind === 'full' ? new Map<string, ListEntry>() : new Map(current);
  for (const { idToken, grant } of update.changes) {
    if (grant === undefined) entries.delete(tokenKey(idToken));
    else entries.set(tokenKey(idToken), { idToken, ...grant });
  }
  if (entries.size > limits.maxEntries) return failed(`the list would hold ${entries.size} entries (at most ${limits.maxEntries})`);
  return { status: 'accepted', version: entries.size === 0 ? 0 : update.version, entries };
}

/**
 * The entry as it reads at `nowMs`: a valid one (accepted, concurrentTx) is expired once past its
 * expiry (1.6 §3.5.4). The stored entry is not changed: only the backend changes the list (§3.5.2).
 */
export function asOf(entry: ListEntry, nowMs: number): ListEntry {
  const valid = entry.status === 'accepted' || entry.status === 'concurrentTx';
  return valid && entry.expiresAt !== undefined && nowMs >= entry.expiresAt ? { ...entry, status: 'expired' } : entry;
}
