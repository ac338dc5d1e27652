// A session's meterStart is a reading of the register, never an invented 0: a session that
// begins before the meter's first answer (free charging with an EV plugged in at power-up, a
// card tapped at once) waits for it, and energy does not flow before it (meterNotReady).

import { strict as assert } from 'node:assert';
import { METER_START_WH } from '../../../hal/sim/sim-connector.js';
import { E2e, OcppRig } from './ocpp-rig.js';
import type { DevCsms } from '../../../tools/dev-csms/csms.js';

describe('OCPP e2e: meterStart', function () {
  const e2e = new E2e();
  let csms: DevCsms;
  let rig: OcppRig;

  beforeEach(async () => {
    csms = await e2e.csms();
  });
  afterEach(() => e2e.cleanup());

  it('free charging, an EV plugged in at power-up, the meter silent at first: the session and StartTransaction carry the register', async () => {
    rig = await e2e.rig(csms, {
      config: { authorization: { mode: 'free', allowList: [], cardDebounceMs: 2000 } },
      prepare: (sim) => {
        sim.plug(1, { cableRatingA: 32 });
        sim.injectFault(1, 'meterCommLoss');
      },
    });
    await rig.until(() => rig.charger.part(1)!.inSession, 'the free session to begin');
    assert.equal(rig.sim.snapshot().connectors[0]!.contactsClosed, false, 'no energy before the meter has answered');
    assert.equal(rig.charger.sessions().length, 0, 'no record from an invented meterStart');

    rig.sim.clearFault(1, 'meterCommLoss');
    const start = await rig.next('StartTransaction', 0);
    assert.equal(start.meterStart, METER_START_WH);
    assert.equal(rig.charger.sessions()[0]!.meterStartWh, METER_START_WH);
  });
});
