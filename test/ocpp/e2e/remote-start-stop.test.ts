// RemoteStartTransaction and RemoteStopTransaction from the dev CSMS to the full charger.

import { strict as assert } from 'node:assert';
import { CARD, E2e, OTHER_CARD, OcppRig, transactionIdOf } from './ocpp-rig.js';
import type { DevCsms } from '../../../tools/dev-csms/csms.js';

describe('OCPP e2e: RemoteStartTransaction / RemoteStopTransaction', function () {
  const e2e = new E2e();
  let csms: DevCsms;
  let rig: OcppRig;

  beforeEach(async () => ({ csms, rig } = await e2e.cardRig()));
  afterEach(() => e2e.cleanup());

  it('before the plug: Accepted, Preparing, then the EV plugs in and the transaction starts with the remote idTag (no Authorize)', async () => {
    const mark = rig.mark();
    const answer = await rig.call('RemoteStartTransaction', { connectorId: 1, idTag: CARD });
    assert.deepEqual(answer, { status: 'Accepted' });
    await rig.waitStatus(1, 'Preparing', mark);
    assert.equal(rig.connectorState(1), 'idle.authorizedAwaitingPlug');
    await rig.plug(1);
    await rig.untilCharging(1);
    const start = await rig.next('StartTransaction', mark);
    assert.equal(start.idTag, CARD);
    assert.equal(start.connectorId, 1);
    assert.equal(rig.calls('Authorize', mark).length, 0, 'AuthorizeRemoteTxRequests false: no Authorize.req');
    await rig.waitStatus(1, 'Charging', mark);
  });

  it('after the plug, without connectorId: the connector the EV waits on starts', async () => {
    await rig.plug(1);
    const mark = rig.mark();
    assert.deepEqual(await rig.call('RemoteStartTransaction', { idTag: CARD }), { status: 'Accepted' });
    await rig.untilCharging(1);
    const start = await rig.next('StartTransaction', mark);
    assert.equal(start.connectorId, 1);
    assert.equal(start.idTag, CARD);
    assert.equal(rig.calls('Authorize', mark).length, 0);
    assert.equal(rig.connectorState(2), 'idle.vacant', 'connector 2 (no EV) was not taken');
  });

  it('AuthorizeRemoteTxRequests true: the idTag is authorized first; an Invalid one starts nothing', async () => {
    assert.deepEqual(await rig.call('ChangeConfiguration', { key: 'AuthorizeRemoteTxRequests', value: 'true' }), { status: 'Accepted' });
    await rig.plug(1);
    let mark = rig.mark();
    assert.deepEqual(await rig.call('RemoteStartTransaction', { connectorId: 1, idTag: OTHER_CARD }), { status: 'Accepted' });
    assert.deepEqual(await rig.next('Authorize', mark), { idTag: OTHER_CARD });
    await rig.pass(10_000);
    assert.equal(rig.calls('StartTransaction', mark).length, 0, 'Invalid idTag: no transaction');
    assert.equal(rig.connectorState(1), 'connected.awaitingAuthorization');

    mark = rig.mark();
    assert.deepEqual(await rig.call('RemoteStartTransaction', { connectorId: 1, idTag: CARD }), { status: 'Accepted' });
    await rig.untilCharging(1);
    await rig.next('StartTransaction', mark);
    const authorize = rig.calls('Authorize', mark);
    assert.equal(authorize.length, 1);
    assert.deepEqual(authorize[0]!.payload, { idTag: CARD });
    assert.ok(authorize[0]!.seq < rig.calls('StartTransaction', mark)[0]!.seq, 'Authorize before StartTransaction');
  });

  it('an unknown connector, or one in a session, is Rejected; so is a chargingProfile that is not a TxProfile', async () => {
    const mark = rig.mark();
    assert.deepEqual(await rig.call('RemoteStartTransaction', { connectorId: 3, idTag: CARD }), { status: 'Rejected' });
    const notTx = {
      chargingProfileId: 7, stackLevel: 0, chargingProfilePurpose: 'TxDefaultProfile', chargingProfileKind: 'Relative',
      chargingSchedule: { chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 10 }] },
    };
    assert.deepEqual(await rig.call('RemoteStartTransaction', { connectorId: 1, idTag: CARD, chargingProfile: notTx }), { status: 'Rejected' });
    await rig.pass(3000);
    assert.equal(rig.connectorState(1), 'idle.vacant', 'nothing was authorized');
    await rig.plug(1);
    await rig.card(CARD);
    await rig.untilCharging(1);
    assert.deepEqual(await rig.call('RemoteStartTransaction', { connectorId: 1, idTag: OTHER_CARD }), { status: 'Rejected' });
    await rig.next('StartTransaction', mark); // the card's, sent once durably queued: it may still be on its way
    assert.equal(rig.calls('StartTransaction', mark).length, 1);
  });

  it('a TxProfile: the connector\'s allowed current follows its schedule, and is free again after the session', async () => {
    const profile = {
      chargingProfileId: 11, stackLevel: 0, chargingProfilePurpose: 'TxProfile', chargingProfileKind: 'Relative',
      chargingSchedule: { chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 10 }, { startPeriod: 300, limit: 16 }] },
    };
    await rig.plug(1);
    const mark = rig.mark();
    assert.deepEqual(await rig.call('RemoteStartTransaction', { connectorId: 1, idTag: CARD, chargingProfile: profile }), { status: 'Accepted' });
    await rig.untilCharging(1);
    let status = rig.connectorStatus(1);
    assert.equal(status.allowedCurrentA, 10);
    assert.equal(status.limitSource, 'external');
    // IEC 61851-1 Table A.7 (reference A2): 10 / 0.6 = 16.67 %, rounded down to 16.6 % (9.96 A, never above 10 A).
    assert.equal(status.pilot.dutyPercent, 16.6, 'the PWM offers 10 A');
    await rig.until(() => rig.connectorStatus(1).allowedCurrentA === 16, 'the second period (16 A)', { virtualMs: 330_000, stepMs: 1000 });
    const start = rig.calls('StartTransaction', mark)[0]!;
    assert.ok(start, 'the profile\'s session started');
    const transactionId = transactionIdOf(csms, rig.cpId, start);
    assert.deepEqual(await rig.call('RemoteStopTransaction', { transactionId }), { status: 'Accepted' });
    await rig.next('StopTransaction', mark);
    await rig.until(() => rig.connectorStatus(1).limitSource !== 'external', 'the profile gone with its session');
    status = rig.connectorStatus(1);
    assert.equal(status.limits.external, undefined);
  });

  it('RemoteStopTransaction: the right transactionId is Accepted and stops with reason Remote; an unknown one is Rejected', async () => {
    await rig.plug(1);
    const mark = rig.mark();
    await rig.card(CARD);
    await rig.untilCharging(1);
    await rig.next('StartTransaction', mark);
    const transactionId = transactionIdOf(csms, rig.cpId, rig.calls('StartTransaction', mark)[0]!);
    assert.deepEqual(await rig.call('RemoteStopTransaction', { transactionId: transactionId + 100 }), { status: 'Rejected' });
    await rig.pass(3000);
    assert.equal(rig.connectorState(1), 'connected.session.energized.charging', 'a wrong id stops nothing');
    assert.deepEqual(await rig.call('RemoteStopTransaction', { transactionId }), { status: 'Accepted' });
    const stop = await rig.next('StopTransaction', mark);
    assert.equal(stop.transactionId, transactionId);
    assert.equal(stop.reason, 'Remote');
    assert.equal(rig.charger.sessions().at(-1)!.stopReason, 'Remote');
    await rig.waitStatus(1, 'Finishing', mark);
    // The session is over: its id is no longer one to stop.
    assert.deepEqual(await rig.call('RemoteStopTransaction', { transactionId }), { status: 'Rejected' });
  });
});
