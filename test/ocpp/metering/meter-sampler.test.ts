import { strict as assert } from 'node:assert';

import type { ConfigurationStore } from '../../../app/ocpp/configuration/configuration-store.js';
import { MeterSampler, type MeterValuesMessage } from '../../../app/ocpp/metering/meter-sampler.js';
import type { MeterValue } from '../../../app/ocpp/ocpp-types.js';
import { OcppTime } from '../../../app/ocpp/ocpp-time.js';
import { VirtualClock } from '../../../hal/clock.js';
import { connectorView, FakeChargerPort, reading, sessionRecord } from '../fake-charger-port.js';
import { configurationFixture, schemaErrors } from './helpers.js';

const S = 1000;
const MIN = 60 * S;
const EAIR = 'Energy.Active.Import.Register';

describe('MeterSampler', () => {
  const fx = configurationFixture();
  let clock: VirtualClock;
  let charger: FakeChargerPort;
  let config: ConfigurationStore;
  let sent: MeterValuesMessage[];
  let sampler: MeterSampler | null;
  let problems: string[];

  const open = async (initial: Record<string, string> = {}) => {
    config = await fx.open({ initial });
  };
  const start = () => {
    sampler = new MeterSampler({ charger, configuration: config, clock, send: (m) => sent.push(m), report: (p) => problems.push(p) });
    return sampler;
  };
  const set = async (key: string, value: string) => assert.equal(await config.change(key, value), 'Accepted');
  const startSession = (id: string, connectorId = 1, meterStartWh = 1000) => {
    const s = sessionRecord(id, connectorId, clock.now(), meterStartWh);
    charger.startSession(s);
    return s;
  };
  const times = (messages: MeterValuesMessage[]) => messages.map((m) => m.meterValue[0]!.timestamp);
  const contexts = (values: MeterValue[]) => values.map((v) => v.sampledValue[0]!.context);
  /** Each message as the MeterValues.req the client would send (transactionId stands in for the session). */
  const assertValidRequests = (messages: MeterValuesMessage[]) => {
    for (const m of messages) {
      const payload = { connectorId: m.connectorId, ...(m.sessionId ? { transactionId: 42 } : {}), meterValue: m.meterValue };
      assert.equal(schemaErrors('MeterValues', payload), '');
    }
  };

  beforeEach(async () => {
    clock = new VirtualClock(Date.UTC(2026, 0, 1, 12, 0, 0));
    charger = new FakeChargerPort([connectorView(1, { phases: 3, meter: reading(1000) }), connectorView(2, { phases: 1, meter: reading(500) })], clock);
    sent = [];
    problems = [];
    sampler = null;
  });
  afterEach(() => sampler?.stop());

  describe('sampled meter values (§3.16.1)', () => {
    it('sends every MeterValueSampleInterval from the session start, as Sample.Periodic with the session id', async () => {
      await open(); // default 60 s, Energy.Active.Import.Register
      start();
      await clock.advance(25 * S);
      startSession('s1');
      await clock.advance(59 * S);
      assert.equal(sent.length, 0);
      await clock.advance(1 * S);
      charger.setQuietly(1, { meter: reading(1250) });
      await clock.advance(60 * S);
      assert.deepEqual(times(sent), ['2026-01-01T12:01:25.000Z', '2026-01-01T12:02:25.000Z']);
      assert.deepEqual(sent.map((m) => [m.connectorId, m.sessionId]), [[1, 's1'], [1, 's1']]);
      assert.deepEqual(sent.map((m) => m.meterValue[0]!.sampledValue), [
        [{ value: '1000', context: 'Sample.Periodic', format: 'Raw', measurand: EAIR, location: 'Outlet', unit: 'Wh' }],
        [{ value: '1250', context: 'Sample.Periodic', format: 'Raw', measurand: EAIR, location: 'Outlet', unit: 'Wh' }],
      ]);
      assertValidRequests(sent);
    });

    it('sends the measurands of MeterValuesSampledData, read at each sample', async () => {
      await open({});
      start();
      startSession('s1', 2);
      await set('MeterValuesSampledData', 'Current.Import,Voltage,Power.Active.Import');
      await clock.advance(60 * S);
      const values = sent[0]!.meterValue[0]!.sampledValue;
      assert.deepEqual(values.map((v) => [v.measurand, v.phase]), [['Current.Import', 'L1'], ['Voltage', 'L1-N'], ['Power.Active.Import', undefined]]);
      assertValidRequests(sent);
    });

    it('sends no periodic samples outside a session, and only for the connector in session', async () => {
      await open();
      start();
      await clock.advance(10 * MIN);
      assert.equal(sent.length, 0);
      startSession('s1', 2);
      await clock.advance(3 * MIN);
      assert.deepEqual(sent.map((m) => m.connectorId), [2, 2, 2]);
      charger.endSession(2, { meterStopWh: 500 });
      await clock.advance(10 * MIN);
      assert.equal(sent.length, 3);
    });

    it('sends nothing while the session has left the view but its stop is not announced yet', async () => {
      await open();
      start();
      startSession('s1');
      charger.setQuietly(1, { session: null });
      await clock.advance(5 * MIN);
      assert.equal(sent.length, 0);
    });

    it('restarts the interval when MeterValueSampleInterval changes; 0 stops sampling', async () => {
      await open();
      start();
      startSession('s1');
      await clock.advance(30 * S);
      await set('MeterValueSampleInterval', '10');
      await clock.advance(35 * S);
      assert.deepEqual(times(sent), ['2026-01-01T12:00:40.000Z', '2026-01-01T12:00:50.000Z', '2026-01-01T12:01:00.000Z']);
      await set('MeterValueSampleInterval', '0');
      await clock.advance(10 * MIN);
      assert.equal(sent.length, 3);
      await set('MeterValueSampleInterval', '120');
      await clock.advance(2 * MIN);
      assert.deepEqual(times(sent).slice(3), ['2026-01-01T12:13:05.000Z']);
    });

    it('samples a session already running when it starts', async () => {
      await open();
      charger.setQuietly(1, { session: sessionRecord('old', 1, clock.now() - 5 * MIN, 900) });
      start();
      await clock.advance(60 * S);
      assert.deepEqual(sent.map((m) => m.sessionId), ['old']);
    });
  });

  describe('clock-aligned meter values (§3.16.2)', () => {
    it('sends at UTC quarter hours for every connector, with the session id only where one runs', async () => {
      clock = new VirtualClock(Date.UTC(2026, 0, 1, 23, 38, 20));
      await open({});
      await set('ClockAlignedDataInterval', '900');
      start();
      startSession('s1', 1);
      await clock.advance(6 * MIN + 40 * S - 1); // 23:44:59.999
      assert.equal(sent.filter((m) => m.meterValue[0]!.sampledValue[0]!.context === 'Sample.Clock').length, 0);
      await set('MeterValueSampleInterval', '0'); // only the aligned ones from here
      sent.length = 0;
      await clock.advance(1);
      assert.deepEqual(sent.map((m) => [m.connectorId, m.sessionId, m.meterValue[0]!.timestamp]), [
        [1, 's1', '2026-01-01T23:45:00.000Z'],
        [2, null, '2026-01-01T23:45:00.000Z'],
      ]);
      assert.deepEqual(new Set(sent.flatMap((m) => m.meterValue[0]!.sampledValue.map((v) => v.context))), new Set(['Sample.Clock']));
      assert.deepEqual(sent.map((m) => m.meterValue[0]!.sampledValue[0]!.value), ['1000', '500']);
      assertValidRequests(sent);
      await clock.advance(30 * MIN); // across midnight
      assert.deepEqual([...new Set(times(sent))], ['2026-01-01T23:45:00.000Z', '2026-01-02T00:00:00.000Z', '2026-01-02T00:15:00.000Z']);
    });

    it('starts each day again at midnight when the interval does not divide a day', async () => {
      clock = new VirtualClock(Date.UTC(2026, 0, 1, 20, 0));
      await open({});
      await set('ClockAlignedDataInterval', String(7 * 3600));
      start();
      await clock.advance(12 * 60 * MIN);
      assert.deepEqual([...new Set(times(sent))], ['2026-01-01T21:00:00.000Z', '2026-01-02T00:00:00.000Z', '2026-01-02T07:00:00.000Z']);
    });

    it('follows the backend\'s clock: set back, the boundary comes later, once; set forward, the jumped-over one is not made up', async () => {
      const time = new OcppTime(clock); // local 12:00:00, the backend agrees
      await open({});
      await set('ClockAlignedDataInterval', '900');
      sampler = new MeterSampler({ charger, configuration: config, clock: time.clock, send: (m) => sent.push(m), report: (p) => problems.push(p), onClockSet: (l) => time.onSet(l) });
      const aligned = () => [...new Set(sent.filter((m) => m.meterValue[0]!.sampledValue[0]!.context === 'Sample.Clock').map((m) => m.meterValue[0]!.timestamp))];
      await clock.advance(14 * MIN + 58 * S); // backend 12:14:58
      time.adopt(new Date(time.clock.now() - 5 * S).toISOString()); // a Heartbeat sets it back to 12:14:53
      await clock.advance(5 * S);
      assert.deepEqual(aligned(), [], 'no sample before 12:15 in the backend\'s time');
      await clock.advance(5 * S);
      assert.deepEqual(aligned(), ['2026-01-01T12:15:00.000Z']);
      await clock.advance(10 * MIN); // backend 12:25:03
      time.adopt(new Date(time.clock.now() + 15 * MIN).toISOString()); // forward to 12:40:03
      await clock.advance(1 * S);
      assert.deepEqual(aligned(), ['2026-01-01T12:15:00.000Z'], '12:30 never happened');
      await clock.advance(4 * MIN + 56 * S); // backend 12:45:00
      assert.deepEqual(aligned(), ['2026-01-01T12:15:00.000Z', '2026-01-01T12:45:00.000Z'], 'read at 12:45 in the backend\'s time');
      await clock.advance(15 * MIN);
      assert.deepEqual(aligned(), ['2026-01-01T12:15:00.000Z', '2026-01-01T12:45:00.000Z', '2026-01-01T13:00:00.000Z']);
    });

    it('sends the MeterValuesAlignedData measurands, and reschedules when the interval changes', async () => {
      clock = new VirtualClock(Date.UTC(2026, 0, 1, 10, 7));
      await open();
      start();
      await set('MeterValuesAlignedData', 'Voltage,Frequency');
      await clock.advance(60 * MIN);
      assert.equal(sent.length, 0); // 0: off
      await set('ClockAlignedDataInterval', '1800'); // at 11:07
      await clock.advance(23 * MIN);
      assert.deepEqual(times(sent), ['2026-01-01T11:30:00.000Z', '2026-01-01T11:30:00.000Z']);
      assert.deepEqual(sent[1]!.meterValue[0]!.sampledValue.map((v) => [v.measurand, v.phase, v.unit]), [['Voltage', 'L1-N', 'V'], ['Frequency', undefined, undefined]]);
      await set('ClockAlignedDataInterval', '0');
      await clock.advance(2 * 60 * MIN);
      assert.equal(sent.length, 2);
      assertValidRequests(sent);
    });
  });

  describe('StopTransaction.transactionData', () => {
    const stopPayload = (transactionData: MeterValue[]) => ({ transactionId: 42, meterStop: 5000, timestamp: '2026-01-01T13:00:00Z', transactionData });

    it('collects Transaction.Begin, sampled and clock-aligned values, and Transaction.End', async () => {
      clock = new VirtualClock(Date.UTC(2026, 0, 1, 11, 58));
      await open({});
      await set('StopTxnSampledData', `${EAIR},Power.Active.Import`);
      await set('StopTxnAlignedData', EAIR);
      await set('ClockAlignedDataInterval', '900');
      await set('MeterValueSampleInterval', '300');
      start();
      charger.setQuietly(1, { meter: reading(1003) });
      startSession('s1', 1, 1000); // the record's register wins over the view's
      charger.setQuietly(1, { meter: reading(2000, { totalPowerW: 7000 }) });
      await clock.advance(10 * MIN); // 12:00 clock, 12:03 periodic, 12:08 periodic
      const final = charger.endSession(1, { meterStopWh: 2400 });
      assert.deepEqual(sampler!.takeTransactionData('s1'), [
        {
          timestamp: '2026-01-01T11:58:00.000Z',
          sampledValue: [
            { value: '1000', context: 'Transaction.Begin', format: 'Raw', measurand: EAIR, location: 'Outlet', unit: 'Wh' },
            { value: '11040', context: 'Transaction.Begin', format: 'Raw', measurand: 'Power.Active.Import', location: 'Outlet', unit: 'W' },
          ],
        },
        { timestamp: '2026-01-01T12:00:00.000Z', sampledValue: [{ value: '2000', context: 'Sample.Clock', format: 'Raw', measurand: EAIR, location: 'Outlet', unit: 'Wh' }] },
        {
          timestamp: '2026-01-01T12:03:00.000Z',
          sampledValue: [
            { value: '2000', context: 'Sample.Periodic', format: 'Raw', measurand: EAIR, location: 'Outlet', unit: 'Wh' },
            { value: '7000', context: 'Sample.Periodic', format: 'Raw', measurand: 'Power.Active.Import', location: 'Outlet', unit: 'W' },
          ],
        },
        {
          timestamp: '2026-01-01T12:08:00.000Z',
          sampledValue: [
            { value: '2000', context: 'Sample.Periodic', format: 'Raw', measurand: EAIR, location: 'Outlet', unit: 'Wh' },
            { value: '7000', context: 'Sample.Periodic', format: 'Raw', measurand: 'Power.Active.Import', location: 'Outlet', unit: 'W' },
          ],
        },
        {
          timestamp: final.stoppedAt!,
          sampledValue: [
            { value: '2400', context: 'Transaction.End', format: 'Raw', measurand: EAIR, location: 'Outlet', unit: 'Wh' },
            { value: '7000', context: 'Transaction.End', format: 'Raw', measurand: 'Power.Active.Import', location: 'Outlet', unit: 'W' },
          ],
        },
      ]);
      assert.deepEqual(sampler!.takeTransactionData('s1'), [], 'the session is forgotten once taken');
    });

    it('produces a StopTransaction.req valid against the schema', async () => {
      await open({});
      await set('StopTxnSampledData', 'Energy.Active.Import.Register,Current.Import,Voltage,Current.Offered,Temperature,SoC,Frequency');
      await set('MeterValueSampleInterval', '60');
      start();
      charger.setQuietly(1, { socketTemperatureC: 30, socPercent: 40, offeredCurrentA: 16 });
      startSession('s1');
      await clock.advance(5 * MIN);
      charger.endSession(1, { meterStopWh: 3000 });
      const data = sampler!.takeTransactionData('s1');
      assert.equal(data.length, 7);
      assert.equal(schemaErrors('StopTransaction', stopPayload(data)), '');
    });

    it('has no transactionData when StopTxnSampledData and StopTxnAlignedData are empty (errata §3.14.5)', async () => {
      await open({});
      await set('ClockAlignedDataInterval', '60');
      start();
      startSession('s1');
      await clock.advance(5 * MIN);
      assert.ok(sent.length > 0);
      charger.endSession(1, { meterStopWh: 3000 });
      assert.deepEqual(sampler!.takeTransactionData('s1'), []);
    });

    it('caps at StopTransactionMaxMeterValues, keeping Begin and End', async () => {
      await open({ StopTransactionMaxMeterValues: '5' });
      await set('StopTxnSampledData', EAIR);
      await set('MeterValueSampleInterval', '10');
      start();
      startSession('s1', 1, 1000);
      for (let i = 1; i <= 12; i++) {
        charger.setQuietly(1, { meter: reading(1000 + i) });
        await clock.advance(10 * S);
      }
      charger.endSession(1, { meterStopWh: 2000 });
      const data = sampler!.takeTransactionData('s1');
      assert.equal(data.length, 5);
      assert.deepEqual(contexts(data), ['Transaction.Begin', 'Sample.Periodic', 'Sample.Periodic', 'Sample.Periodic', 'Transaction.End']);
      // 12 samples, room for 3: every 4th is kept.
      assert.deepEqual(data.map((v) => v.sampledValue[0]!.value), ['1000', '1004', '1008', '1012', '2000']);
    });

    it('ends the session itself when taken before its stop is announced', async () => {
      await open({});
      await set('StopTxnSampledData', EAIR);
      start();
      const s = startSession('s1', 2, 500);
      charger.setQuietly(2, { meter: reading(777) });
      await clock.advance(90 * S);
      const final = { ...s, stoppedAt: new Date(clock.now()).toISOString(), meterStopWh: 800 };
      const data = sampler!.takeTransactionData('s1', final);
      assert.deepEqual(data.map((v) => [v.timestamp, v.sampledValue[0]!.context, v.sampledValue[0]!.value]), [
        ['2026-01-01T12:00:00.000Z', 'Transaction.Begin', '500'],
        ['2026-01-01T12:01:00.000Z', 'Sample.Periodic', '777'],
        ['2026-01-01T12:01:30.000Z', 'Transaction.End', '800'],
      ]);
      charger.endSession(2, { meterStopWh: 800 }); // announced afterwards: nothing left to do
      assert.deepEqual(sampler!.takeTransactionData('s1'), []);
      startSession('s2', 2, 800);
      await clock.advance(1);
      assert.deepEqual(contexts(sampler!.takeTransactionData('s2')), ['Transaction.Begin', 'Transaction.End'], 'without a record: from the view');
    });
  });

  it('keeps going when send throws, and reports it', async () => {
    clock = new VirtualClock(Date.UTC(2026, 0, 1, 12, 59));
    await open({});
    await set('ClockAlignedDataInterval', '3600');
    let calls = 0;
    sampler = new MeterSampler({
      charger,
      configuration: config,
      clock,
      send: (m) => {
        calls++;
        if (m.connectorId === 1) throw new Error('queue full');
        sent.push(m);
      },
      report: (p) => problems.push(p),
    });
    await clock.advance(2 * 60 * MIN);
    assert.equal(calls, 4);
    assert.deepEqual(sent.map((m) => m.connectorId), [2, 2]);
    assert.equal(problems.length, 2);
    assert.match(problems[0]!, /connector 1.*queue full/);
  });

  it('stop() clears its timers and unsubscribes', async () => {
    await open({});
    await set('ClockAlignedDataInterval', '60');
    const before = clock.pendingTimers;
    start();
    startSession('s1');
    assert.equal(clock.pendingTimers, before + 2);
    assert.equal(charger.listeners.size, 1);
    sampler!.stop();
    assert.equal(clock.pendingTimers, before);
    assert.equal(charger.listeners.size, 0);
    await set('ClockAlignedDataInterval', '30');
    await set('MeterValueSampleInterval', '5');
    startSession('s2', 2);
    await clock.advance(10 * MIN);
    assert.equal(clock.pendingTimers, before);
    assert.equal(sent.length, 0);
  });
});
