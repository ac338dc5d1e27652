// SendLocalList (OCPP 1.6 §5.15, §6.41–6.42, errata v4 §3.52): the backend replaces or changes the
// local authorization list. NotSupported while LocalAuthListEnabled is false (§9.2.1); Failed for
// more entries than SendLocalListMaxLength, a version below 1, duplicates, a full update's entry
// without idTagInfo, a list over LocalAuthListMaxLength, or a list not saved; VersionMismatch for
// a differential update not above the current version. The rules are the service's (app/local-list/).

import { toListUpdate, toUpdateStatus, type SendLocalListRequest, type UpdateStatus } from '../local-list/list-mapping.js';
import type { IncomingOperation, OcppServices } from '../services.js';

export const ACTION = 'SendLocalList';

export interface SendLocalListConf {
  readonly status: UpdateStatus;
}

export const sendLocalList: IncomingOperation = {
  action: ACTION,
  async handle(services: OcppServices, request: SendLocalListRequest): Promise<SendLocalListConf> {
    const { configuration, localList, log } = services;
    if (!configuration.boolean('LocalAuthListEnabled')) return { status: 'NotSupported' };
    const update = toListUpdate(request);
    const result = typeof update === 'string' ? { status: 'failed' as const, reason: update } : await localList.update(update);
    if (result.status !== 'accepted') {
      log('warn', `SendLocalList refused: ${result.reason}`, { listVersion: request.listVersion, updateType: request.updateType });
    }
    return { status: toUpdateStatus(result) };
  },
};
