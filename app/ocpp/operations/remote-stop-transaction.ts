// RemoteStopTransaction (OCPP 1.6 §5.12, §6.38–6.39): ends the session the backend knows by
// this transactionId, reason Remote.

import type { IncomingOperation, OcppServices } from '../services.js';

export const ACTION = 'RemoteStopTransaction';

export interface RemoteStopTransactionRequest {
  readonly transactionId: number;
}

export interface RemoteStopTransactionConf {
  readonly status: 'Accepted' | 'Rejected';
}

export const remoteStopTransaction: IncomingOperation = {
  action: ACTION,
  handle(services: OcppServices, request: RemoteStopTransactionRequest): RemoteStopTransactionConf {
    if (services.registration() !== 'Accepted') return { status: 'Rejected' }; // §4.2: not while Pending
    const connectorId = services.transactions.connectorForTransaction(request.transactionId);
    if (connectorId === null) return { status: 'Rejected' };
    services.afterAnswer(() => void services.charger.stopSession(connectorId, 'Remote'));
    return { status: 'Accepted' };
  },
};
