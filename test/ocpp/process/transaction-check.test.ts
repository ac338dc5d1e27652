// The checker of the process tests, on made-up CSMS logs: it accepts a resend after a lost .conf
// and refuses what a CSMS must never see.

import { strict as assert } from 'node:assert';
import type { RecordedMessage } from '../../../tools/dev-csms/types.js';
import { readTransactions } from './transaction-check.js';

const CP = 'CP';
let seq = 0;
let ids = 0;
let txIds = 100;
const log: RecordedMessage[] = [];
const msg = (direction: 'in' | 'out', messageType: 'CALL' | 'CALLRESULT', action: string, payload: unknown, messageId: string): RecordedMessage =>
  ({ seq: ++seq, time: '', chargePointId: CP, direction, messageType, messageId, action, payload, size: 0 });

function boot(into: RecordedMessage[]): void {
  const id = `m${++ids}`;
  into.push(msg('in', 'CALL', 'BootNotification', {}, id), msg('out', 'CALLRESULT', 'BootNotification', {}, id));
}
function call(into: RecordedMessage[], action: string, payload: unknown, answered = true): number | undefined {
  const id = `m${++ids}`;
  into.push(msg('in', 'CALL', action, payload, id));
  if (!answered) return undefined;
  const transactionId = action === 'StartTransaction' ? ++txIds : undefined;
  into.push(msg('out', 'CALLRESULT', action, transactionId ? { transactionId, idTagInfo: { status: 'Accepted' } } : {}, id));
  return transactionId;
}
const start = { connectorId: 1, idTag: 'A', meterStart: 1000, timestamp: '2026-01-01T00:00:00.000Z' };
const mv = (transactionId: number, wh: number) => ({ connectorId: 1, transactionId, meterValue: [{ timestamp: `2026-01-01T00:00:0${wh % 10}.000Z`, sampledValue: [{ value: String(wh) }] }] });
const stop = (transactionId: number) => ({ transactionId, meterStop: 1010, timestamp: '2026-01-01T00:00:09.000Z', reason: 'PowerLoss' });

describe('ocpp/process: the transaction checker', () => {
  beforeEach(() => void (log.length = 0));

  it('accepts a StartTransaction sent again after a restart, and the Stop with the new id', () => {
    boot(log);
    call(log, 'StartTransaction', start); // its .conf was lost with the process
    boot(log);
    const id = call(log, 'StartTransaction', start)!;
    call(log, 'MeterValues', mv(id, 1005));
    call(log, 'StopTransaction', stop(id));
    const t = readTransactions(log, CP);
    assert.equal(t.resends.length, 1);
    assert.equal(t.transactions.length, 1);
    assert.deepEqual([...t.abandonedIds], [id - 1]);
  });

  it('refuses a lost Stop, a repeat within one boot, a message after the Stop, the abandoned id, and -1', () => {
    const cases: Array<[string, (into: RecordedMessage[]) => void, RegExp]> = [
      ['lost Stop', (l) => { boot(l); call(l, 'StartTransaction', start); }, /never got its StopTransaction/],
      ['repeat in one boot', (l) => { boot(l); const id = call(l, 'StartTransaction', start)!; call(l, 'MeterValues', mv(id, 1005)); call(l, 'MeterValues', mv(id, 1005)); call(l, 'StopTransaction', stop(id)); }, /repeats/],
      ['after the Stop', (l) => { boot(l); const id = call(l, 'StartTransaction', start)!; call(l, 'StopTransaction', stop(id)); call(l, 'MeterValues', mv(id, 1005)); }, /after the transaction's StopTransaction/],
      ['abandoned id', (l) => { boot(l); const old = call(l, 'StartTransaction', start)!; boot(l); const id = call(l, 'StartTransaction', start)!; call(l, 'StopTransaction', stop(old)); call(l, 'StopTransaction', stop(id)); }, /sent again/],
      ['-1', (l) => { boot(l); const id = call(l, 'StartTransaction', start)!; call(l, 'MeterValues', mv(-1, 1005)); call(l, 'StopTransaction', stop(id)); }, /without the transactionId/],
      ['overlap on a connector', (l) => { boot(l); const a = call(l, 'StartTransaction', start)!; const b = call(l, 'StartTransaction', { ...start, timestamp: '2026-01-01T00:00:01.000Z' })!; call(l, 'StopTransaction', stop(a)); call(l, 'StopTransaction', stop(b)); }, /while transaction/],
    ];
    for (const [name, build, error] of cases) {
      const l: RecordedMessage[] = [];
      build(l);
      assert.throws(() => readTransactions(l, CP), error, name);
    }
  });
});
