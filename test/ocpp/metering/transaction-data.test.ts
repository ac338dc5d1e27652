import { strict as assert } from 'node:assert';

import type { MeterValue } from '../../../app/ocpp/ocpp-types.js';
import { thin, TransactionData } from '../../../app/ocpp/metering/transaction-data.js';

const mv = (n: number): MeterValue => ({ timestamp: new Date(Date.UTC(2026, 0, 1, 0, n)).toISOString(), sampledValue: [{ value: String(n) }] });
const numbers = (values: MeterValue[]) => values.map((v) => Number(v.sampledValue[0]!.value));

describe('thin', () => {
  const ten = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  it('drops the 1st, 3rd, 5th… until it fits', () => {
    assert.deepEqual(thin(ten, 10), ten);
    assert.deepEqual(thin(ten, 9), [2, 4, 6, 8, 10]);
    assert.deepEqual(thin(ten, 4), [4, 8]);
    assert.deepEqual(thin(ten, 0), []);
  });
});

describe('TransactionData', () => {
  it('keeps Begin and End and at most StopTransactionMaxMeterValues values, evenly spread', () => {
    const data = new TransactionData(() => 6);
    data.setBegin(mv(0));
    for (let n = 1; n <= 20; n++) data.add(mv(n));
    data.finish(mv(99));
    // Room for 4 intermediates: 1–4, then 2,4 (stride 2), 2–8, then 4,8 (stride 4), 4–16, then 8,16.
    assert.deepEqual(numbers(data.values()), [0, 8, 16, 99]);
  });

  it('keeps every stride-th intermediate value up to the cap', () => {
    const data = new TransactionData(() => 6);
    data.setBegin(mv(0));
    for (let n = 1; n <= 19; n++) data.add(mv(n));
    data.finish(mv(99));
    assert.deepEqual(numbers(data.values()), [0, 4, 8, 12, 16, 99]);
  });

  it('drops nothing under the cap', () => {
    const data = new TransactionData(() => 100);
    data.setBegin(mv(0));
    for (let n = 1; n <= 98; n++) data.add(mv(n));
    data.finish(mv(99));
    assert.deepEqual(numbers(data.values()), Array.from({ length: 100 }, (_, i) => i));
  });

  it('with a cap of 2 keeps only Begin and End', () => {
    const data = new TransactionData(() => 2);
    data.setBegin(mv(0));
    for (let n = 1; n <= 5; n++) data.add(mv(n));
    data.finish(mv(9));
    assert.deepEqual(numbers(data.values()), [0, 9]);
  });

  it('takes nothing after the end; an end without values still ends', () => {
    const data = new TransactionData(() => 100);
    data.add(mv(1));
    data.finish(null);
    data.add(mv(2));
    data.finish(mv(3));
    assert.equal(data.ended, true);
    assert.deepEqual(numbers(data.values()), [1]);
  });
});
