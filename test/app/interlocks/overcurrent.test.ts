// An EV drawing more than the PWM offers (reference A5, EVerest): tolerated up to
// (offered + overcurrentMarginA) × (1 + overcurrentToleranceRatio), and beyond that for less than
// overcurrentGraceMs; beyond both, OverCurrent stops it (untilUnplug).

import { strict as assert } from 'node:assert';
import { EV_FOLLOW_TIME_MS } from '../../../app/metering/overcurrent-monitor.js';
import { evCurrentFromDuty } from '../../../hal/sim/pilot-physics.js';
import { dutyCycleForCurrent } from '../../../state-machines/pwm.js';
import { startSession, type ChargerFixture } from '../../support/charger-fixture.js';
import {
  CHARGING,
  SAFETY,
  contactor,
  expectAvailable,
  expectSessionStoppedBy,
  expectSignalled,
  expectStateFThenHigh,
  expectStaysFaulted,
  lastSession,
  logEntries,
  withCharger,
} from './helpers.js';

const POLL_MS = 1000;
/** What the EV draws at 32 A offered: it decodes the duty cycle (53.3 % → 31.98 A). */
const FOLLOWED_A = evCurrentFromDuty(dutyCycleForCurrent(32));
const LIMIT_A = (32 + SAFETY.overcurrentMarginA) * (1 + SAFETY.overcurrentToleranceRatio); // 35.75 A

function drawnA(f: ChargerFixture): number {
  return f.sim.snapshot().connectors[0]!.drawnCurrentA[0];
}

async function expectStillCharging(f: ChargerFixture, forMs: number): Promise<void> {
  const raisedBefore = logEntries(f, 'OverCurrent', 'raised').length;
  for (let t = 0; t < forMs; t += POLL_MS) {
    await f.advance(POLL_MS);
    assert.equal(contactor(f).commanded, 'closed', `contactor opened after ${t + POLL_MS} ms`);
  }
  assert.equal(f.status().state, CHARGING);
  assert.equal(logEntries(f, 'OverCurrent', 'raised').length, raisedBefore);
  assert.equal(lastSession(f).stoppedAt, null);
}

