import { strict as assert } from 'node:assert';

import { BackendLink } from '../../../app/ocpp/backend-link.js';
import type { ConfigurationStore } from '../../../app/ocpp/configuration/configuration-store.js';
import { MeterSampler } from '../../../app/ocpp/metering/meter-sampler.js';
import type { IdTagInfo } from '../../../app/ocpp/ocpp-types.js';
import { OcppTime } from '../../../app/ocpp/ocpp-time.js';
import type { QueuedMessage, TransactionQueue } from '../../../app/ocpp/queue/transaction-queue.js';
import type { TransactionService } from '../../../app/ocpp/transactions/transaction-service.js';
import { FakeChargerPort, sessionRecord } from '../fake-charger-port.js';
import { FakeConnection, TestClock, configure, failure, settle, storesFixture, until, testTransactionService } from './helpers.js';

const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

describe('ocpp/services/transaction-service', () => {
  const fx = storesFixture();
  let clock: TestClock;
  let connection: FakeConnection;
  let link: BackendLink;
  let charger: FakeChargerPort;
  let configuration: ConfigurationStore;
  let queue: TransactionQueue;
  let time: OcppTime;
  let sampler: MeterSampler;
  let service: TransactionService;
  let learned: Array<{ idTag: string; info: IdTagInfo }>;
  /** What the backend says about a StartTransaction's idTag. */
  let startInfo: IdTagInfo;
  let stopInfo: IdTagInfo | undefined;
  let nextTransactionId: number;

  const online = () => {
    connection.open();
    link.announceOnline();
  };
  const queued = (): QueuedMessage[] => [...queue.messages()];

  beforeEach(async () => {
    clock = new TestClock();
    connection = new FakeConnection(clock);
    link = new BackendLink(connection.asConnection);
    charger = new FakeChargerPort(2, clock);
    configuration = await fx.openConfiguration();
    queue = await fx.openQueue(clock, configuration);
    time = new OcppTime(clock);
    learned = [];
    startInfo = { status: 'Accepted' };
    stopInfo = undefined;
    nextTransactionId = 42;
    connection.respond = (action) => {
      if (action === 'StartTransaction') return { transactionId: nextTransactionId++, idTagInfo: startInfo };
      if (action === 'StopTransaction') return stopInfo ? { idTagInfo: stopInfo } : {};
      return {};
    };
    sampler = new MeterSampler({ charger, configuration, clock: time.clock, send: (m) => service.meterValues(m), report: () => undefined });
    service = testTransactionService({ queue, link, charger, sampler, configuration, time, clock }, { learn: (idTag, info) => void learned.push({ idTag, info }) });
  });

  afterEach(async () => {
    sampler.stop();
    const stopping = service.stop();
    for (const call of connection.pending) call.reject(failure('offline'));
    await stopping;
    await queue.close();
  });

  it("queues a session's Start, MeterValues and Stop in order, with the right payloads", async () => {
    await configure(configuration, { MeterValueSampleInterval: 0 }); // only the MeterValues given here
    await service.start();
    time.adopt(iso(clock.now() + HOUR)); // the backend's time, one hour ahead
    const t0 = clock.now();
    charger.startSession(sessionRecord('s1', 1, t0, 1000.4, { idTag: 'CARD1' }));
    await clock.advance(60_000);
    service.meterValues({ connectorId: 1, sessionId: 's1', meterValue: [{ timestamp: iso(clock.now()), sampledValue: [{ value: '1250' }] }] });
    charger.meter(1, 500);
    await clock.advance(60_000);
    charger.endSession(1, { reason: 'Fault', stoppedByIdTag: 'CARD1' });
    await service.idle();

    const messages = queued();
    assert.deepEqual(messages.map((m) => m.action), ['StartTransaction', 'MeterValues', 'StopTransaction']);
    assert.ok(messages.every((m) => m.localTransactionId === 's1' && m.connectorId === 1));
    assert.deepEqual(messages[0]!.payload, { connectorId: 1, idTag: 'CARD1', meterStart: 1000, timestamp: iso(t0 + HOUR) });
    assert.deepEqual(messages[1]!.payload, { connectorId: 1, transactionId: -1, meterValue: [{ timestamp: iso(t0 + 60_000), sampledValue: [{ value: '1250' }] }] });
    assert.deepEqual(messages[2]!.payload, {
      transactionId: -1,
      idTag: 'CARD1',
      meterStop: 1500,
      timestamp: iso(t0 + 120_000 + HOUR),
      reason: 'Other', // Fault is no §7.39 reason
    });
    assert.equal(connection.calls.length, 0, 'offline: nothing sent');
  });

  it('a session without a card starts with freeChargingIdTag; a stop without an idTag sends none', async () => {
    await service.start();
    charger.startSession(sessionRecord('s1', 2, clock.now(), 0, { idTag: null }));
    charger.endSession(2, { reason: 'EVDisconnected' });
    await service.idle();
    const [start, stop] = queued();
    assert.equal((start!.payload as { idTag: string }).idTag, 'FREE');
    assert.equal('idTag' in (stop!.payload as object), false);
    assert.equal((stop!.payload as { reason: string }).reason, 'EVDisconnected');
    assert.equal(start!.connectorId, 2);
  });

  it('StopTransaction carries transactionData when StopTxnSampledData asks for it', async () => {
    await configure(configuration, { StopTxnSampledData: 'Energy.Active.Import.Register' });
    await service.start();
    charger.startSession(sessionRecord('s1', 1, clock.now(), 1000));
    charger.meter(1, 2000);
    charger.endSession(1, { reason: 'Local' });
    await service.idle();
    const stop = queued().find((m) => m.action === 'StopTransaction')!;
    const data = (stop.payload as { transactionData?: Array<{ sampledValue: Array<{ context?: string; value: string }> }> }).transactionData;
    assert.ok(data, 'transactionData present');
    const contexts = data.flatMap((mv) => mv.sampledValue.map((v) => `${v.context}=${v.value}`));
    assert.deepEqual([contexts[0], contexts.at(-1)], ['Transaction.Begin=1000', 'Transaction.End=3000']);
  });

  it('without StopTxn data configured, StopTransaction has no transactionData', async () => {
    await service.start();
    charger.startSession(sessionRecord('s1', 1, clock.now(), 1000));
    charger.endSession(1, { reason: 'Local' });
    await service.idle();
    assert.equal('transactionData' in (queued()[1]!.payload as object), false);
  });

  it('online: delivered in order, the backend transactionId used for the rest, learn() told, connectorForTransaction', async () => {
    await service.start();
    online();
    charger.startSession(sessionRecord('s1', 1, clock.now(), 1000, { idTag: 'CARD1' }));
    await until(() => learned.length === 1, 'StartTransaction.conf handled');
    assert.equal(service.transactionIdOf('s1'), 42);
    assert.deepEqual(learned, [{ idTag: 'CARD1', info: { status: 'Accepted' } }]);
    assert.equal(service.connectorForTransaction(42), 1);
    assert.equal(service.connectorForTransaction(43), null);
    stopInfo = { status: 'Blocked' };
    charger.endSession(1, { reason: 'Local', stoppedByIdTag: 'CARD2' });
    await until(() => service.drained && learned.length === 2, 'Stop delivered');
    const stop = connection.sent('StopTransaction')[0]!;
    assert.equal((stop.payload as { transactionId: number }).transactionId, 42);
    assert.deepEqual(learned[1], { idTag: 'CARD2', info: { status: 'Blocked' } }, 'StopTransaction.conf idTagInfo learned for the stopping idTag');
    assert.equal(service.connectorForTransaction(42), null, 'no session any more');
    assert.equal(service.deliveredCount, 2);
  });

  it("the sampler's periodic MeterValues are queued with the session, between its Start and Stop", async () => {
    await configure(configuration, { MeterValueSampleInterval: 30 });
    await service.start();
    charger.startSession(sessionRecord('s1', 1, clock.now(), 1000));
    charger.meter(1, 100);
    await clock.advance(30_000);
    charger.meter(1, 200);
    await clock.advance(30_000);
    charger.endSession(1, { reason: 'Local' });
    await service.idle();
    const messages = queued();
    assert.deepEqual(messages.map((m) => m.action), ['StartTransaction', 'MeterValues', 'MeterValues', 'StopTransaction']);
    const values = messages.slice(1, 3).map((m) => (m.payload as { transactionId: number; meterValue: Array<{ sampledValue: Array<{ value: string; context?: string }> }> }));
    assert.deepEqual(values.map((v) => v.meterValue[0]!.sampledValue[0]!.value), ['1100', '1200']);
    assert.ok(values.every((v) => v.transactionId === -1 && v.meterValue[0]!.sampledValue[0]!.context === 'Sample.Periodic'));
  });

  it('MeterValues outside a transaction go out at once when online, are dropped offline', async () => {
    await service.start();
    service.meterValues({ connectorId: 1, sessionId: null, meterValue: [{ timestamp: iso(clock.now()), sampledValue: [{ value: '1' }] }] });
    await settle();
    assert.equal(connection.calls.length, 0);
    assert.equal(queue.size, 0);
    online();
    service.meterValues({ connectorId: 1, sessionId: null, meterValue: [{ timestamp: iso(clock.now()), sampledValue: [{ value: '2' }] }] });
    await settle();
    assert.equal(queue.size, 0, 'not a transaction message');
    assert.deepEqual(connection.sent('MeterValues').map((c) => c.payload), [{ connectorId: 1, meterValue: [{ timestamp: iso(clock.now()), sampledValue: [{ value: '2' }] }] }]);
  });

  it('idTagInfo Invalid with StopTransactionOnInvalidId: the session is stopped, reason DeAuthorized', async () => {
    startInfo = { status: 'Invalid' };
    await service.start();
    online();
    charger.startSession(sessionRecord('s1', 1, clock.now(), 1000, { idTag: 'BAD' }));
    await until(() => charger.stops.length > 0, 'stopSession');
    assert.deepEqual(charger.stops, [{ connectorId: 1, reason: 'DeAuthorized', stoppedByIdTag: null }]);
    assert.deepEqual(learned, [{ idTag: 'BAD', info: { status: 'Invalid' } }]);
  });

  for (const status of ['Blocked', 'Expired', 'ConcurrentTx'] as const) {
    it(`idTagInfo ${status} is refused like Invalid`, async () => {
      startInfo = { status };
      await service.start();
      online();
      charger.startSession(sessionRecord('s1', 1, clock.now(), 1000, { idTag: 'BAD' }));
      await until(() => charger.stops.length > 0, 'stopSession');
      assert.equal(charger.stops[0]!.reason, 'DeAuthorized');
    });
  }

  it('idTagInfo Invalid without StopTransactionOnInvalidId: energy capped by MaxEnergyOnInvalidId (limit 0 once reached)', async () => {
    await configure(configuration, { StopTransactionOnInvalidId: false, MaxEnergyOnInvalidId: 1000 });
    startInfo = { status: 'Invalid' };
    await service.start();
    online();
    charger.startSession(sessionRecord('s1', 1, clock.now(), 5000, { idTag: 'BAD' }));
    await until(() => learned.length === 1, 'StartTransaction.conf handled');
    charger.meter(1, 999);
    assert.equal(charger.limitOf(1), undefined, 'still under the cap');
    charger.meter(1, 1000);
    assert.equal(charger.limitOf(1), 0, 'the cap reached: no more energy');
    assert.deepEqual(charger.stops, [], 'the session is not stopped');
    assert.equal(charger.limitOf(2), undefined, 'other connectors untouched');
    charger.endSession(1, { reason: 'Local' });
    assert.equal(charger.limitOf(1), null, 'the limit goes with the session');
  });

  it('MaxEnergyOnInvalidId 0: no energy at all from the refusal on', async () => {
    await configure(configuration, { StopTransactionOnInvalidId: false });
    startInfo = { status: 'Invalid' };
    await service.start();
    charger.startSession(sessionRecord('s1', 1, clock.now(), 5000, { idTag: 'BAD' }));
    charger.meter(1, 300); // energy taken while offline, before the answer
    online();
    await until(() => charger.limitOf(1) === 0, 'limit 0');
  });

  it('a cap refused for one session does not follow into the next', async () => {
    await configure(configuration, { StopTransactionOnInvalidId: false, MaxEnergyOnInvalidId: 100 });
    startInfo = { status: 'Invalid' };
    await service.start();
    online();
    charger.startSession(sessionRecord('s1', 1, clock.now(), 0, { idTag: 'BAD' }));
    await until(() => learned.length === 1, 'refused');
    charger.endSession(1, { reason: 'Local' });
    startInfo = { status: 'Accepted' };
    charger.startSession(sessionRecord('s2', 1, clock.now(), 0, { idTag: 'GOOD' }));
    await until(() => learned.length === 2, 'second session accepted'); // the Stop of s1 had no idTagInfo
    charger.meter(1, 500);
    assert.equal(charger.limitOf(1), null, 'only the end of s1 cleared the limit');
  });

  it('a refusal that arrives after the session ended changes nothing', async () => {
    startInfo = { status: 'Invalid' };
    await service.start();
    charger.startSession(sessionRecord('s1', 1, clock.now(), 0, { idTag: 'BAD' }));
    charger.endSession(1, { reason: 'Local' });
    online();
    await until(() => service.drained, 'delivered');
    assert.deepEqual(charger.stops, []);
    assert.notEqual(charger.limitOf(1), 0);
  });

  it('stop(): follows the charger no more', async () => {
    await service.start();
    await service.stop();
    charger.startSession(sessionRecord('s1', 1, clock.now(), 0));
    await service.idle();
    assert.equal(queue.size, 0);
  });
});
