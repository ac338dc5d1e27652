// Reset (OCPP 1.6 §5.13, §6.40–6.41): Soft ends every session (reason SoftReset) and restarts
// the firmware; Hard ends them (reason HardReset) and restarts the process. Either way the
// StopTransactions are queued first, so none is lost.

import type { IncomingOperation, OcppServices, ResetType } from '../services.js';

export const ACTION = 'Reset';

export interface ResetRequest {
  readonly type: ResetType;
}

export interface ResetConf {
  readonly status: 'Accepted' | 'Rejected';
}

export const reset: IncomingOperation = {
  action: ACTION,
  handle(services: OcppServices, request: ResetRequest): ResetConf {
    services.log('warn', `${request.type} reset requested by the backend`);
    services.afterAnswer(() => services.reset(request.type));
    return { status: 'Accepted' };
  },
};
