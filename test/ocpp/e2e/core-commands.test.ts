// The Core profile's CSMS commands against the full charger: Reset, UnlockConnector,
// ChangeAvailability, ClearCache, DataTransfer (configuration keys: configuration.test.ts).

import { strict as assert } from 'node:assert';
import { CARD, E2e, OcppRig, transactionIdOf } from './ocpp-rig.js';
import type { DevCsms } from '../../../tools/dev-csms/csms.js';

describe('OCPP e2e: Core commands', function () {
  const e2e = new E2e();
  let csms: DevCsms;
  let rig: OcppRig;

  beforeEach(async () => ({ csms, rig } = await e2e.cardRig()));
  afterEach(() => e2e.cleanup());

  async function chargeWithCard(connectorId = 1): Promise<{ mark: number; transactionId: number }> {
    const mark = rig.mark();
    await rig.plug(connectorId);
    await rig.card(CARD);
    await rig.untilCharging(connectorId);
    await rig.next('StartTransaction', mark);
    return { mark, transactionId: transactionIdOf(csms, rig.cpId, rig.calls('StartTransaction', mark)[0]!) };
  }

  for (const type of ['Soft', 'Hard'] as const) {
    it(`Reset ${type}: the session stops with ${type}Reset, its StopTransaction is delivered, then the firmware restarts`, async () => {
      const { mark, transactionId } = await chargeWithCard(1);
      let stopDeliveredAtRestart: boolean | null = null;
      assert.deepEqual(await rig.call('Reset', { type }), { status: 'Accepted' });
      await rig.until(() => {
        if (rig.restarts.length === 0) return false;
        // At the moment restart is asked for, the StopTransaction has been sent and answered.
        stopDeliveredAtRestart ??= csms.messages({ chargePointId: rig.cpId, action: 'StopTransaction', messageType: 'CALLRESULT', afterSeq: mark }).length === 1;
        return true;
      }, 'the restart callback', { stepMs: 20 });
      assert.deepEqual(rig.restarts, [type]);
      assert.equal(stopDeliveredAtRestart, true, 'StopTransaction delivered before the restart');
      const [stop] = rig.payloads('StopTransaction', mark);
      assert.equal(stop.reason, `${type}Reset`);
      assert.equal(stop.transactionId, transactionId);
      assert.equal(rig.charger.sessions().at(-1)!.stopReason, `${type}Reset`);
      assert.equal(rig.client.status.queuedMessages, 0);
    });
  }

  it('Reset: the restart follows the StopTransaction\'s answer at once, with no time passing on the clock', async () => {
    const { mark } = await chargeWithCard(1);
    assert.deepEqual(await rig.call('Reset', { type: 'Soft' }), { status: 'Accepted' });
    const answered = () => csms.messages({ chargePointId: rig.cpId, action: 'StopTransaction', messageType: 'CALLRESULT', afterSeq: mark }).length === 1;
    await rig.until(answered, 'the StopTransaction answered');
    // Virtual time stands from here: the reset waits on the queue, not on a timer.
    await rig.arrived(() => rig.restarts.length > 0, 'the restart callback');
    assert.deepEqual(rig.restarts, ['Soft']);
  });

  it('Reset without a session restarts at once', async () => {
    assert.deepEqual(await rig.call('Reset', { type: 'Hard' }), { status: 'Accepted' });
    await rig.until(() => rig.restarts.length > 0, 'the restart callback');
    assert.deepEqual(rig.restarts, ['Hard']);
    assert.equal(rig.calls('StopTransaction').length, 0);
  });

  it('UnlockConnector: a socket in session stops (UnlockCommand) and is Unlocked; tethered → NotSupported; unknown → NotSupported', async () => {
    const { mark, transactionId } = await chargeWithCard(1);
    assert.deepEqual(await rig.call('UnlockConnector', { connectorId: 1 }), { status: 'Unlocked' });
    const stop = await rig.next('StopTransaction', mark);
    assert.equal(stop.reason, 'UnlockCommand');
    assert.equal(stop.transactionId, transactionId);
    assert.equal(rig.connectorStatus(1).lock!.feedback, 'unlocked');
    assert.equal(rig.connectorStatus(1).contactor.feedback, 'open');
    assert.deepEqual(await rig.call('UnlockConnector', { connectorId: 2 }), { status: 'NotSupported' });
    assert.deepEqual(await rig.call('UnlockConnector', { connectorId: 7 }), { status: 'NotSupported' });
    assert.equal(rig.calls('StopTransaction', mark).length, 1);
  });

  it('UnlockConnector on an idle socket: Unlocked, no transaction message', async () => {
    const mark = rig.mark();
    assert.deepEqual(await rig.call('UnlockConnector', { connectorId: 1 }), { status: 'Unlocked' });
    assert.equal(rig.calls('StopTransaction', mark).length, 0);
  });

  it('ChangeAvailability Inoperative on an idle connector: Accepted, Unavailable, no session; Operative: Available again', async () => {
    let mark = rig.mark();
    assert.deepEqual(await rig.call('ChangeAvailability', { connectorId: 1, type: 'Inoperative' }), { status: 'Accepted' });
    await rig.waitStatus(1, 'Unavailable', mark);
    await rig.plug(1);
    await rig.card(CARD);
    await rig.pass(5000);
    assert.equal(rig.calls('StartTransaction', mark).length, 0, 'an Unavailable connector starts no transaction');
    assert.deepEqual(await rig.call('RemoteStartTransaction', { connectorId: 1, idTag: CARD }), { status: 'Rejected' });
    assert.equal(rig.statuses(2, mark).length, 0, 'connector 2 unaffected');

    mark = rig.mark();
    assert.deepEqual(await rig.call('ChangeAvailability', { connectorId: 1, type: 'Operative' }), { status: 'Accepted' });
    await rig.waitStatus(1, 'Preparing', mark); // the EV is still plugged in
    await rig.card(CARD);
    await rig.untilCharging(1);
    await rig.next('StartTransaction', mark);
  });

  it('ChangeAvailability during a session: Scheduled; the session goes on; Unavailable once it has ended', async () => {
    const { mark } = await chargeWithCard(1);
    assert.deepEqual(await rig.call('ChangeAvailability', { connectorId: 1, type: 'Inoperative' }), { status: 'Scheduled' });
    await rig.pass(5000);
    assert.equal(rig.connectorState(1), 'connected.session.energized.charging', 'the session is not ended');
    assert.ok(!rig.statuses(1, mark).includes('Unavailable'));
    await rig.card(CARD);
    await rig.next('StopTransaction', mark);
    rig.sim.unplug(1);
    await rig.waitStatus(1, 'Unavailable', mark);
    assert.equal(rig.payloads('StopTransaction', mark)[0].reason, 'Local');
  });

  it('ChangeAvailability of connector 0: the whole charger is Unavailable; unknown connector → Rejected', async () => {
    const mark = rig.mark();
    assert.deepEqual(await rig.call('ChangeAvailability', { connectorId: 9, type: 'Inoperative' }), { status: 'Rejected' });
    assert.deepEqual(await rig.call('ChangeAvailability', { connectorId: 0, type: 'Inoperative' }), { status: 'Accepted' });
    await rig.waitStatus(0, 'Unavailable', mark);
    await rig.waitStatus(1, 'Unavailable', mark);
    await rig.waitStatus(2, 'Unavailable', mark);
    assert.deepEqual(await rig.call('RemoteStartTransaction', { connectorId: 2, idTag: CARD }), { status: 'Rejected' });
    const back = rig.mark();
    assert.deepEqual(await rig.call('ChangeAvailability', { connectorId: 0, type: 'Operative' }), { status: 'Accepted' });
    await rig.waitStatus(0, 'Available', back);
    await rig.waitStatus(1, 'Available', back);
    await rig.waitStatus(2, 'Available', back);
  });

  it('ChangeAvailability is persisted: after a restart over the same data the connector is still Unavailable', async () => {
    assert.deepEqual(await rig.call('ChangeAvailability', { connectorId: 2, type: 'Inoperative' }), { status: 'Accepted' });
    const mark = rig.mark();
    rig = await e2e.restart(rig);
    await rig.next('BootNotification', mark);
    const after = rig.payloads('StatusNotification', mark);
    assert.equal(after.find((p) => p.connectorId === 2)?.status, 'Unavailable');
    assert.equal(after.find((p) => p.connectorId === 1)?.status, 'Available');
    assert.deepEqual(await rig.call('RemoteStartTransaction', { connectorId: 2, idTag: CARD }), { status: 'Rejected' });
  });

  it('ClearCache: Accepted, and a card the cache knew needs an Authorize.req again', async () => {
    for (const [key, value] of [['AuthorizationCacheEnabled', 'true'], ['LocalPreAuthorize', 'true']]) {
      assert.deepEqual(await rig.call('ChangeConfiguration', { key, value }), { status: 'Accepted' });
    }
    let mark = rig.mark();
    await rig.plug(1);
    await rig.card(CARD);
    await rig.untilCharging(1);
    assert.equal(rig.calls('Authorize', mark).length, 1, 'first time: asked');
    await rig.card(CARD);
    await rig.next('StopTransaction', mark);
    rig.sim.unplug(1);
    await rig.waitStatus(1, 'Available', mark);

    mark = rig.mark();
    await rig.plug(1);
    await rig.card(CARD);
    await rig.untilCharging(1);
    assert.equal(rig.calls('Authorize', mark).length, 0, 'LocalPreAuthorize: the cache answers');
    await rig.card(CARD);
    await rig.next('StopTransaction', mark);
    rig.sim.unplug(1);
    await rig.waitStatus(1, 'Available', mark);

    assert.deepEqual(await rig.call('ClearCache', {}), { status: 'Accepted' });
    mark = rig.mark();
    await rig.plug(1);
    await rig.card(CARD);
    await rig.untilCharging(1);
    assert.equal(rig.calls('Authorize', mark).length, 1, 'after ClearCache: asked again');
  });

  it('DataTransfer with an unknown vendorId: UnknownVendorId', async () => {
    assert.deepEqual(await rig.call('DataTransfer', { vendorId: 'com.example.nobody', messageId: 'x', data: '{}' }), { status: 'UnknownVendorId' });
    assert.deepEqual(await rig.call('DataTransfer', { vendorId: 'dev-csms' }), { status: 'UnknownVendorId' });
  });
});