describe(`EV over-draw → OverCurrent (limit (32 + ${SAFETY.overcurrentMarginA}) × ${1 + SAFETY.overcurrentToleranceRatio} = ${LIMIT_A} A, grace ${SAFETY.overcurrentGraceMs} ms)`, () => {
  it('within the tolerance nothing happens, however long', async () => {
    await withCharger(async (f) => {
      await startSession(f);
      const overdrawA = Number((LIMIT_A - FOLLOWED_A - 0.02).toFixed(2)); // 3.75 A: 35.73 A drawn
      f.sim.injectFault(1, 'evOverdraw', { overdrawA });
      await f.advance(100);
      assert.ok(drawnA(f) < LIMIT_A && drawnA(f) > LIMIT_A - 0.05, `draws ${drawnA(f)} A`);
      await expectStillCharging(f, 10 * 60_000);
    });
  });

  it('beyond the tolerance for less than the grace time nothing happens (and the count restarts)', async () => {
    await withCharger(async (f) => {
      await startSession(f);
      for (let i = 0; i < 3; i++) {
        f.sim.injectFault(1, 'evOverdraw', { overdrawA: 10 });
        await expectStillCharging(f, SAFETY.overcurrentGraceMs - POLL_MS);
        f.sim.clearFault(1, 'evOverdraw');
        await expectStillCharging(f, POLL_MS);
      }
    });
  });

  it('just beyond the tolerance for the grace time: stops, signals, ends the session', async () => {
    await withCharger(async (f) => {
      await startSession(f);
      const overdrawA = Number((LIMIT_A - FOLLOWED_A + 0.02).toFixed(2)); // 3.79 A: 35.77 A drawn
      f.sim.injectFault(1, 'evOverdraw', { overdrawA });
      await f.advance(SAFETY.overcurrentGraceMs);
      assert.equal(contactor(f).commanded, 'closed', 'stopped before the grace time');
      assert.ok(await f.clock.advanceUntil(() => contactor(f).commanded === 'open', POLL_MS + 100, 1), 'not stopped after the grace time');
      await expectSignalled(f, 'OverCurrent', {
        values: { offeredA: 32, limitA: LIMIT_A, forMs: SAFETY.overcurrentGraceMs },
      });
      const { drawnA: recorded } = logEntries(f, 'OverCurrent', 'raised')[0]!.values as { drawnA: number };
      assert.ok(recorded > LIMIT_A && recorded < LIMIT_A + 0.1, `fault log drawnA ${recorded}`);
      await expectStateFThenHigh(f, 'OverCurrent');
      await f.advance(500);
      assert.equal(f.sim.snapshot().connectors[0]!.contactsClosed, false);
      expectSessionStoppedBy(f, 'OverCurrent');
    });
  });

  for (const phase of [1, 2, 3] as const) {
    it(`over-draw on L${phase} alone, the other phases as offered: stopped after the grace time`, async () => {
      await withCharger(async (f) => {
        await startSession(f);
        f.sim.injectFault(1, 'evOverdraw', { overdrawA: 10, overdrawPhase: phase });
        await f.advance(100);
        const drawn = f.sim.snapshot().connectors[0]!.drawnCurrentA.map((a) => a.toFixed(2));
        const expected = [1, 2, 3].map((p) => (p === phase ? FOLLOWED_A + 10 : FOLLOWED_A).toFixed(2));
        assert.deepEqual(drawn, expected);
        await f.advance(SAFETY.overcurrentGraceMs - 100);
        assert.equal(contactor(f).commanded, 'closed', 'stopped before the grace time');
        assert.ok(await f.clock.advanceUntil(() => contactor(f).commanded === 'open', POLL_MS + 100, 1), `over-draw on L${phase} alone not stopped`);
        await expectSignalled(f, 'OverCurrent', { values: { offeredA: 32, drawnA: FOLLOWED_A + 10 } });
        expectSessionStoppedBy(f, 'OverCurrent');
      });
    });
  }

  it('an EV that ignores a lower PWM gets EV_FOLLOW_TIME_MS to follow, then the grace time, then is stopped', async () => {
    await withCharger(async (f) => {
      await startSession(f, 1, { ignorePwm: true });
      await f.advance(SAFETY.pwmMinUpdateIntervalMs);
      f.sim.injectFault(1, 'overTemperature', { temperatureC: SAFETY.temperatureDerateHalfC }); // 32 → 16 A
      assert.equal(f.status().allowedCurrentA, 16);
      assert.equal(drawnA(f), 32);
      await f.advance(EV_FOLLOW_TIME_MS + SAFETY.overcurrentGraceMs - POLL_MS);
      assert.equal(contactor(f).commanded, 'closed', 'stopped before follow time + grace time');
      await f.advance(2 * POLL_MS + 100);
      assert.equal(contactor(f).commanded, 'open', 'an EV drawing twice the offer was not stopped');
      await expectSignalled(f, 'OverCurrent', { values: { offeredA: 16, drawnA: 32 } });
      expectSessionStoppedBy(f, 'OverCurrent');
    });
  });

  it('an EV that follows a lower PWM within EV_FOLLOW_TIME_MS is not stopped', async () => {
    await withCharger(async (f) => {
      await startSession(f, 1, { followDelayMs: EV_FOLLOW_TIME_MS - 1000 });
      await f.advance(SAFETY.pwmMinUpdateIntervalMs);
      f.sim.injectFault(1, 'overTemperature', { temperatureC: SAFETY.temperatureDerateHalfC });
      await expectStillCharging(f, 60_000);
      assert.ok(drawnA(f) < 16.5, `still draws ${drawnA(f)} A`);
    });
  });

  it('stays after the EV behaves until it is unplugged; a reset does not clear it', async () => {
    await withCharger(async (f) => {
      await startSession(f);
      f.sim.injectFault(1, 'evOverdraw', { overdrawA: 10 });
      await f.advance(SAFETY.overcurrentGraceMs + 2 * POLL_MS);
      f.sim.clearFault(1, 'evOverdraw');
      await expectStaysFaulted(f, 'OverCurrent', SAFETY.faultRetryDelayMs, false);
      f.charger.resetFaults(null);
      await expectStaysFaulted(f, 'OverCurrent', 1000, false);
      f.sim.unplug(1);
      await expectAvailable(f);
      await startSession(f);
      await expectStillCharging(f, 30_000);
    });
  });
});
