// C→B while charging: the contactor's main contacts are open within 80 ms (IEC 61851-1 Table A.6
// seq 8.1, reference A3: 100 ms; less our 20 ms margin, docs/reaction-budgets.md), measured on the
// simulated board with its 20 ms contactor, the virtual clock stepped 1 ms at a time.

import { strict as assert } from 'node:assert';
import { startSession } from '../../support/charger-fixture.js';
import { CHARGING, contactsClosed, withCharger } from './helpers.js';

/** IEC 61851-1 Table A.6 seq 8.1 (reference A3) less the 20 ms margin. */
const OPEN_WITHIN_MS = 80;

describe('C→B reaction on the simulated board', () => {
  it(`the main contacts are open within ${OPEN_WITHIN_MS} ms of the EV leaving C`, async () => {
    await withCharger(async (f) => {
      await startSession(f, 1, { batteryCapacityWh: 1e9, socPercent: 1 });
      assert.equal(f.status().state, CHARGING);
      assert.equal(contactsClosed(f), true);
      f.sim.pauseEv(1); // C→B now
      const start = f.clock.now();
      const opened = await f.clock.advanceUntil(() => !contactsClosed(f), 1000, 1);
      assert.ok(opened, 'the contacts never opened');
      const tookMs = f.clock.now() - start;
      assert.ok(tookMs <= OPEN_WITHIN_MS, `open after ${tookMs} ms`);
    });
  });
});
