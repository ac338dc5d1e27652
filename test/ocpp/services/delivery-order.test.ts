// The session store learns of a delivery before the queue writes its acknowledgement (so a power
// cut between them means one more delivery, never a session the reconciliation forgets), while
// the answer itself is acted on at once: the next message goes, the transactionId is known.

import { strict as assert } from 'node:assert';

import { BackendLink } from '../../../app/ocpp/backend-link.js';
import type { TransactionQueue } from '../../../app/ocpp/queue/transaction-queue.js';
import { TransactionSender } from '../../../app/ocpp/transactions/transaction-sender.js';
import { FakeConnection, TestClock, logSink, settle, storesFixture, until } from './helpers.js';

describe('ocpp/services/transaction-sender: delivery recorded in the store first', () => {
  const fx = storesFixture();
  let queue: TransactionQueue;
  let sender: TransactionSender;
  afterEach(async () => {
    await sender.stop();
    await queue.close();
  });

  it('writes the acknowledgement only once `settled` has finished; the transactionId and onDelivered do not wait for it', async () => {
    const clock = new TestClock();
    const connection = new FakeConnection(clock);
    const link = new BackendLink(connection.asConnection);
    queue = await fx.openQueue(clock, await fx.openConfiguration());
    await queue.enqueue({ action: 'StartTransaction', connectorId: 1, localTransactionId: 's1', payload: { connectorId: 1, idTag: 'T', meterStart: 0, timestamp: '2026-01-01T00:00:00.000Z' } });
    const settled: Array<{ outcome: string; result: unknown; finish: () => void }> = [];
    const delivered: string[] = [];
    sender = new TransactionSender({
      queue,
      link,
      clock,
      drainPerSecond: 0,
      onDelivered: (m) => void delivered.push(m.action),
      settled: (_m, outcome, result) => new Promise<void>((finish) => void settled.push({ outcome, result, finish })),
      log: logSink().log,
    });
    connection.open();
    link.announceOnline();
    sender.start();
    const call = await connection.nthCall(1);
    const syncsBefore = queue.stats.syncs;
    call.resolve({ transactionId: 7, idTagInfo: { status: 'Accepted' } });
    await until(() => settled.length === 1, 'the store asked to record it');
    assert.deepEqual([settled[0]!.outcome, settled[0]!.result], ['delivered', { transactionId: 7, idTagInfo: { status: 'Accepted' } }]);
    assert.equal(queue.transactionIdFor('s1'), 7, 'known at once');
    assert.deepEqual(delivered, ['StartTransaction'], 'acted on at once');
    for (let i = 0; i < 5; i++) await settle();
    assert.equal(queue.stats.syncs, syncsBefore, 'no acknowledgement written before the store has it');
    settled[0]!.finish();
    await until(() => queue.stats.syncs > syncsBefore, 'the acknowledgement written');
  });
});
