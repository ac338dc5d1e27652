// StatusNotifications for faults injected on the simulated board: a connector fault, and a
// station fault on connector 0.

import { strict as assert } from 'node:assert';
import { FAULTS } from '../../../state-machines/faults.js';
import { CARD, E2e, OcppRig } from './ocpp-rig.js';

describe('OCPP e2e: status transitions with faults', function () {
  const e2e = new E2e();
  let rig: OcppRig;

  beforeEach(async () => ({ rig } = await e2e.cardRig()));
  afterEach(() => e2e.cleanup());

  it('overTemperature on a charging connector: Faulted HighTemperature with vendorErrorCode; Available again when it cools down', async () => {
    const mark = rig.mark();
    await rig.plug(1);
    await rig.card(CARD);
    await rig.untilCharging(1);
    rig.sim.injectFault(1, 'overTemperature', { temperatureC: 80 });
    const faulted = await rig.waitStatus(1, 'Faulted', mark);
    assert.equal(faulted.errorCode, 'HighTemperature');
    assert.equal(faulted.vendorErrorCode, FAULTS.OverTemperature.vendorErrorCode);
    assert.ok(typeof faulted.info === 'string' && faulted.info.length > 0 && faulted.info.length <= 50);
    assert.equal(rig.connectorStatus(1).contactor.feedback, 'open');
    assert.equal(rig.statuses(2, mark).length, 0, 'connector 2 unaffected');
    const hot = rig.mark();
    rig.sim.clearFault(1, 'overTemperature');
    await rig.until(() => rig.statuses(1, hot).some((s) => s !== 'Faulted'), 'the connector recovers', { virtualMs: 10 * 60_000, stepMs: 500, realMs: 15_000 });
    const recovered = rig.payloads('StatusNotification', hot).filter((p) => p.connectorId === 1).at(-1);
    assert.equal(recovered.errorCode, 'NoError');
  });

  it('emergencyStop: connector 0 Faulted (vendorErrorCode), the session ends with EmergencyStop; released: Available', async () => {
    const mark = rig.mark();
    await rig.plug(1);
    await rig.card(CARD);
    await rig.untilCharging(1);
    rig.sim.injectFault(null, 'emergencyStop');
    const station = await rig.waitStatus(0, 'Faulted', mark);
    assert.equal(station.errorCode, 'OtherError'); // OCPP 1.6 §7.6 has no emergency-stop code
    assert.equal(station.vendorErrorCode, FAULTS.EmergencyStop.vendorErrorCode);
    await rig.waitStatus(1, 'Faulted', mark);
    await rig.waitStatus(2, 'Faulted', mark);
    const stop = await rig.next('StopTransaction', mark);
    assert.equal(stop.reason, 'EmergencyStop');
    const pressed = rig.mark();
    rig.sim.clearFault(null, 'emergencyStop');
    const back = await rig.waitStatus(0, 'Available', pressed);
    assert.equal(back.errorCode, 'NoError');
    await rig.waitStatus(2, 'Available', pressed);
  });
});
