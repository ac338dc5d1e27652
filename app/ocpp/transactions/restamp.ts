// A transaction's times on one time base (README "Transaction times"). The backend's clock
// (OcppTime) may be set at any moment: before a transaction's first message is sent, after it,
// or both. Each queued message records the offset its times were stamped with; the transaction's
// base is the offset in force when its first message goes out (TransactionQueue.pinTimeBase), and
// every message of it is moved onto that base when sent. So a backend sees all of a transaction's
// times corrected the same way: durations are the charger's own, and never go backwards.

import type { TransactionAction } from '../queue/transaction-queue.js';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function shiftIso(value: unknown, deltaMs: number): unknown {
  const ms = typeof value === 'string' ? Date.parse(value) : NaN;
  return Number.isFinite(ms) ? new Date(ms + deltaMs).toISOString() : value;
}

/** MeterValue[] (§7.31) with each timestamp moved. */
function shiftMeterValues(list: unknown, deltaMs: number): unknown {
  if (!Array.isArray(list)) return list;
  return list.map((mv: unknown) => (isObject(mv) ? { ...mv, timestamp: shiftIso(mv['timestamp'], deltaMs) } : mv));
}

/** The payload of a transaction message with every time in it moved by `deltaMs` (a copy; the same one when 0). */
export function restamp(action: TransactionAction, payload: unknown, deltaMs: number): unknown {
  if (deltaMs === 0 || !isObject(payload)) return payload;
  switch (action) {
    case 'StartTransaction':
      return { ...payload, timestamp: shiftIso(payload['timestamp'], deltaMs) };
    case 'StopTransaction':
      return {
        ...payload,
        timestamp: shiftIso(payload['timestamp'], deltaMs),
        ...('transactionData' in payload ? { transactionData: shiftMeterValues(payload['transactionData'], deltaMs) } : {}),
      };
    case 'MeterValues':
      return { ...payload, meterValue: shiftMeterValues(payload['meterValue'], deltaMs) };
  }
}
