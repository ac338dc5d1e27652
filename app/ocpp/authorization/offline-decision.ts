// What the charge point decides alone, while offline (OCPP 1.6 §3.5, §3.5.4, §9.1.1, §9.1.12).

import type { IdTagInfo } from '../ocpp-types.js';

export type AuthorizationSource = 'online' | 'local-list' | 'cache' | 'offline-unknown' | 'offline-refused';

/** The decision and what it rests on. Accepted exactly when `info.status` is Accepted. */
export interface AuthorizationCheck {
  readonly info: IdTagInfo;
  readonly source: AuthorizationSource;
}

/** What an id is known as locally: its Local Authorization List entry or, failing that, its cache entry. */
export interface KnownId {
  readonly info: IdTagInfo;
  readonly source: 'local-list' | 'cache';
}

export interface OfflineSettings {
  /** §9.1.12 LocalAuthorizeOffline. */
  readonly localAuthorizeOffline: boolean;
  /** §9.1.1 AllowOfflineTxForUnknownId. */
  readonly allowOfflineTxForUnknownId: boolean;
}

/** `known`: the list's or the cache's entry (Expired once past its date), undefined when unknown. */
export function decideOffline(known: KnownId | undefined, settings: OfflineSettings): AuthorizationCheck {
  if (known?.info.status === 'Accepted' && settings.localAuthorizeOffline) return known;
  // §3.5.4: an id known with another status, or apparently expired, MUST be rejected. An Accepted
  // entry that may not vouch for it (LocalAuthorizeOffline off) does not count against the id.
  if (known && known.info.status !== 'Accepted') return { info: known.info, source: 'offline-refused' };
  if (settings.allowOfflineTxForUnknownId) return { info: { status: 'Accepted' }, source: 'offline-unknown' };
  return { info: { status: 'Invalid' }, source: 'offline-refused' };
}
