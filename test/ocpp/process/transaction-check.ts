// What a CSMS must have seen of a charger's transactions, checked on the dev CSMS's message log
// (OCPP 1.6 §3.7 and §4.10, errata 3.18): every StartTransaction has exactly one StopTransaction,
// after it; MeterValues of a transaction lie between its Start and Stop; Stop and MeterValues
// carry the transactionId the CSMS assigned; the meter register never goes back on a connector.
//
// Duplicates. Delivery is at least once: a charger killed after the CSMS answered a CALL but
// before it recorded the .conf sends the message again after its restart. Such a resend is told
// apart from a real second message by three things at once: the same payload (a StartTransaction
// in full; a StopTransaction or MeterValues in full, transactionId included), the original being
// the last transaction CALL of its boot (the process died with it in flight) and the copy the
// first transaction CALL of a later boot (the queue's head, sent again). Any other repeat is an
// error. A resent StartTransaction gets a new transactionId: the charger keeps the last one it
// was given, so the earlier id must never be used again.
//
// Boots are told apart by BootNotification: each process sends one when it connects.

import { strict as assert } from 'node:assert';
import { isDeepStrictEqual } from 'node:util';
import type { RecordedMessage } from '../../../tools/dev-csms/types.js';

const TX_ACTIONS = new Set(['StartTransaction', 'StopTransaction', 'MeterValues']);
const EAIR = 'Energy.Active.Import.Register';

export interface TxCall {
  readonly seq: number;
  readonly action: string;
  readonly messageId: string;
  readonly payload: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Index of the BootNotification this CALL follows (0 = before the first one). */
  readonly boot: number;
}

export interface Transaction {
  readonly transactionId: number;
  readonly connectorId: number;
  readonly start: TxCall;
  readonly stop: TxCall | undefined;
  readonly meterValues: TxCall[];
}

export interface Resend {
  readonly original: TxCall;
  readonly copy: TxCall;
}

export interface TransactionLog {
  readonly calls: TxCall[];
  /** The calls with every allowed resend collapsed to its last copy. */
  readonly kept: TxCall[];
  readonly resends: Resend[];
  readonly transactions: Transaction[];
  /** transactionIds the CSMS assigned to a StartTransaction later sent again (never to be used). */
  readonly abandonedIds: Set<number>;
}

function sameMessage(a: TxCall, b: TxCall): boolean {
  return a.action === b.action && isDeepStrictEqual(a.payload, b.payload);
}

