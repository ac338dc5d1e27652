// Small pure helpers on idTags and IdTagInfo (OCPP 1.6 §7.13), shared by the cache and the authorizer.

import type { IdTagInfo } from '../ocpp-types.js';

export type AuthorizationStatus = IdTagInfo['status'];

export const AUTHORIZATION_STATUSES: readonly AuthorizationStatus[] = ['Accepted', 'Blocked', 'Expired', 'Invalid', 'ConcurrentTx'];

/** IdToken is CiString20Type, case-insensitive (errata v4 §3.73): the one key every lookup uses. */
export function idTagKey(idTag: string): string {
  return idTag.toUpperCase();
}

export function sameIdTag(a: string, b: string): boolean {
  return idTagKey(a) === idTagKey(b);
}

/** Past its expiryDate (§7.13: none = no end date). An unreadable date counts as passed: never trust it. */
export function isPastExpiry(info: IdTagInfo, nowMs: number): boolean {
  if (info.expiryDate === undefined) return false;
  const at = Date.parse(info.expiryDate);
  return Number.isNaN(at) || nowMs >= at;
}

/** Valid in the sense of §3.5.1/§3.5.2: Accepted or ConcurrentTx (and not expired, which the cache has applied). */
export function isValidStatus(status: AuthorizationStatus): boolean {
  return status === 'Accepted' || status === 'ConcurrentTx';
}

/** A copy holding only the IdTagInfo fields (answers may carry more). */
export function cleanIdTagInfo(info: IdTagInfo): IdTagInfo {
  return {
    status: info.status,
    ...(info.expiryDate !== undefined ? { expiryDate: info.expiryDate } : {}),
    ...(info.parentIdTag !== undefined ? { parentIdTag: info.parentIdTag } : {}),
  };
}

/** Why `value` is not an IdTagInfo (the bad field), or null. */
export function idTagInfoProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null) return 'idTagInfo';
  const v = value as Record<string, unknown>;
  if (!AUTHORIZATION_STATUSES.includes(v['status'] as AuthorizationStatus)) return 'status';
  if (v['expiryDate'] !== undefined && typeof v['expiryDate'] !== 'string') return 'expiryDate';
  if (v['parentIdTag'] !== undefined && typeof v['parentIdTag'] !== 'string') return 'parentIdTag';
  return null;
}
