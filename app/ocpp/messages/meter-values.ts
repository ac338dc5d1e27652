// MeterValues (OCPP 1.6 §4.7, §6.32–6.33). Those of a transaction are queued with it; the
// queue fills in the transactionId. Clock-aligned values outside a transaction are sent only
// while online (they are not transaction messages and are not kept).

import type { MeterValue } from '../ocpp-types.js';
import { TRANSACTION_ID_UNKNOWN } from '../queue/transaction-queue.js';

export const ACTION = 'MeterValues';

export interface MeterValuesRequest {
  readonly connectorId: number;
  readonly transactionId?: number;
  readonly meterValue: readonly MeterValue[];
}

export function meterValuesRequest(connectorId: number, meterValue: readonly MeterValue[], inTransaction: boolean): MeterValuesRequest {
  return inTransaction ? { connectorId, transactionId: TRANSACTION_ID_UNKNOWN, meterValue } : { connectorId, meterValue };
}
