// What the charge point decides alone, while offline (OCPP 1.6 §3.5, §3.5.4, §9.1.1, §9.1.12).

import type { IdTagInfo } from '../ocpp-types.js';

export type AuthorizationSource = 'online' | 'cache' | 'offline-unknown' | 'offline-refused';

/** The decision and what it rests on. Accepted exactly when `info.status` is Accepted. */
export interface AuthorizationCheck {
  readonly info: IdTagInfo;
  readonly source: AuthorizationSource;
}

export interface OfflineSettings {
  /** §9.1.12 LocalAuthorizeOffline. */
  readonly localAuthorizeOffline: boolean;
  /** §9.1.1 AllowOfflineTxForUnknownId. */
  readonly allowOfflineTxForUnknownId: boolean;
}

/** `cached`: the cache's entry (Expired once past its date), undefined when unknown or the cache is off. */
export function decideOffline(cached: IdTagInfo | undefined, settings: OfflineSettings): AuthorizationCheck {
  if (cached?.status === 'Accepted' && settings.localAuthorizeOffline) return { info: cached, source: 'cache' };
  // §3.5.4: an id known with another status, or apparently expired, MUST be rejected. An Accepted
  // entry the cache may not vouch for (LocalAuthorizeOffline off) does not count against the id.
  if (cached && cached.status !== 'Accepted') return { info: cached, source: 'offline-refused' };
  if (settings.allowOfflineTxForUnknownId) return { info: { status: 'Accepted' }, source: 'offline-unknown' };
  return { info: { status: 'Invalid' }, source: 'offline-refused' };
}
