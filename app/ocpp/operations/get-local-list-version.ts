// GetLocalListVersion (OCPP 1.6 §5.10, §6.27–6.28): the local authorization list's version; 0 when
// it is empty, -1 while LocalAuthListEnabled is false (the list is not in use).

import type { IncomingOperation, OcppServices } from '../services.js';

export const ACTION = 'GetLocalListVersion';

export interface GetLocalListVersionConf {
  readonly listVersion: number;
}

export const getLocalListVersion: IncomingOperation = {
  action: ACTION,
  handle(services: OcppServices): GetLocalListVersionConf {
    const { configuration, localList } = services;
    return { listVersion: configuration.boolean('LocalAuthListEnabled') ? localList.version : -1 };
  },
};
