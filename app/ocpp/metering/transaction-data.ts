// One session's StopTransaction.transactionData (§6.49, errata §3.16.6): the Transaction.Begin
// value, the intermediate samples, the Transaction.End value.
//
// StopTransactionMaxMeterValues (errata §9.1.23) caps the MeterValue elements. The start and stop
// values are never dropped; intermediate ones are thinned as the errata suggests ("1st message,
// 3rd message, 5th message etc."), while collecting, so memory stays bounded: when they overflow,
// every second one is dropped and from then on only every second new one is kept (the stride
// doubles). What is kept is every stride-th intermediate value: evenly spread over the session.

import type { MeterValue } from '../ocpp-types.js';

/** Drops the 1st, 3rd, 5th… item until at most `max` remain. */
export function thin<T>(items: readonly T[], max: number): T[] {
  let kept = [...items];
  while (kept.length > Math.max(0, max)) kept = kept.filter((_, i) => i % 2 === 1);
  return kept;
}

export class TransactionData {
  private begin: MeterValue | null = null;
  private middle: MeterValue[] = [];
  private end: MeterValue | null = null;
  private finished = false;
  private offered = 0;
  private stride = 1;

  /** `maxMeterValues`: StopTransactionMaxMeterValues, read when needed. */
  constructor(private readonly maxMeterValues: () => number) {}

  /** The session has ended (with or without a Transaction.End value). */
  get ended(): boolean {
    return this.finished;
  }

  setBegin(value: MeterValue): void {
    this.begin = value;
  }

  add(value: MeterValue): void {
    if (this.finished || ++this.offered % this.stride !== 0) return;
    this.middle.push(value);
    // Room is kept for both the start and the stop value.
    const room = Math.max(0, this.maxMeterValues() - 2);
    while (this.middle.length > room) {
      this.middle = thin(this.middle, this.middle.length - 1);
      this.stride *= 2;
    }
  }

  /** Ends the session; `value` is its Transaction.End value, if any. */
  finish(value: MeterValue | null): void {
    if (this.finished) return;
    this.finished = true;
    this.end = value;
  }

  /** Moves every timestamp held by `deltaMs` (the clock was set: they stay on the current time base). */
  shift(deltaMs: number): void {
    const move = (v: MeterValue): MeterValue => ({ ...v, timestamp: new Date(Date.parse(v.timestamp) + deltaMs).toISOString() });
    if (this.begin) this.begin = move(this.begin);
    this.middle = this.middle.map(move);
    if (this.end) this.end = move(this.end);
  }

  /** Begin, intermediates, End: at most StopTransactionMaxMeterValues elements. */
  values(): MeterValue[] {
    const fixed = [this.begin, this.end].filter((v): v is MeterValue => v !== null);
    const middle = thin(this.middle, this.maxMeterValues() - fixed.length);
    return [...(this.begin ? [this.begin] : []), ...middle, ...(this.end ? [this.end] : [])];
  }
}
