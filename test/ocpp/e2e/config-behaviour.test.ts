// What configuration keys make the charger do, seen from the CSMS: ConnectionTimeOut,
// StopTransactionOnEVSideDisconnect, sampled / clock-aligned meter values, StopTxnSampledData,
// HeartbeatInterval.

import { strict as assert } from 'node:assert';
import { CARD, CSMS_AHEAD_MS, E2e, OcppRig, transactionIdOf } from './ocpp-rig.js';
import type { DevCsms } from '../../../tools/dev-csms/csms.js';

describe('OCPP e2e: configuration-driven behaviour', function () {
  const e2e = new E2e();
  let csms: DevCsms;
  let rig: OcppRig;

  beforeEach(async () => ({ csms, rig } = await e2e.cardRig()));
  afterEach(() => e2e.cleanup());

  const set = async (key: string, value: string) => assert.deepEqual(await rig.call('ChangeConfiguration', { key, value }), { status: 'Accepted' }, key);

  async function chargeWithCard(connectorId = 1): Promise<{ mark: number; transactionId: number; start: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any
    const mark = rig.mark();
    await rig.plug(connectorId);
    await rig.card(CARD);
    await rig.untilCharging(connectorId);
    const start = await rig.next('StartTransaction', mark);
    return { mark, start, transactionId: transactionIdOf(csms, rig.cpId, rig.calls('StartTransaction', mark)[0]!) };
  }

  it('ConnectionTimeOut: a remote start with no EV plugged in lapses after it; the EV plugged later starts nothing', async () => {
    await set('ConnectionTimeOut', '20');
    const mark = rig.mark();
    assert.deepEqual(await rig.call('RemoteStartTransaction', { connectorId: 1, idTag: CARD }), { status: 'Accepted' });
    await rig.waitStatus(1, 'Preparing', mark);
    const started = rig.clock.now();
    await rig.waitStatus(1, 'Available', mark, { virtualMs: 30_000, stepMs: 250 });
    const lapsedAfter = rig.clock.now() - started;
    assert.ok(lapsedAfter >= 19_000 && lapsedAfter <= 22_000, `lapsed after ${lapsedAfter} ms of virtual time`);
    await rig.plug(1);
    await rig.pass(10_000);
    assert.equal(rig.connectorState(1), 'connected.awaitingAuthorization');
    assert.equal(rig.calls('StartTransaction', mark).length, 0);
  });

  it('StopTransactionOnEVSideDisconnect false: an unplug keeps the transaction (SuspendedEV, "EV side disconnected")', async () => {
    await set('StopTransactionOnEVSideDisconnect', 'false');
    const { mark, transactionId } = await chargeWithCard(1);
    const beforeUnplug = rig.mark();
    rig.sim.unplug(1);
    const suspended = await rig.waitStatus(1, 'SuspendedEV', beforeUnplug);
    assert.equal(suspended.info, 'EV side disconnected');
    await rig.pass(30_000);
    assert.equal(rig.calls('StopTransaction', mark).length, 0, 'the transaction goes on');
    assert.equal(rig.connectorState(1), 'connected.session.evDisconnected');
    assert.deepEqual(await rig.call('RemoteStopTransaction', { transactionId }), { status: 'Accepted' });
    const stop = await rig.next('StopTransaction', mark);
    assert.equal(stop.reason, 'Remote');
    await rig.waitStatus(1, 'Available', beforeUnplug);
  });

  it('StopTransactionOnEVSideDisconnect true (default): the unplug ends it, reason EVDisconnected', async () => {
    const { mark } = await chargeWithCard(1);
    rig.sim.unplug(1);
    const stop = await rig.next('StopTransaction', mark);
    assert.equal(stop.reason, 'EVDisconnected');
  });

  it('UnlockConnectorOnEVSideDisconnect false: the socket keeps the cable locked after the unplug, until the card', async () => {
    await set('UnlockConnectorOnEVSideDisconnect', 'false');
    await chargeWithCard(1);
    assert.equal(rig.connectorStatus(1).lock?.feedback, 'locked');
    rig.sim.unplug(1);
    await rig.until(() => rig.connectorState(1) === 'idle.vacant', 'idle after the unplug');
    await rig.pass(5000);
    assert.equal(rig.connectorStatus(1).lock?.feedback, 'locked', 'the cable stays locked in the socket');
    await rig.card(CARD);
    await rig.until(() => rig.connectorStatus(1).lock?.feedback === 'unlocked', 'the card releases the cable');
  });

  it('UnlockConnectorOnEVSideDisconnect true (default): the unplug releases the cable', async () => {
    await chargeWithCard(1);
    rig.sim.unplug(1);
    await rig.until(() => rig.connectorStatus(1).lock?.feedback === 'unlocked', 'the unplug releases the cable');
  });

  it('MeterValueSampleInterval and MeterValuesSampledData: every 15 s the configured measurands; 0 stops them', async () => {
    await set('MeterValueSampleInterval', '15');
    await set('MeterValuesSampledData', 'Energy.Active.Import.Register,Power.Active.Import,Current.Import,Voltage');
    const { mark, transactionId } = await chargeWithCard(1);
    await rig.until(() => rig.payloads('MeterValues', mark).filter((p) => p.transactionId !== undefined).length >= 3, 'three samples', { virtualMs: 60_000 });
    const samples = rig.payloads('MeterValues', mark).filter((p) => p.transactionId !== undefined);
    const times = samples.map((p) => Date.parse(p.meterValue[0].timestamp));
    for (let i = 1; i < times.length; i++) assert.equal(times[i]! - times[i - 1]!, 15_000, 'every 15 s of (virtual) time');
    for (const sample of samples) {
      assert.equal(sample.transactionId, transactionId);
      const values = sample.meterValue[0].sampledValue as { measurand: string; phase?: string; context: string; unit?: string }[];
      assert.deepEqual(values.map((v) => `${v.measurand}${v.phase ? `/${v.phase}` : ''}`), [
        'Energy.Active.Import.Register', 'Power.Active.Import', 'Current.Import/L1', 'Current.Import/L2', 'Current.Import/L3', 'Voltage/L1-N', 'Voltage/L2-N', 'Voltage/L3-N',
      ]);
      assert.ok(values.every((v) => v.context === 'Sample.Periodic'));
    }
    await set('MeterValueSampleInterval', '0');
    const off = rig.mark();
    await rig.pass(60_000, 1000);
    assert.equal(rig.calls('MeterValues', off).length, 0, 'interval 0: no sampled values');
  });

  it('ClockAlignedDataInterval: values at every quarter hour of the backend\'s clock, for each connector, with the transactionId of a session', async () => {
    await set('ClockAlignedDataInterval', '900');
    await set('MeterValueSampleInterval', '0');
    const { mark, transactionId } = await chargeWithCard(1);
    await rig.until(() => rig.payloads('MeterValues', mark).length >= 4, 'two aligned rounds', { virtualMs: 32 * 60_000, stepMs: 2000, realMs: 15_000 });
    const aligned = rig.payloads('MeterValues', mark);
    for (const p of aligned) {
      const ts = Date.parse(p.meterValue[0].timestamp);
      assert.equal(ts % 900_000, 0, `aligned to a quarter hour: ${p.meterValue[0].timestamp}`);
      assert.equal(p.meterValue[0].sampledValue[0].context, 'Sample.Clock');
      assert.equal(p.meterValue[0].sampledValue[0].measurand, 'Energy.Active.Import.Register');
      if (p.connectorId === 1) assert.equal(p.transactionId, transactionId);
      else assert.equal(p.transactionId, undefined, 'connector 2 has no transaction');
    }
    assert.deepEqual([...new Set(aligned.map((p) => p.connectorId))].sort(), [1, 2]);
    // The backend's quarter hours (its clock is an hour ahead of the charger's own), each once.
    const last = Date.parse(aligned.at(-1)!.meterValue[0].timestamp);
    assert.ok(Math.abs(last - (rig.clock.now() + CSMS_AHEAD_MS)) <= 900_000, 'timestamps follow the CSMS clock (BootNotification currentTime)');
    const perConnector = aligned.filter((p) => p.connectorId === 1).map((p) => p.meterValue[0].timestamp);
    assert.equal(new Set(perConnector).size, perConnector.length, 'one value per boundary');
  });

  it('StopTxnSampledData: StopTransaction.transactionData from Transaction.Begin through the samples to Transaction.End', async () => {
    await set('StopTxnSampledData', 'Energy.Active.Import.Register');
    await set('MeterValueSampleInterval', '30');
    const { mark, start } = await chargeWithCard(1);
    await rig.pass(100_000, 500);
    await rig.card(CARD);
    const stop = await rig.next('StopTransaction', mark);
    const data = stop.transactionData as { timestamp: string; sampledValue: { value: string; context: string; measurand: string }[] }[];
    assert.ok(data && data.length >= 5, `transactionData: ${JSON.stringify(data)}`);
    assert.equal(data[0]!.sampledValue[0]!.context, 'Transaction.Begin');
    assert.equal(Number(data[0]!.sampledValue[0]!.value), start.meterStart);
    assert.equal(data[0]!.timestamp, start.timestamp, 'Begin is stamped like StartTransaction');
    assert.equal(data.at(-1)!.sampledValue[0]!.context, 'Transaction.End');
    assert.equal(Number(data.at(-1)!.sampledValue[0]!.value), stop.meterStop);
    assert.equal(data.at(-1)!.timestamp, stop.timestamp, 'End is stamped like StopTransaction');
    const middle = data.slice(1, -1);
    assert.ok(middle.length >= 3 && middle.every((v) => v.sampledValue[0]!.context === 'Sample.Periodic'));
    const values = data.map((v) => Number(v.sampledValue[0]!.value));
    assert.deepEqual([...values].sort((a, b) => a - b), values, 'the register only grows');
    const times = data.map((v) => Date.parse(v.timestamp));
    assert.deepEqual([...times].sort((a, b) => a - b), times, 'in time order');
  });

  it('StopTxnSampledData empty (default): no transactionData', async () => {
    const { mark } = await chargeWithCard(1);
    await rig.pass(70_000, 500);
    await rig.card(CARD);
    const stop = await rig.next('StopTransaction', mark);
    assert.equal(stop.transactionData, undefined);
  });

  it('HeartbeatInterval: a Heartbeat every interval, following a change', async () => {
    let mark = rig.mark();
    // After each pass virtual time stands still while what was sent by then reaches the CSMS.
    const heartbeats = async (count: number, what: string) => {
      await rig.arrived(() => rig.calls('Heartbeat', mark).length >= count, what);
      assert.equal(rig.calls('Heartbeat', mark).length, count, what);
    };
    await rig.pass(301_000, 1000);
    await heartbeats(1, 'boot interval 300 s: one Heartbeat in 301 s');
    await set('HeartbeatInterval', '60');
    mark = rig.mark();
    await rig.pass(59_000, 1000);
    assert.equal(rig.calls('Heartbeat', mark).length, 0);
    await rig.pass(2_000, 500);
    await heartbeats(1, 'one at 60 s');
    await rig.pass(120_000, 1000);
    await heartbeats(3, 'then one a minute');
    assert.deepEqual(rig.payloads('Heartbeat', mark)[0], {});
  });
});
