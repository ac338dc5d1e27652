// StartTransaction (OCPP 1.6 §4.8, §6.44–6.45): a session began. Queued (transaction message).

import type { SessionRecord } from '../../records.js';
import { registerWh } from '../metering/sampled-values.js';
import type { IdTagInfo } from '../ocpp-types.js';
import type { OcppTime } from '../ocpp-time.js';

export const ACTION = 'StartTransaction';

export interface StartTransactionRequest {
  readonly connectorId: number;
  readonly idTag: string;
  readonly meterStart: number;
  readonly timestamp: string;
}

export interface StartTransactionConf {
  readonly transactionId: number;
  readonly idTagInfo: IdTagInfo;
}

export function startTransactionRequest(session: SessionRecord, idTag: string, time: OcppTime): StartTransactionRequest {
  return {
    connectorId: session.connectorId,
    idTag,
    meterStart: registerWh(session.meterStartWh),
    timestamp: time.iso(session.startedAt),
  };
}
