// ClearCache (OCPP 1.6 §5.4, §6.10–6.11): empties the authorization cache.

import type { IncomingOperation, OcppServices } from '../services.js';

export const ACTION = 'ClearCache';

export interface ClearCacheConf {
  readonly status: 'Accepted' | 'Rejected';
}

export const clearCache: IncomingOperation = {
  action: ACTION,
  async handle(services: OcppServices): Promise<ClearCacheConf> {
    return { status: services.authorizer ? await services.authorizer.clearCache() : 'Accepted' };
  },
};
