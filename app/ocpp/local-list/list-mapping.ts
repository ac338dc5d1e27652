// OCPP 1.6 onto the local list service (app/local-list/): AuthorizationData (§7.1) and IdTagInfo
// (§7.13) to the service's grants and back, its outcomes to UpdateStatus (§7.47).

import type { ListEntry, ListGrant, ListStatus, ListUpdate } from '../../local-list/list-update.js';
import type { UpdateResult } from '../../local-list/local-list.js';
import type { IdTagInfo } from '../ocpp-types.js';

type AuthorizationStatus = IdTagInfo['status'];

/** §6.41 SendLocalList.req, as its schema (with J errata §2.2) lets it through. */
export interface SendLocalListRequest {
  readonly listVersion: number;
  readonly updateType: 'Full' | 'Differential';
  readonly localAuthorizationList?: ReadonlyArray<{ readonly idTag: string; readonly idTagInfo?: IdTagInfo }>;
}

/** §7.47 UpdateStatus. */
export type UpdateStatus = 'Accepted' | 'Failed' | 'NotSupported' | 'VersionMismatch';

const TO_LIST: Readonly<Record<AuthorizationStatus, ListStatus>> = {
  Accepted: 'accepted',
  Blocked: 'blocked',
  Expired: 'expired',
  Invalid: 'invalid',
  ConcurrentTx: 'concurrentTx',
};

const FROM_LIST: Readonly<Record<ListStatus, AuthorizationStatus>> = {
  accepted: 'Accepted',
  blocked: 'Blocked',
  expired: 'Expired',
  invalid: 'Invalid',
  concurrentTx: 'ConcurrentTx',
};

function toGrant(info: IdTagInfo): ListGrant | string {
  const expiresAt = info.expiryDate === undefined ? undefined : Date.parse(info.expiryDate);
  if (expiresAt !== undefined && Number.isNaN(expiresAt)) return `unreadable expiryDate ${info.expiryDate}`;
  return {
    status: TO_LIST[info.status],
    ...(expiresAt !== undefined ? { expiresAt } : {}),
    ...(info.parentIdTag !== undefined ? { group: info.parentIdTag } : {}),
  };
}

/** The service's update, or why the request cannot be one. */
export function toListUpdate(request: SendLocalListRequest): ListUpdate | string {
  const changes = [];
  for (const { idTag, idTagInfo } of request.localAuthorizationList ?? []) {
    const grant = idTagInfo === undefined ? undefined : toGrant(idTagInfo);
    if (typeof grant === 'string') return `${idTag}: ${grant}`;
    changes.push({ idToken: idTag, ...(grant ? { grant } : {}) });
  }
  return { kind: request.updateType === 'Full' ? 'full' : 'differential', version: request.listVersion, changes };
}

export function toUpdateStatus(result: UpdateResult): UpdateStatus {
  return result.status === 'accepted' ? 'Accepted' : result.status === 'versionMismatch' ? 'VersionMismatch' : 'Failed';
}

/** A list entry as the IdTagInfo it stands for. */
export function toIdTagInfo(entry: ListEntry): IdTagInfo {
  return {
    status: FROM_LIST[entry.status],
    ...(entry.expiresAt !== undefined ? { expiryDate: new Date(entry.expiresAt).toISOString() } : {}),
    ...(entry.group !== undefined ? { parentIdTag: entry.group } : {}),
  };
}