/** Reads, checks and returns the charger's transaction traffic from the CSMS log. */
export function readTransactions(messages: readonly RecordedMessage[], chargePointId: string): TransactionLog {
  const mine = messages.filter((m) => m.chargePointId === chargePointId);
  const assigned = new Map<string, number>(); // messageId of a StartTransaction → transactionId
  for (const m of mine) {
    if (m.direction === 'out' && m.messageType === 'CALLRESULT' && m.action === 'StartTransaction') {
      assigned.set(m.messageId!, (m.payload as { transactionId: number }).transactionId);
    }
  }
  let boot = 0;
  const calls: TxCall[] = [];
  for (const m of mine) {
    if (m.direction !== 'in' || m.messageType !== 'CALL') continue;
    if (m.action === 'BootNotification') boot++;
    if (!TX_ACTIONS.has(m.action!)) continue;
    if (m.action === 'MeterValues' && (m.payload as { transactionId?: number }).transactionId === undefined) continue; // not a transaction's
    calls.push({ seq: m.seq, action: m.action!, messageId: m.messageId!, payload: m.payload, boot });
  }
  const errors = mine.filter((m) => m.direction === 'out' && m.messageType === 'CALLERROR' && TX_ACTIONS.has(m.action ?? ''));
  assert.deepEqual(errors, [], 'the CSMS refused transaction messages');

  // Resends: see the header.
  const firstOfBoot = new Map<number, number>();
  const lastOfBoot = new Map<number, number>();
  calls.forEach((c, i) => {
    if (!firstOfBoot.has(c.boot)) firstOfBoot.set(c.boot, i);
    lastOfBoot.set(c.boot, i);
  });
  const kept: TxCall[] = [];
  const keptIndex: number[] = [];
  const resends: Resend[] = [];
  calls.forEach((c, i) => {
    const j = keptIndex.at(-1);
    const previous = kept.at(-1);
    if (previous && j !== undefined && previous.boot < c.boot && lastOfBoot.get(previous.boot) === j && firstOfBoot.get(c.boot) === i && sameMessage(previous, c)) {
      resends.push({ original: previous, copy: c });
      kept[kept.length - 1] = c;
      keptIndex[keptIndex.length - 1] = i;
      return;
    }
    kept.push(c);
    keptIndex.push(i);
  });
  for (let a = 0; a < kept.length; a++) {
    for (let b = a + 1; b < kept.length; b++) {
      assert.ok(!sameMessage(kept[a]!, kept[b]!), `#${kept[b]!.seq} ${kept[b]!.action} repeats #${kept[a]!.seq}, and not as a resend after a restart: ${JSON.stringify(kept[b]!.payload)}`);
    }
  }

  const abandonedIds = new Set<number>();
  for (const r of resends) {
    if (r.original.action !== 'StartTransaction') continue;
    const id = assigned.get(r.original.messageId);
    if (id !== undefined) abandonedIds.add(id);
  }

  // Transactions, in the order the CSMS saw them.
  const byId = new Map<number, { transactionId: number; connectorId: number; start: TxCall; stop: TxCall | undefined; meterValues: TxCall[] }>();
  const transactions: Transaction[] = [];
  for (const c of kept) {
    if (c.action === 'StartTransaction') {
      const id = assigned.get(c.messageId);
      assert.ok(id !== undefined, `StartTransaction #${c.seq} was never answered with a transactionId`);
      const t = { transactionId: id, connectorId: c.payload.connectorId as number, start: c, stop: undefined, meterValues: [] };
      byId.set(id, t);
      transactions.push(t);
      continue;
    }
    const id = c.payload.transactionId as number;
    const where = `${c.action} #${c.seq} (transactionId ${id})`;
    if (id === -1) {
      const context = kept.slice(Math.max(0, kept.indexOf(c) - 8), kept.indexOf(c) + 1)
        .map((k) => `#${k.seq} ${k.action} ${JSON.stringify(k.payload).slice(0, 160)}`).join('\n  ');
      assert.fail(`${where}: sent without the transactionId the CSMS had assigned; the calls before it:\n  ${context}`);
    }
    assert.ok(!abandonedIds.has(id), `${where}: uses the id of a StartTransaction that was sent again`);
    const t = byId.get(id);
    assert.ok(t, `${where}: no StartTransaction before it was given this id`);
    assert.equal(t.stop, undefined, `${where}: after the transaction's StopTransaction #${t.stop?.seq}`);
    if (c.action === 'StopTransaction') t.stop = c;
    else {
      assert.equal(c.payload.connectorId, t.connectorId, `${where}: on connector ${c.payload.connectorId}, the transaction is on ${t.connectorId}`);
      t.meterValues.push(c);
    }
  }
  for (const t of transactions) {
    if (t.stop) continue;
    const context = calls.filter((k) => k.payload.connectorId === t.connectorId || k.action === 'StopTransaction')
      .map((k) => `#${k.seq} ${k.action} ${JSON.stringify(k.payload).slice(0, 160)}`).join('\n  ');
    assert.fail(`transaction ${t.transactionId} (StartTransaction #${t.start.seq}, connector ${t.connectorId}) never got its StopTransaction; the transaction calls:\n  ${context}`);
  }

  // On one connector, transactions follow each other: Start, (MeterValues), Stop, Start...
  const openOn = new Map<number, number>();
  for (const c of kept) {
    if (c.action === 'StartTransaction') {
      const id = assigned.get(c.messageId)!;
      assert.ok(!openOn.has(c.payload.connectorId), `StartTransaction #${c.seq} on connector ${c.payload.connectorId} while transaction ${openOn.get(c.payload.connectorId)} is open there`);
      openOn.set(c.payload.connectorId, id);
    } else if (c.action === 'StopTransaction') {
      const t = byId.get(c.payload.transactionId)!;
      openOn.delete(t.connectorId);
    }
  }
  return { calls, kept, resends, transactions, abandonedIds };
}

/** A register reading a transaction message carries, and when the charger took it. */
export interface Reading {
  readonly connectorId: number;
  readonly transactionId: number;
  readonly at: number;
  readonly wh: number;
  readonly what: string;
}

/** meterStart, MeterValues' and transactionData's Energy.Active.Import.Register, and (unless excluded) meterStop. */
export function readings(t: Transaction, options: { withMeterStop: boolean }): Reading[] {
  const out: Reading[] = [];
  const base = { connectorId: t.connectorId, transactionId: t.transactionId };
  out.push({ ...base, at: Date.parse(t.start.payload.timestamp), wh: t.start.payload.meterStart, what: `meterStart (#${t.start.seq})` });
  const sampled = (call: TxCall, values: Array<{ timestamp: string; sampledValue: Array<{ measurand?: string; value: string; unit?: string }> }>) => {
    for (const mv of values ?? []) {
      for (const sv of mv.sampledValue) {
        if ((sv.measurand ?? EAIR) !== EAIR) continue;
        const wh = sv.unit === 'kWh' ? Number(sv.value) * 1000 : Number(sv.value);
        out.push({ ...base, at: Date.parse(mv.timestamp), wh, what: `${call.action} ${EAIR} (#${call.seq})` });
      }
    }
  };
  for (const mv of t.meterValues) sampled(mv, mv.payload.meterValue);
  if (t.stop) {
    sampled(t.stop, t.stop.payload.transactionData);
    if (options.withMeterStop) out.push({ ...base, at: Date.parse(t.stop.payload.timestamp), wh: t.stop.payload.meterStop, what: `meterStop (#${t.stop.seq})` });
  }
  return out;
}

/** Readings never go back, in the order they were taken, within each group (the caller groups by connector and meter life). */
export function assertMonotonic(group: string, list: readonly Reading[]): void {
  const sorted = [...list].sort((a, b) => a.at - b.at);
  for (let i = 1; i < sorted.length; i++) {
    const [a, b] = [sorted[i - 1]!, sorted[i]!];
    assert.ok(b.wh >= a.wh, `${group}: the register went back from ${a.wh} Wh (${a.what}, tx ${a.transactionId}, ${new Date(a.at).toISOString()}) to ${b.wh} Wh (${b.what}, tx ${b.transactionId}, ${new Date(b.at).toISOString()})`);
  }
}
