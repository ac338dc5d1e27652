// StopTransaction (OCPP 1.6 §4.10, §6.46–6.47): a session ended. Queued (transaction message);
// the queue fills in the backend's transactionId.

import type { SessionRecord, SessionStopReason } from '../../records.js';
import { registerWh } from '../metering/sampled-values.js';
import type { IdTagInfo, MeterValue } from '../ocpp-types.js';
import type { OcppTime } from '../ocpp-time.js';
import { TRANSACTION_ID_UNKNOWN } from '../queue/transaction-queue.js';

export const ACTION = 'StopTransaction';

/** §7.39 Reason. */
export type OcppStopReason = Exclude<SessionStopReason, 'Fault'>;

export interface StopTransactionRequest {
  readonly transactionId: number;
  readonly idTag?: string;
  readonly meterStop: number;
  readonly timestamp: string;
  readonly reason: OcppStopReason;
  readonly transactionData?: readonly MeterValue[];
}

export interface StopTransactionConf {
  readonly idTagInfo?: IdTagInfo;
}

/** An interlock that ended the session is not one of §7.39's reasons: Other. */
export function ocppStopReason(reason: SessionStopReason | null): OcppStopReason {
  return reason === null || reason === 'Fault' ? 'Other' : reason;
}

export function stopTransactionRequest(
  session: SessionRecord,
  stoppedByIdTag: string | null,
  transactionData: readonly MeterValue[],
  time: OcppTime,
): StopTransactionRequest {
  return {
    transactionId: TRANSACTION_ID_UNKNOWN,
    ...(stoppedByIdTag ? { idTag: stoppedByIdTag } : {}),
    meterStop: registerWh(session.meterStopWh ?? session.meterStartWh + session.energyWh),
    timestamp: time.iso(session.stoppedAt ?? undefined),
    reason: ocppStopReason(session.stopReason),
    ...(transactionData.length > 0 ? { transactionData } : {}),
  };
}
