// RemoteStartTransaction (OCPP 1.6 §5.11, §6.36–6.37). The answer says whether we will try;
// with AuthorizeRemoteTxRequests the idTag is authorized first (§5.11), like a card. A
// chargingProfile must be a TxProfile without transactionId; it limits the session it starts.

import type { ChargingProfile } from '../smart-charging/charging-profile.js';
import type { IncomingOperation, OcppServices } from '../services.js';

export const ACTION = 'RemoteStartTransaction';

export interface RemoteStartTransactionRequest {
  readonly connectorId?: number;
  readonly idTag: string;
  readonly chargingProfile?: ChargingProfile;
}

export interface RemoteStartTransactionConf {
  readonly status: 'Accepted' | 'Rejected';
}

const REJECTED: RemoteStartTransactionConf = { status: 'Rejected' };

/** The connector meant: the one named, else the one an EV waits on, else the only free one. */
function pickConnector(services: OcppServices, requested: number | undefined): number | null {
  const { charger } = services;
  if (requested !== undefined) return charger.connectorIds.includes(requested) ? requested : null;
  const free = charger.connectorIds.filter((id) => {
    const view = charger.connector(id);
    return view.session === null && (view.status === 'Available' || view.status === 'Preparing');
  });
  const waiting = free.filter((id) => charger.connector(id).plugged);
  if (waiting.length === 1) return waiting[0]!;
  return free.length === 1 ? free[0]! : null;
}

export const remoteStartTransaction: IncomingOperation = {
  action: ACTION,
  handle(services: OcppServices, request: RemoteStartTransactionRequest): RemoteStartTransactionConf {
    const { charger, configuration, authorizer, txProfiles, log } = services;
    if (services.registration() !== 'Accepted') return REJECTED; // §4.2: not while Pending
    const connectorId = pickConnector(services, request.connectorId);
    if (connectorId === null) return REJECTED;
    const view = charger.connector(connectorId);
    if (view.session !== null || view.status === 'Unavailable' || view.status === 'Faulted') return REJECTED;
    const profile = request.chargingProfile;
    if (profile && (profile.chargingProfilePurpose !== 'TxProfile' || profile.transactionId !== undefined)) return REJECTED;

    const start = (): void => {
      if (!charger.authorize(connectorId, request.idTag)) {
        log('warn', 'RemoteStartTransaction: the connector could not take the session', { connectorId });
        return;
      }
      if (profile) txProfiles.forNextSession(connectorId, profile);
    };
    if (authorizer && configuration.boolean('AuthorizeRemoteTxRequests')) {
      services.afterAnswer(async () => {
        const { info } = await authorizer.check(request.idTag);
        if (info.status === 'Accepted') start();
        else log('warn', `RemoteStartTransaction: idTag ${info.status}`, { connectorId });
      });
    } else {
      services.afterAnswer(start);
    }
    return { status: 'Accepted' };
  },
};
