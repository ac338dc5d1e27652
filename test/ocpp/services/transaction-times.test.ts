// A transaction's times on one time base (README "Transaction times", transactions/restamp.ts):
// whenever the backend sets the clock, every time a backend receives for one transaction is
// corrected the same way, and none goes backwards.

import { strict as assert } from 'node:assert';

import { BackendLink } from '../../../app/ocpp/backend-link.js';
import type { ConfigurationStore } from '../../../app/ocpp/configuration/configuration-store.js';
import { MeterSampler } from '../../../app/ocpp/metering/meter-sampler.js';
import type { MeterValue } from '../../../app/ocpp/ocpp-types.js';
import { OcppTime } from '../../../app/ocpp/ocpp-time.js';
import type { TransactionQueue } from '../../../app/ocpp/queue/transaction-queue.js';
import type { TransactionService } from '../../../app/ocpp/transactions/transaction-service.js';
import { restamp } from '../../../app/ocpp/transactions/restamp.js';
import { FakeChargerPort, sessionRecord } from '../fake-charger-port.js';
import { FakeConnection, TestClock, configure, failure, storesFixture, testTransactionService, until } from './helpers.js';

const S = 1000;
const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

describe('ocpp/services/transaction times', () => {
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

  const online = () => {
    connection.open();
    link.announceOnline();
  };

  /** Every time the backend received, in the order received, as ms after `t0` in the backend's time minus `base`. */
  function timesSent(t0: number, base: number): Array<[string, number]> {
    const rel = (stamp: string) => Date.parse(stamp) - t0 - base;
    const out: Array<[string, number]> = [];
    for (const call of connection.calls) {
      const p = call.payload as { timestamp?: string; meterValue?: MeterValue[]; transactionData?: MeterValue[] };
      if (call.action === 'StartTransaction') out.push(['Start', rel(p.timestamp!)]);
      if (call.action === 'MeterValues') for (const mv of p.meterValue!) out.push(['MeterValues', rel(mv.timestamp)]);
      if (call.action === 'StopTransaction') {
        out.push(['Stop', rel(p.timestamp!)]);
        for (const mv of p.transactionData ?? []) out.push(['transactionData', rel(mv.timestamp)]);
      }
    }
    return out;
  }

  beforeEach(async () => {
    clock = new TestClock();
    connection = new FakeConnection(clock);
    link = new BackendLink(connection.asConnection);
    charger = new FakeChargerPort(2, clock);
    configuration = await fx.openConfiguration();
    await configure(configuration, { MeterValueSampleInterval: 60, StopTxnSampledData: 'Energy.Active.Import.Register' });
    queue = await fx.openQueue(clock, configuration);
    time = new OcppTime(clock);
    let nextTransactionId = 7;
    connection.respond = (action) => (action === 'StartTransaction' ? { transactionId: nextTransactionId++, idTagInfo: { status: 'Accepted' } } : {});
    // As the client composes them (ocpp-client.ts).
    sampler = new MeterSampler({
      charger,
      configuration,
      clock: time.clock,
      stamp: (localIso) => time.iso(localIso),
      send: (m) => service.meterValues(m),
      report: () => undefined,
      onClockSet: (listener) => time.onSet(listener),
    });
    service = testTransactionService({ queue, link, charger, sampler, configuration, time, clock });
    await service.start();
  });

  afterEach(async () => {
    sampler.stop();
    const stopping = service.stop();
    for (const call of connection.pending) call.reject(failure('offline'));
    await stopping;
    await queue.close();
  });

  for (const [direction, shift] of [['1 day back', -DAY], ['1 day ahead', DAY]] as const) {
    it(`a session started before BootNotification's answer, which sets the clock ${direction}: every time of it corrected alike`, async () => {
      const t0 = clock.now();
      charger.startSession(sessionRecord('s1', 1, t0, 1000, { idTag: 'CARD1' }));
      await clock.advance(90 * S); // a sample at 60 s, on the uncorrected clock
      time.adopt(iso(clock.now() + shift)); // BootNotification.conf
      online();
      await until(() => connection.sent('MeterValues').length === 1, 'the backlog delivered');
      await clock.advance(60 * S); // a sample at 120 s, on the corrected clock
      charger.meter(1, 500);
      await clock.advance(10 * S);
      charger.endSession(1, { reason: 'Local' });
      await until(() => connection.sent('StopTransaction').length === 1, 'Stop delivered');
      assert.deepEqual(timesSent(t0, shift), [
        ['Start', 0],
        ['MeterValues', 60 * S],
        ['MeterValues', 120 * S],
        ['Stop', 160 * S],
        ['transactionData', 0],
        ['transactionData', 60 * S],
        ['transactionData', 120 * S],
        ['transactionData', 160 * S],
      ]);
    });

    it(`the clock set ${direction} after the Start went out: the rest stays on the Start's time base, never going backwards`, async () => {
      online();
      const t0 = clock.now();
      charger.startSession(sessionRecord('s1', 1, t0, 1000, { idTag: 'CARD1' }));
      await until(() => connection.sent('StartTransaction').length === 1, 'Start delivered');
      await clock.advance(90 * S);
      time.adopt(iso(clock.now() + shift)); // a Heartbeat.conf mid-session
      await clock.advance(60 * S);
      charger.endSession(1, { reason: 'Local' });
      await until(() => connection.sent('StopTransaction').length === 1, 'Stop delivered');
      assert.deepEqual(timesSent(t0, 0), [
        ['Start', 0],
        ['MeterValues', 60 * S],
        ['MeterValues', 120 * S],
        ['Stop', 150 * S],
        ['transactionData', 0],
        ['transactionData', 60 * S],
        ['transactionData', 120 * S],
        ['transactionData', 150 * S],
      ]);
      // The next transaction starts on the corrected clock.
      const t1 = clock.now();
      charger.startSession(sessionRecord('s2', 1, t1, 2000, { idTag: 'CARD1' }));
      await until(() => connection.sent('StartTransaction').length === 2, 'second Start delivered');
      assert.equal((connection.sent('StartTransaction')[1]!.payload as { timestamp: string }).timestamp, iso(t1 + shift));
    });
  }

  it('a message queued without a stamp offset (by an older firmware) goes as it was stamped', async () => {
    time.adopt(iso(clock.now() - DAY));
    const payload = { connectorId: 1, idTag: 'CARD1', meterStart: 0, timestamp: '2026-01-01T00:00:00.000Z' };
    await queue.enqueue({ action: 'StartTransaction', connectorId: 1, localTransactionId: 'old', payload });
    online();
    await until(() => connection.sent('StartTransaction').length === 1, 'Start delivered');
    assert.deepEqual(connection.sent('StartTransaction')[0]!.payload, payload);
  });

  it('restamp moves every time of a payload, and only those', () => {
    const mv = (t: string) => ({ timestamp: t, sampledValue: [{ value: '1' }] });
    assert.deepEqual(restamp('StartTransaction', { connectorId: 1, idTag: 'A', meterStart: 0, timestamp: '2026-01-02T00:00:00.000Z' }, -DAY), {
      connectorId: 1, idTag: 'A', meterStart: 0, timestamp: '2026-01-01T00:00:00.000Z',
    });
    assert.deepEqual(restamp('MeterValues', { connectorId: 1, transactionId: 3, meterValue: [mv('2026-01-01T00:00:00.000Z')] }, 1000), {
      connectorId: 1, transactionId: 3, meterValue: [mv('2026-01-01T00:00:01.000Z')],
    });
    assert.deepEqual(restamp('StopTransaction', { transactionId: 3, meterStop: 5, timestamp: '2026-01-01T00:00:00.000Z', reason: 'Local', transactionData: [mv('2026-01-01T00:00:00.000Z')] }, 1000), {
      transactionId: 3, meterStop: 5, timestamp: '2026-01-01T00:00:01.000Z', reason: 'Local', transactionData: [mv('2026-01-01T00:00:01.000Z')],
    });
    const same = { timestamp: '2026-01-01T00:00:00.000Z' };
    assert.equal(restamp('StartTransaction', same, 0), same);
  });
});
