// Reconciliation by the store's delivery record: every session short of stopSent, not only each
// connector's latest, gets what the queue no longer holds (issue 9 item 3).

import { strict as assert } from 'node:assert';

import type { ConfigurationStore } from '../../../app/ocpp/configuration/configuration-store.js';
import type { TransactionQueue } from '../../../app/ocpp/queue/transaction-queue.js';
import { reconcileAfterRestart } from '../../../app/ocpp/transactions/reconcile.js';
import type { SessionDelivery, SessionRecord } from '../../../app/records.js';
import { FakeChargerPort, sessionRecord } from '../fake-charger-port.js';
import { TestClock, logSink, storesFixture } from './helpers.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 0, 1);

const closed = (id: string, connectorId: number, startMs: number, delivery?: SessionDelivery, backendTransactionId?: number): SessionRecord => ({
  ...sessionRecord(id, connectorId, startMs, 1000, { stoppedAt: new Date(startMs + HOUR / 2).toISOString(), meterStopWh: 1500, energyWh: 500, stopReason: 'Local' }),
  ...(delivery ? { delivery } : {}),
  ...(backendTransactionId !== undefined ? { backendTransactionId } : {}),
});

describe('ocpp/services/reconcile by delivery', () => {
  const fx = storesFixture();
  let clock: TestClock;
  let configuration: ConfigurationStore;
  let queue: TransactionQueue;
  let charger: FakeChargerPort;
  let enqueued: string[];

  beforeEach(async () => {
    clock = new TestClock(T0 + 10 * HOUR);
    configuration = await fx.openConfiguration();
    queue = await fx.openQueue(clock, configuration);
    charger = new FakeChargerPort(2, clock);
    enqueued = [];
  });
  afterEach(async () => {
    await queue.close();
  });

  const reconcile = () =>
    reconcileAfterRestart({
      charger,
      queue,
      clock,
      recoveredSessionIds: new Set(),
      enqueueStart: async (s) => void enqueued.push(`Start ${s.sessionId} -> ${queue.transactionIdFor(s.sessionId) ?? '?'}`),
      enqueueStop: async (s) => void enqueued.push(`Stop ${s.sessionId} -> ${queue.transactionIdFor(s.sessionId) ?? '?'}`),
      log: logSink().log,
    });

  it('every undelivered session on a connector, oldest first across connectors; delivered and untracked ones left alone', async () => {
    charger.records = [
      closed('a', 1, T0, 'queued'),
      closed('b', 2, T0 + HOUR, 'startSent', 77),
      closed('c', 1, T0 + 2 * HOUR, 'stopSent', 78),
      closed('d', 1, T0 + 3 * HOUR), // kept by an older firmware: not the store's to send
      closed('e', 1, T0 + 4 * HOUR, 'queued'),
    ];
    await reconcile();
    assert.deepEqual(enqueued, ['Start a -> ?', 'Stop a -> ?', 'Stop b -> 77', 'Start e -> ?', 'Stop e -> ?']);
  });

  it('what the queue still holds is not queued again', async () => {
    await queue.enqueue({ action: 'StartTransaction', connectorId: 1, localTransactionId: 'a', payload: {} });
    await queue.enqueue({ action: 'StartTransaction', connectorId: 1, localTransactionId: 'b', payload: {} });
    await queue.enqueue({ action: 'StopTransaction', connectorId: 1, localTransactionId: 'b', payload: {} });
    charger.records = [closed('a', 1, T0, 'queued'), closed('b', 1, T0 + HOUR, 'queued')];
    await reconcile();
    assert.deepEqual(enqueued, ['Stop a -> ?']);
  });
});
