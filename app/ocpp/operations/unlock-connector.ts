// UnlockConnector (OCPP 1.6 §5.17, §6.52–6.53): ends a session on the connector (reason
// UnlockCommand) and releases its plug. A tethered cable has no lock: NotSupported.

import type { IncomingOperation, OcppServices } from '../services.js';

export const ACTION = 'UnlockConnector';

export interface UnlockConnectorRequest {
  readonly connectorId: number;
}

export interface UnlockConnectorConf {
  readonly status: 'Unlocked' | 'UnlockFailed' | 'NotSupported';
}

export const unlockConnector: IncomingOperation = {
  action: ACTION,
  async handle(services: OcppServices, request: UnlockConnectorRequest): Promise<UnlockConnectorConf> {
    if (!services.charger.connectorIds.includes(request.connectorId)) return { status: 'NotSupported' };
    return { status: await services.charger.unlock(request.connectorId) };
  },
};
