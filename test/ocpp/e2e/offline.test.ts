// The backend goes away mid-session: charging goes on, transaction messages are queued, and
// after the reconnect every one arrives in order with the right transactionId.

import { strict as assert } from 'node:assert';
import { CARD, E2e, OcppRig, transactionIdOf } from './ocpp-rig.js';
import type { DevCsms } from '../../../tools/dev-csms/csms.js';

describe('OCPP e2e: backend gone mid-session', function () {
  const e2e = new E2e();
  let csms: DevCsms;
  let rig: OcppRig;

  beforeEach(async () => {
    csms = await e2e.csms();
    csms.setTag(CARD, { status: 'Accepted' });
    rig = await e2e.rig(csms, { ocppKeys: { AuthorizationCacheEnabled: 'true', MeterValueSampleInterval: '30' } });
  });
  afterEach(() => e2e.cleanup());

  it('CSMS closed and a new one on the same port: queued messages of a running and of a wholly offline session arrive in order', async () => {
    const mark = rig.mark();
    await rig.plug(1);
    await rig.card(CARD);
    await rig.untilCharging(1);
    await rig.next('StartTransaction', mark);
    const first = transactionIdOf(csms, rig.cpId, rig.calls('StartTransaction', mark)[0]!);
    const port = Number(new URL(csms.url).port);

    await csms.close();
    await rig.until(() => !rig.client.status.connected, 'offline');
    const sessionsBefore = rig.charger.sessions().length;
    await rig.pass(65_000, 500); // two sampled values, queued
    assert.equal(rig.connectorState(1), 'connected.session.energized.charging', 'charging goes on');
    await rig.card(CARD); // the same card stops offline
    await rig.until(() => rig.connectorState(1) === 'connected.finishing', 'stopped offline');
    rig.sim.unplug(1);
    await rig.until(() => rig.connectorState(1) === 'idle.vacant', 'unplugged');
    // A whole session offline: the cached card (LocalAuthorizeOffline).
    await rig.plug(1);
    await rig.card(CARD);
    await rig.untilCharging(1);
    await rig.pass(35_000, 500);
    await rig.card(CARD);
    await rig.until(() => rig.connectorState(1) === 'connected.finishing', 'second session stopped offline');
    // The session is recorded as stopped (and its StopTransaction queued) only once the meter's
    // last read is back, which takes real time: wait for it, then for every write to be durable.
    await rig.until(() => rig.charger.sessions().at(-1)!.stoppedAt !== null, 'second session recorded');
    assert.equal(rig.charger.sessions().length, sessionsBefore + 1);
    await rig.client.settle();
    // How many periodic samples fell in the offline window depends on when the charger noticed the
    // link was gone, which is real time: take the count from the firmware. At the least: 2 samples
    // in the first session's ≥ 67 s offline, its Stop, the second's Start, 1 sample in ≥ 37 s, its Stop.
    const queued = rig.client.status.queuedMessages;
    assert.ok(queued >= 6, `queued ${queued}`);

    const back = await e2e.csms(port);
    back.setTag(CARD, { status: 'Accepted' });
    let nextId = 500;
    back.setHandler('StartTransaction', () => ({ transactionId: ++nextId, idTagInfo: { status: 'Accepted' } }));
    rig.csms = back;
    await rig.until(() => rig.client.status.queuedMessages === 0 && back.connected().includes(rig.cpId), 'the queue delivered', { realMs: 15_000, stepMs: 20, virtualMs: 120_000 });

    assert.equal(rig.calls('BootNotification').length, 0, 'already accepted: no new BootNotification');
    const tx = rig.calls().filter((m) => ['StartTransaction', 'StopTransaction', 'MeterValues'].includes(m.action!) && (m.payload as { transactionId?: number }).transactionId !== undefined || m.action === 'StartTransaction');
    const summary = tx.map((m) => `${m.action}:${(m.payload as { transactionId?: number }).transactionId ?? '-'}`);
    assert.equal(tx.length, queued, `every queued message delivered once: ${summary.join(' ')}`);
    const firstStop = summary.indexOf(`StopTransaction:${first}`);
    const secondStart = summary.indexOf('StartTransaction:-');
    assert.ok(firstStop >= 2, `the first session's queued MeterValues, then its StopTransaction: ${summary.join(' ')}`);
    assert.ok(summary.slice(0, firstStop).every((s) => s === `MeterValues:${first}`), summary.join(' '));
    assert.equal(secondStart, firstStop + 1, 'then the offline session\'s StartTransaction');
    const rest = summary.slice(secondStart + 1);
    assert.ok(rest.length >= 2 && rest.slice(0, -1).every((s) => s === 'MeterValues:501'), `its MeterValues with the late transactionId: ${summary.join(' ')}`);
    assert.equal(rest.at(-1), 'StopTransaction:501');
    const stops = rig.payloads('StopTransaction');
    assert.equal(stops[0].reason, 'Local');
    assert.equal(stops[1].reason, 'Local');
    const records = rig.charger.sessions().slice(-2);
    assert.deepEqual(stops.map((s) => s.meterStop), records.map((r) => Math.round(r.meterStopWh!)));
    // Timestamps are those of the events, not of the delivery: in time order.
    const times = tx.map((m) => {
      const p = m.payload as { timestamp?: string; meterValue?: { timestamp: string }[] };
      return Date.parse(p.timestamp ?? p.meterValue![0]!.timestamp);
    });
    assert.deepEqual([...times].sort((a, b) => a - b), times);
    // And it works online again.
    const again = rig.mark();
    rig.sim.unplug(1);
    await rig.waitStatus(1, 'Available', again);
  });

  it('a dropped connection (no close handshake): the charger reconnects, charging goes on, the messages flow again', async () => {
    const mark = rig.mark();
    await rig.plug(1);
    await rig.card(CARD);
    await rig.untilCharging(1);
    await rig.next('StartTransaction', mark);
    const id = transactionIdOf(csms, rig.cpId, rig.calls('StartTransaction', mark)[0]!);
    await csms.drop(rig.cpId);
    const dropped = rig.mark();
    await rig.until(() => rig.connected && rig.client.status.connected, 'reconnected', { realMs: 10_000, stepMs: 20, virtualMs: 60_000 });
    assert.equal(rig.connectorState(1), 'connected.session.energized.charging');
    const meter = await rig.next('MeterValues', dropped, (p) => p.transactionId === id, { virtualMs: 40_000 });
    assert.equal(meter.transactionId, id);
    assert.equal(rig.calls('BootNotification', dropped).length, 0);
    // After the reconnect the current statuses are reported again.
    assert.ok(rig.statuses(1, dropped).includes('Charging'));
    assert.deepEqual(await rig.call('RemoteStopTransaction', { transactionId: id }), { status: 'Accepted' });
    assert.equal((await rig.next('StopTransaction', dropped)).reason, 'Remote');
  });
});
