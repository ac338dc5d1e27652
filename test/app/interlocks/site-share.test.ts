// Site sharing (issue 8 item 8): a second session never overloads a shared site. The first
// connector's PWM is lowered first; the second is offered current only once the first EV has
// followed (the meter sees it) or its 5 s follow time is over (IEC 61851-1 Table A.6, reference A3),
// whatever the PWM pacing (one change every 5 s at most, reference A3).
//
// The site limit is 30 A so the even share, 15 A, has an exact duty cycle (25 %): the EVs draw
// exactly what is offered, and any excess seen here is the sharing's.

import { strict as assert } from 'node:assert';
import { currentForDutyCycle } from '../../../state-machines/pwm.js';
import { startCharger, type ChargerFixture } from '../../support/charger-fixture.js';
import { CHARGING } from './helpers.js';

const SITE_LIMIT_A = 30;
const SAMPLE_MS = 100;
const SOCKET = { maxCurrentA: 32, phases: 3, kind: 'socket' } as const;

interface Peaks {
  drawnA: number;
  offeredA: number;
}

/** Per phase, what the EVs draw together now (the sim's physics, not the firmware's view). */
function drawnSumA(f: ChargerFixture): number {
  const connectors = f.sim.snapshot().connectors;
  return Math.max(...[0, 1, 2].map((phase) => connectors.reduce((sum, c) => sum + c.drawnCurrentA[phase]!, 0)));
}

/** What the two PWMs offer together now, as the EVs decode it. */
function offeredSumA(f: ChargerFixture): number {
  return [1, 2].reduce((sum, id) => {
    const output = f.status(id).pilot.output;
    return sum + (output.mode === 'pwm' ? currentForDutyCycle(output.dutyPercent) : 0);
  }, 0);
}

/** Advances in 100 ms steps, keeping the highest sums seen. */
async function sample(f: ChargerFixture, forMs: number, peaks: Peaks): Promise<void> {
  for (let t = 0; t < forMs; t += SAMPLE_MS) {
    await f.advance(SAMPLE_MS);
    peaks.drawnA = Math.max(peaks.drawnA, drawnSumA(f));
    peaks.offeredA = Math.max(peaks.offeredA, offeredSumA(f));
  }
}

async function withTwoSockets(body: (f: ChargerFixture) => Promise<void>): Promise<void> {
  const f = await startCharger({
    connectors: [{ connectorId: 1, ...SOCKET }, { connectorId: 2, ...SOCKET }],
    site: { maxCurrentA: SITE_LIMIT_A },
    authorization: { mode: 'free', allowList: [], cardDebounceMs: 2000 },
  });
  try {
    await body(f);
  } finally {
    await f.dispose();
  }
}

describe(`site sharing: ${SITE_LIMIT_A} A shared by two sockets`, () => {
  // A PWM that changed 1 s ago may not change again for 4 s (pacing): connector 1 is first limited
  // to 24 A from outside (an exact duty cycle, 40 %), then the second session starts 1 s later.
  for (const pacing of [false, true]) {
    for (const followDelayMs of [2000, 4500]) {
      it(`a second session${pacing ? ' while the first PWM may not change for 4 s' : ''}, first EV following in ${followDelayMs} ms: never more than ${SITE_LIMIT_A} A drawn or offered`, async () => {
        await withTwoSockets(async (f) => {
          const peaks: Peaks = { drawnA: 0, offeredA: 0 };
          f.sim.plug(1, { ev: { followDelayMs } });
          assert.ok(await f.clock.advanceUntil(() => f.status(1).state === CHARGING, 10_000), `connector 1: ${f.status(1).state}`);
          await sample(f, 10_000, peaks);
          assert.equal(f.sim.snapshot().connectors[0]!.drawnCurrentA[0], SITE_LIMIT_A, 'one session alone has the whole site');
          if (pacing) {
            f.charger.setExternalLimit(1, 24, 'test');
            assert.equal(f.status(1).pilot.dutyPercent, 40, 'the external limit changes the PWM at once');
            await sample(f, 1000, peaks);
          }

          f.sim.plug(2);
          await sample(f, 30_000, peaks);

          assert.equal(f.status(1).state, CHARGING);
          assert.equal(f.status(2).state, CHARGING);
          assert.deepEqual(f.sim.snapshot().connectors.map((c) => c.drawnCurrentA[0]), [15, 15], 'the site is shared evenly');
          assert.ok(peaks.drawnA <= SITE_LIMIT_A, `the EVs drew ${peaks.drawnA} A together on a ${SITE_LIMIT_A} A site`);
          assert.ok(peaks.offeredA <= SITE_LIMIT_A, `the PWMs offered ${peaks.offeredA} A together on a ${SITE_LIMIT_A} A site`);
        });
      });
    }
  }

  it('the second session is offered current once the first EV is seen to follow, before its 5 s follow time is over', async () => {
    await withTwoSockets(async (f) => {
      f.sim.plug(1, { ev: { followDelayMs: 1000 } });
      assert.ok(await f.clock.advanceUntil(() => f.status(1).state === CHARGING, 10_000));
      await f.advance(10_000);
      f.sim.plug(2);
      const plugged = f.clock.now();
      assert.ok(await f.clock.advanceUntil(() => f.status(1).pilot.output.mode === 'pwm' && f.status(1).allowedCurrentA === 15, 1000, 10));
      const lowered = f.clock.now();
      assert.ok(await f.clock.advanceUntil(() => f.status(2).pilot.output.mode === 'pwm', 10_000, 10), 'connector 2 never offered');
      const offered = f.clock.now() - lowered;
      // Follows in 1 s; the meter (polled every 1 s) sees it within 1 s more.
      assert.ok(offered < 5000, `connector 2 offered ${offered} ms after connector 1 was lowered (plugged ${lowered - plugged} ms before)`);
    });
  });

  it('when a session ends, the other one gets the whole site back', async () => {
    await withTwoSockets(async (f) => {
      f.sim.plug(1);
      f.sim.plug(2);
      await f.advance(30_000);
      assert.deepEqual(f.sim.snapshot().connectors.map((c) => c.drawnCurrentA[0]), [15, 15]);
      f.sim.unplug(2);
      assert.ok(
        await f.clock.advanceUntil(() => f.sim.snapshot().connectors[0]!.drawnCurrentA[0] === SITE_LIMIT_A, 15_000),
        `connector 1 still draws ${f.sim.snapshot().connectors[0]!.drawnCurrentA[0]} A`,
      );
    });
  });
});
