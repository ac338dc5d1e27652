// A card session end to end: plug, card, Authorize, StartTransaction, statuses, MeterValues with
// the backend's transactionId, card again, StopTransaction; battery full; unplug.

import { strict as assert } from 'node:assert';
import { CARD, E2e, OcppRig, transactionIdOf } from './ocpp-rig.js';
import { registerWh } from '../../../app/ocpp/metering/sampled-values.js';
import type { DevCsms } from '../../../tools/dev-csms/csms.js';

/** `expected` appears in `actual` in this order (other items may come between). */
export function assertSubsequence(actual: readonly string[], expected: readonly string[], what: string): void {
  let i = 0;
  for (const item of actual) if (item === expected[i]) i++;
  assert.equal(i, expected.length, `${what}: expected ${JSON.stringify(expected)} in order within ${JSON.stringify(actual)}`);
}

describe('OCPP e2e: RFID session', function () {
  const e2e = new E2e();
  let csms: DevCsms;
  let rig: OcppRig;

  beforeEach(async () => ({ csms, rig } = await e2e.cardRig()));
  afterEach(() => e2e.cleanup());

  it('plug, card: Authorize, StartTransaction, Preparing → Charging, MeterValues with the transactionId; card again: StopTransaction Local at the register', async () => {
    const mark = rig.mark();
    await rig.plug(1);
    await rig.waitStatus(1, 'Preparing', mark);
    await rig.card(CARD);
    const authorize = await rig.next('Authorize', mark);
    assert.deepEqual(authorize, { idTag: CARD });
    await rig.untilCharging(1);
    const start = await rig.next('StartTransaction', mark);
    const startCall = rig.calls('StartTransaction', mark)[0]!;
    assert.equal(start.connectorId, 1);
    assert.equal(start.idTag, CARD);
    const record = rig.charger.sessions().at(-1)!;
    assert.equal(start.meterStart, registerWh(record.meterStartWh), 'meterStart is the register at the start');
    await rig.waitStatus(1, 'Charging', mark);
    assert.ok(rig.calls('Authorize', mark).length === 1, 'one Authorize');
    const authorizeSeq = rig.calls('Authorize', mark)[0]!.seq;
    assert.ok(authorizeSeq < startCall.seq, 'Authorize before StartTransaction');
    const transactionId = transactionIdOf(csms, rig.cpId, startCall);

    // MeterValueSampleInterval 60 s (default): a periodic sample with the backend's transactionId.
    const meter = await rig.next('MeterValues', mark, (p) => p.transactionId !== undefined, { virtualMs: 70_000 });
    assert.equal(meter.transactionId, transactionId);
    assert.equal(meter.connectorId, 1);
    const sv = meter.meterValue[0].sampledValue[0];
    assert.equal(sv.measurand, 'Energy.Active.Import.Register');
    assert.equal(sv.context, 'Sample.Periodic');
    assert.equal(sv.unit, 'Wh');
    assert.ok(Number(sv.value) > start.meterStart, 'the register moved while charging');

    await rig.pass(30_000);
    const beforeStop = rig.mark();
    await rig.card(CARD);
    const stop = await rig.next('StopTransaction', beforeStop);
    assert.equal(rig.calls('Authorize', beforeStop).length, 0, 'the same card stops without an Authorize.req (§3.4)');
    assert.equal(stop.transactionId, transactionId);
    assert.equal(stop.reason, 'Local');
    assert.equal(stop.idTag, CARD);
    const stopped = rig.charger.sessions().at(-1)!;
    assert.equal(stopped.stopReason, 'Local');
    assert.equal(stop.meterStop, registerWh(stopped.meterStopWh!), 'meterStop is the recorded register');
    // The contactor is open: the register no longer moves, and it is what meterStop said. (Not
    // any later reading: one sampled before the contactor opened may still be the latest.)
    const register = await rig.settledRegisterWh(1, 'contactor open');
    assert.equal(register, stopped.meterStopWh, 'the register stands where the session record says it stopped');
    assert.equal(stop.meterStop, registerWh(register), 'meterStop = the meter register');
    assert.ok(stop.meterStop > start.meterStart);
    await rig.waitStatus(1, 'Finishing', beforeStop);

    const beforeUnplug = rig.mark();
    rig.sim.unplug(1);
    await rig.waitStatus(1, 'Available', beforeUnplug);
    assert.equal(rig.calls('StopTransaction').length, 1, 'one StopTransaction for the session');
    assertSubsequence(rig.statuses(1, mark), ['Preparing', 'Charging', 'Finishing', 'Available'], 'connector 1 statuses');
  });

  it('battery full: SuspendedEV while the session goes on; unplug: StopTransaction EVDisconnected, Available', async () => {
    const mark = rig.mark();
    // 400 Wh to go at 16 A × 3 phases (about 11 kW): full after about 2 minutes.
    await rig.plug(1, { batteryCapacityWh: 20_000, socPercent: 98, targetSocPercent: 100, maxCurrentA: 16, phases: 3 });
    await rig.card(CARD);
    await rig.untilCharging(1);
    await rig.waitStatus(1, 'Charging', mark);
    const start = await rig.next('StartTransaction', mark);
    await rig.until(() => rig.connectorState(1) === 'connected.session.suspendedEV', 'the EV stops drawing', { virtualMs: 10 * 60_000, stepMs: 500, realMs: 15_000 });
    const full = rig.mark();
    const suspended = await rig.waitStatus(1, 'SuspendedEV', mark);
    assert.equal(suspended.errorCode, 'NoError');
    assert.equal(rig.calls('StopTransaction').length, 0, 'a full battery does not end the transaction');
    // The register once the EV draws nothing: from then on it cannot move, so meterStop is it,
    // exactly. (The latest reading when SuspendedEV shows may have been sampled while the EV
    // still drew current, and may round to a different Wh.)
    const registerAtFull = await rig.settledRegisterWh(1, 'battery full');

    rig.sim.unplug(1);
    const stop = await rig.next('StopTransaction', full);
    assert.equal(stop.reason, 'EVDisconnected');
    const stopped = rig.charger.sessions().at(-1)!;
    assert.equal(stopped.meterStopWh, registerAtFull, 'no energy after the battery was full');
    assert.equal(stop.meterStop, registerWh(registerAtFull));
    assert.ok(Math.abs(stop.meterStop - start.meterStart - 400) < 15, `about 400 Wh charged (${stop.meterStop - start.meterStart})`);
    assert.equal(stop.idTag, undefined, 'no idTag: nobody presented a card to stop it');
    await rig.waitStatus(1, 'Available', full);
  });
});
