import { strict as assert } from 'node:assert';

import { BackendLink } from '../../../app/ocpp/backend-link.js';
import type { ConfigurationStore } from '../../../app/ocpp/configuration/configuration-store.js';
import { MeterSampler } from '../../../app/ocpp/metering/meter-sampler.js';
import { OcppTime } from '../../../app/ocpp/ocpp-time.js';
import type { TransactionMessage, TransactionQueue } from '../../../app/ocpp/queue/transaction-queue.js';
import { reconcileAfterRestart } from '../../../app/ocpp/transactions/reconcile.js';
import type { SessionRecord } from '../../../app/records.js';
import { FakeChargerPort, reading, sessionRecord } from '../fake-charger-port.js';
import { FakeConnection, TestClock, logSink, storesFixture, until, testTransactionService } from './helpers.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 0, 1);

const startMsg = (id: string, connectorId = 1): TransactionMessage => ({
  action: 'StartTransaction',
  connectorId,
  localTransactionId: id,
  payload: { connectorId, idTag: 'TAG1', meterStart: 1000, timestamp: '2026-01-01T00:00:00.000Z' },
});
const stopMsg = (id: string, connectorId = 1): TransactionMessage => ({
  action: 'StopTransaction',
  connectorId,
  localTransactionId: id,
  payload: { transactionId: -1, meterStop: 2000, timestamp: '2026-01-01T01:00:00.000Z', reason: 'Local' },
});

/** A session as the store keeps it once closed. */
const closed = (id: string, connectorId: number, startMs: number, meterStartWh: number, energyWh: number, stopReason: SessionRecord['stopReason'] = 'Local'): SessionRecord =>
  sessionRecord(id, connectorId, startMs, meterStartWh, {
    stoppedAt: new Date(startMs + HOUR).toISOString(),
    meterStopWh: meterStartWh + energyWh,
    energyWh,
    stopReason,
  });

