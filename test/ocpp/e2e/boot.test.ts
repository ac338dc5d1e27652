// Registration: Pending, Rejected, the heartbeat at the boot interval, and the backend's clock.

import { strict as assert } from 'node:assert';
import { CARD, CSMS_AHEAD_MS, E2e, OcppRig } from './ocpp-rig.js';
import type { DevCsms } from '../../../tools/dev-csms/csms.js';

describe('OCPP e2e: boot', function () {
  const e2e = new E2e();
  let csms: DevCsms;
  let rig: OcppRig;

  beforeEach(async () => {
    csms = await e2e.csms();
    csms.setTag(CARD, { status: 'Accepted' });
  });
  afterEach(() => e2e.cleanup());

  it('Pending: nothing but BootNotification until Accepted; the CSMS\'s GetConfiguration is answered meanwhile', async () => {
    csms.setBootResponse({ status: 'Pending', interval: 30 });
    rig = await e2e.rig(csms, { awaitBoot: false });
    await rig.until(() => rig.client.status.registration === 'Pending', 'Pending');
    await rig.plug(1);
    rig.sim.presentCard(CARD);
    await rig.pass(20_000);
    assert.deepEqual([...new Set(rig.calls().map((m) => m.action))], ['BootNotification'], 'only BootNotification while Pending');
    const config = await rig.call('GetConfiguration', { key: ['NumberOfConnectors'] });
    assert.deepEqual(config.configurationKey, [{ key: 'NumberOfConnectors', readonly: true, value: '2' }]);
    assert.deepEqual(await rig.call('RemoteStartTransaction', { connectorId: 1, idTag: CARD }), { status: 'Rejected' });
    csms.setBootResponse({ status: 'Accepted', interval: 300 });
    await rig.until(() => rig.client.status.registration === 'Accepted', 'Accepted at the next BootNotification', { virtualMs: 40_000 });
    assert.equal(rig.calls('BootNotification').length, 2, 'asked again after the interval');
    await rig.awaitOnline(0);
    assert.equal(rig.payloads('StatusNotification').find((p) => p.connectorId === 1).status, 'Preparing', 'the current status, not the history');
  });

  it('Rejected: silent for the interval, then BootNotification again', async () => {
    csms.setBootResponse({ status: 'Rejected', interval: 120 });
    rig = await e2e.rig(csms, { awaitBoot: false });
    await rig.until(() => rig.client.status.registration === 'Rejected', 'Rejected');
    const rejectedAt = rig.clock.now();
    // §4.2: no answer to the backend either, while Rejected.
    await assert.rejects(rig.call('GetConfiguration', { key: ['NumberOfConnectors'] }, { timeoutMs: 1000 }), /no answer within 1000 ms/);
    await rig.pass(Math.max(0, 115_000 - (rig.clock.now() - rejectedAt)), 1000); // up to just before the interval ends
    assert.deepEqual(rig.calls().map((m) => m.action), ['BootNotification'], 'silent while rejected');
    assert.equal(rig.calls().filter((m) => m.direction === 'in' && m.messageType !== 'CALL').length, 0, 'not even an answer');
    csms.setBootResponse({ status: 'Accepted', interval: 300 });
    await rig.until(() => rig.calls('BootNotification').length === 2, 'the second BootNotification', { virtualMs: 10_000 });
    const elapsed = rig.clock.now() - rejectedAt;
    assert.ok(elapsed >= 119_000 && elapsed <= 122_000, `asked again after ${elapsed} ms`);
    await rig.awaitOnline(0);
  });

  it('the heartbeat runs at the interval BootNotification.conf gave', async () => {
    csms.setBootResponse({ status: 'Accepted', interval: 120 });
    rig = await e2e.rig(csms);
    const mark = rig.mark();
    await rig.pass(365_000, 1000);
    // Those sent by 365 s (virtual time now stands still) reach the CSMS in real time.
    await rig.arrived(() => rig.calls('Heartbeat', mark).length >= 3, 'three Heartbeats');
    assert.equal(rig.calls('Heartbeat', mark).length, 3);
    const config = await rig.call('GetConfiguration', { key: ['HeartbeatInterval'] });
    assert.equal(config.configurationKey[0].value, '120');
  });

  it('the backend\'s currentTime is used in every timestamp, also for statuses that began before the boot', async () => {
    rig = await e2e.rig(csms);
    const backendNow = () => rig.clock.now() + CSMS_AHEAD_MS;
    const first = rig.payloads('StatusNotification');
    for (const p of first) assert.ok(Math.abs(Date.parse(p.timestamp) - backendNow()) < 60_000, `initial status stamped ${p.timestamp}, backend time ${new Date(backendNow()).toISOString()}`);
    const mark = rig.mark();
    await rig.plug(1);
    await rig.card(CARD);
    await rig.untilCharging(1);
    const start = await rig.next('StartTransaction', mark);
    assert.ok(Math.abs(Date.parse(start.timestamp) - backendNow()) < 60_000, `StartTransaction stamped ${start.timestamp}`);
    const charging = await rig.waitStatus(1, 'Charging', mark);
    assert.ok(Math.abs(Date.parse(charging.timestamp) - backendNow()) < 60_000);
  });
});
