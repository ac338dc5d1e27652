// A Stop or MeterValues left queued before its transaction's StartTransaction was queued again
// (a damaged journal lost the Start; reconciliation queued it anew) is never sent ahead of it.

import { strict as assert } from 'node:assert';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { TransactionQueue, type QueueProblem } from '../../../app/ocpp/queue/transaction-queue.js';
import { VirtualClock } from '../../../hal/clock.js';

describe('ocpp/queue/transaction-queue: superseded messages', () => {
  let dir: string;
  let problems: QueueProblem[];
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'charger-superseded-'));
    problems = [];
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true, maxRetries: 3 });
  });

  it('drops them, reported, across a reopen too; the re-queued Start and what follows go in order with its id', async () => {
    const open = () => TransactionQueue.open(dir, { clock: new VirtualClock(), maxAttempts: () => 3, retryIntervalS: () => 60, report: (p) => void problems.push(p) });
    const before = await open();
    const message = (action: 'StartTransaction' | 'StopTransaction' | 'MeterValues') => ({ action, connectorId: 1, localTransactionId: 'L1', payload: { action } });
    await before.enqueue(message('MeterValues'));
    await before.enqueue(message('StopTransaction'));
    await before.enqueue(message('StartTransaction'));
    await before.enqueue(message('StopTransaction'));
    await before.close();
    const queue = await open();
    const sent: string[] = [];
    for (let m = queue.peek(); m; m = queue.peek()) {
      sent.push(`${m.action}#${m.seq}:${(m.payload as { transactionId?: number }).transactionId ?? '-'}`);
      await queue.markDelivered(m.seq, m.action === 'StartTransaction' ? { transactionId: 9, idTagInfo: { status: 'Accepted' } } : {});
    }
    assert.deepEqual(sent, ['StartTransaction#3:-', 'StopTransaction#4:9']);
    assert.deepEqual(problems.map((p) => `${p.kind}#${'seq' in p ? p.seq : ''}`), ['superseded#1', 'superseded#2']);
    await queue.close();
  });
});