describe('ocpp/services/reconcile', () => {
  const fx = storesFixture();
  let clock: TestClock;
  let configuration: ConfigurationStore;
  let queue: TransactionQueue;
  let charger: FakeChargerPort;
  let enqueued: string[];
  let stops: SessionRecord[];

  /** What the queue held when the power went: these messages, the first `delivered` of them acknowledged. Reopened, as after a restart. */
  const queueBeforeCut = async (messages: TransactionMessage[], delivered = 0): Promise<void> => {
    const before = await fx.openQueue(clock, configuration);
    for (const m of messages) await before.enqueue(m);
    for (let i = 0; i < delivered; i++) {
      const head = before.peek()!;
      await before.markDelivered(head.seq, head.action === 'StartTransaction' ? { transactionId: 100 + i, idTagInfo: { status: 'Accepted' } } : {});
    }
    await before.close();
    queue = await fx.openQueue(clock, configuration);
  };

  const reconcile = (recovered: string[] = []) =>
    reconcileAfterRestart({
      charger,
      queue,
      clock,
      recoveredSessionIds: new Set(recovered),
      enqueueStart: async (s) => void enqueued.push(`Start ${s.sessionId}`),
      enqueueStop: async (s, by) => {
        enqueued.push(`Stop ${s.sessionId}${by ? ` by ${by}` : ''}`);
        stops.push(s);
      },
      log: logSink().log,
    });

  beforeEach(async () => {
    clock = new TestClock(T0 + 10 * HOUR);
    configuration = await fx.openConfiguration();
    charger = new FakeChargerPort(2, clock);
    enqueued = [];
    stops = [];
  });

  afterEach(async () => {
    await queue?.close();
  });

  it('the store closed the session but its StopTransaction was cut off: the Stop is queued', async () => {
    await queueBeforeCut([startMsg('s1')], 1);
    const s1 = closed('s1', 1, T0, 1000, 500);
    charger.records = [s1];
    await reconcile();
    assert.deepEqual(enqueued, ['Stop s1']);
    assert.deepEqual(stops, [s1], 'the stored record, as it ended');
  });

  it('the same when the session was found open and closed with PowerLoss at this start', async () => {
    await queueBeforeCut([startMsg('s1')]);
    charger.records = [closed('s1', 1, T0, 1000, 500, 'PowerLoss')];
    await reconcile(['s1']);
    assert.deepEqual(enqueued, ['Stop s1'], 'a Stop only: the queue has its Start');
  });

  it('a queued Start the store never kept: a PowerLoss Stop at the meter register now', async () => {
    await queueBeforeCut([startMsg('s1')]);
    charger.records = [closed('s0', 1, T0 - 2 * HOUR, 500, 100)];
    charger.setQuietly(1, { meter: reading(7777) });
    await reconcile();
    assert.deepEqual(enqueued, ['Stop s1']);
    const ghost = stops[0]!;
    const now = new Date(clock.now()).toISOString();
    assert.deepEqual(ghost, {
      sessionId: 's1',
      connectorId: 1,
      idTag: null,
      startedAt: now,
      stoppedAt: now,
      meterStartWh: 7777,
      meterStopWh: 7777,
      energyWh: 0,
      maxPowerW: 0,
      stopReason: 'PowerLoss',
      stopFault: null,
    });
  });

  it('a ghost waits for the first meter reading after start-up', async () => {
    await queueBeforeCut([startMsg('s1')]);
    charger.setQuietly(1, { meter: null });
    const done = reconcile();
    await clock.advance(1000);
    assert.deepEqual(enqueued, []);
    charger.setQuietly(1, { meter: reading(4242) });
    charger.emit({ type: 'meterReading', connectorId: 1, reading: reading(4242), at: clock.now() });
    await done;
    assert.equal(stops[0]!.meterStopWh, 4242);
    assert.equal(clock.pendingTimers, 0, 'its wait timer is cleared');
  });

  it('a ghost whose meter never answers is closed at 0 after the wait', async () => {
    await queueBeforeCut([startMsg('s1')]);
    charger.setQuietly(1, { meter: null });
    const done = reconcile();
    await clock.advance(5000);
    await done;
    assert.equal(stops[0]!.meterStopWh, 0);
    assert.equal(charger.listenerCount, 0, 'it stops listening');
  });

  it('a recovered session the queue never saw: its Start and Stop are queued', async () => {
    await queueBeforeCut([startMsg('s0'), stopMsg('s0')], 2);
    const s1 = closed('s1', 1, T0 + HOUR, 2000, 300, 'PowerLoss');
    charger.records = [closed('s0', 1, T0, 1000, 1000), s1];
    await reconcile(['s1']);
    assert.deepEqual(enqueued, ['Start s1', 'Stop s1']);
    assert.deepEqual(stops, [s1]);
  });

  it('a hidden session closed by a start that died before reconciling: its Start and Stop are queued at the next', async () => {
    await queueBeforeCut([startMsg('s0'), stopMsg('s0')], 2);
    const s1 = closed('s1', 1, T0 + HOUR, 2000, 300, 'PowerLoss');
    charger.records = [closed('s0', 1, T0, 1000, 1000), s1];
    await reconcile([]); // closed by the start before this one, which was cut off in turn
    assert.deepEqual(enqueued, ['Start s1', 'Stop s1']);
    assert.deepEqual(stops, [s1]);
  });

  it('a recovered session on an empty queue: Start and Stop', async () => {
    await queueBeforeCut([]);
    charger.records = [closed('s1', 2, T0, 0, 10, 'PowerLoss')];
    await reconcile(['s1']);
    assert.deepEqual(enqueued, ['Start s1', 'Stop s1']);
  });

  it('nothing to do when queue and store agree', async () => {
    await queueBeforeCut([startMsg('s1'), stopMsg('s1'), startMsg('s2', 2), stopMsg('s2', 2)], 1);
    charger.records = [closed('s1', 1, T0, 0, 10), closed('s2', 2, T0, 0, 10, 'PowerLoss')];
    await reconcile(['s2']);
    assert.deepEqual(enqueued, []);
  });

  it('an old standalone session (before OCPP, not recovered now) is NOT re-sent', async () => {
    await queueBeforeCut([]);
    charger.records = [closed('old1', 1, T0 - 48 * HOUR, 0, 10), closed('old2', 2, T0 - 24 * HOUR, 0, 10, 'PowerLoss')];
    await reconcile();
    assert.deepEqual(enqueued, []);
  });

  it('an old standalone session behind a queued transaction is NOT re-sent either', async () => {
    await queueBeforeCut([startMsg('s1'), stopMsg('s1')], 2);
    charger.records = [closed('s1', 1, T0, 0, 10), closed('old', 1, T0 + HOUR, 0, 10)];
    await reconcile();
    assert.deepEqual(enqueued, []);
  });

  it('both on one connector, oldest first: the cut-off Stop, then the hidden session', async () => {
    await queueBeforeCut([startMsg('s1')], 1);
    charger.records = [closed('s1', 1, T0, 0, 10), closed('s2', 1, T0 + 2 * HOUR, 10, 10, 'PowerLoss')];
    await reconcile(['s2']);
    assert.deepEqual(enqueued, ['Stop s1', 'Start s2', 'Stop s2']);
  });

  it('across connectors, oldest first: an older cut-off Stop on connector 2 before a newer hidden session on connector 1', async () => {
    await queueBeforeCut([startMsg('a0'), stopMsg('a0'), startMsg('b1', 2)], 3);
    charger.records = [
      closed('a0', 1, T0, 0, 10),
      closed('b1', 2, T0 + HOUR, 0, 10),
      closed('a1', 1, T0 + 3 * HOUR, 10, 10, 'PowerLoss'),
    ];
    await reconcile(['a1']);
    assert.deepEqual(enqueued, ['Stop b1', 'Start a1', 'Stop a1']);
    charger.records = [
      closed('a0', 1, T0, 0, 10),
      closed('a1', 1, T0 + HOUR / 2, 10, 10, 'PowerLoss'),
      closed('b1', 2, T0 + HOUR, 0, 10),
    ];
    enqueued = [];
    await reconcile(['a1']);
    assert.deepEqual(enqueued, ['Start a1', 'Stop a1', 'Stop b1'], 'and the other way round');
  });

  it('through TransactionService.start: the PowerLoss Stop of a ghost goes out with the register and transactionId', async () => {
    await queueBeforeCut([startMsg('s1')], 1); // the Start was delivered: transactionId 100
    charger.setQuietly(1, { meter: reading(5555) });
    const connection = new FakeConnection(clock);
    connection.respond = () => ({});
    const link = new BackendLink(connection.asConnection);
    const time = new OcppTime(clock);
    const sampler = new MeterSampler({ charger, configuration, clock, send: () => undefined, report: () => undefined });
    const service = testTransactionService({ queue, link, charger, sampler, configuration, time, clock });
    await service.start();
    connection.open();
    link.announceOnline();
    await until(() => service.drained, 'Stop delivered');
    assert.deepEqual(connection.sent().map((c) => c.payload), [
      { transactionId: 100, meterStop: 5555, timestamp: new Date(clock.now()).toISOString(), reason: 'PowerLoss' },
    ]);
    sampler.stop();
    await service.stop();
  });
});
