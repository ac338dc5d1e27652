// An EV drawing more than the PWM offers (reference A5, EVerest): tolerated up to
// (offered + 0.5 A) × 1.1, and beyond that for less than 7 s; beyond both, OverCurrent stops it
// (untilUnplug). After a lowered PWM the EV has 5 s to follow (IEC 61851-1 Table A.6,
// reference A3); one that ignores it is stopped within 10 s of the change (issue 8 item 9).

import { strict as assert } from 'node:assert';
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
import { EV_FOLLOW_TIME_MS } from '../../support/safety-reference.js';

const POLL_MS = 1000;
/** Reference A5, EVerest: (I_PWM + 0.5 A) × 1.10 for 7 s. */
const MARGIN_A = 0.5;
const TOLERANCE_RATIO = 0.1;
const GRACE_MS = 7000;
/** Reference A3 (IEC 61851-1 Table A.6): the EV follows a new PWM within 5 s; one PWM change every 5 s at most. */
const EV_FOLLOW_MS = EV_FOLLOW_TIME_MS;
const PWM_UPDATE_INTERVAL_MS = 5000;
/** Issue 8 item 9: an EV ignoring a lowered PWM is stopped within 10 s of the change. */
const LOWERED_PWM_REACTION_MS = 10_000;
/** Reference A5, OpenEVSE: 65 °C derates to ½ current. */
const DERATE_HALF_C = 65;
/** What the EV draws at 32 A offered: it decodes the duty cycle (53.3 % → 31.98 A). */
const FOLLOWED_A = evCurrentFromDuty(dutyCycleForCurrent(32));
const LIMIT_A = (32 + MARGIN_A) * (1 + TOLERANCE_RATIO); // 35.75 A

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

describe(`EV over-draw → OverCurrent (limit (32 + ${MARGIN_A}) × ${1 + TOLERANCE_RATIO} = ${LIMIT_A} A, grace ${GRACE_MS} ms)`, () => {
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
        await expectStillCharging(f, GRACE_MS - POLL_MS);
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
      await f.advance(GRACE_MS);
      assert.equal(contactor(f).commanded, 'closed', 'stopped before the grace time');
      assert.ok(await f.clock.advanceUntil(() => contactor(f).commanded === 'open', POLL_MS + 100, 1), 'not stopped after the grace time');
      await expectSignalled(f, 'OverCurrent', {
        values: { offeredA: 32, limitA: LIMIT_A, forMs: GRACE_MS },
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
        await f.advance(GRACE_MS - 100);
        assert.equal(contactor(f).commanded, 'closed', 'stopped before the grace time');
        assert.ok(await f.clock.advanceUntil(() => contactor(f).commanded === 'open', POLL_MS + 100, 1), `over-draw on L${phase} alone not stopped`);
        await expectSignalled(f, 'OverCurrent', { values: { offeredA: 32, drawnA: FOLLOWED_A + 10 } });
        expectSessionStoppedBy(f, 'OverCurrent');
      });
    });
  }

  /** Lowers the offer from 32 A to 16 A by derating (the PWM pacing is ready) and returns when the PWM changed. */
  async function lowerOfferTo16(f: ChargerFixture): Promise<number> {
    await f.advance(PWM_UPDATE_INTERVAL_MS);
    f.sim.injectFault(1, 'overTemperature', { temperatureC: DERATE_HALF_C }); // 32 → 16 A
    const output = f.status().pilot.output;
    assert.ok(output.mode === 'pwm' && output.dutyPercent === dutyCycleForCurrent(16), `PWM not lowered at once: ${JSON.stringify(output)}`);
    return f.clock.now();
  }

  for (const pollIntervalMs of [1000, 2000]) {
    it(`an EV that ignores a lowered PWM: not stopped within the 5 s it has to follow, stopped within 10 s of the change (meter polled every ${pollIntervalMs} ms)`, async () => {
      await withCharger(async (f) => {
        await startSession(f, 1, { ignorePwm: true });
        const changedAt = await lowerOfferTo16(f);
        assert.equal(drawnA(f), 32);
        await f.advance(EV_FOLLOW_MS);
        assert.equal(contactor(f).commanded, 'closed', 'stopped before the EV had its 5 s to follow');
        const stopped = await f.clock.advanceUntil(() => contactor(f).commanded === 'open', changedAt + LOWERED_PWM_REACTION_MS - f.clock.now(), 1);
        assert.ok(stopped, `an EV drawing twice the offer was not stopped within ${LOWERED_PWM_REACTION_MS} ms of the PWM change`);
        await expectSignalled(f, 'OverCurrent', { values: { offeredA: 16, drawnA: 32 } });
        expectSessionStoppedBy(f, 'OverCurrent');
      }, { metering: { pollIntervalMs } });
    });
  }

  it('an EV that follows a lowered PWM but stays just beyond the tolerance of the new offer is stopped within 10 s', async () => {
    await withCharger(async (f) => {
      await startSession(f);
      const changedAt = await lowerOfferTo16(f);
      f.sim.injectFault(1, 'evOverdraw', { overdrawA: 3 }); // 16 + 3 = 19 A > (16 + 0.5) × 1.1 = 18.15 A
      const stopped = await f.clock.advanceUntil(() => contactor(f).commanded === 'open', changedAt + LOWERED_PWM_REACTION_MS - f.clock.now(), 1);
      assert.ok(stopped, 'not stopped within 10 s of the PWM change');
      await expectSignalled(f, 'OverCurrent', { values: { offeredA: 16 } });
    });
  });

  it('an EV that followed a lowered PWM within the tolerance and later over-draws gets the steady 7 s grace', async () => {
    await withCharger(async (f) => {
      await startSession(f);
      f.sim.injectFault(1, 'evOverdraw', { overdrawA: 1.5 }); // 17.5 A on 16 A: within (16 + 0.5) × 1.1 = 18.15 A
      await lowerOfferTo16(f);
      await expectStillCharging(f, 20_000);
      f.sim.injectFault(1, 'evOverdraw', { overdrawA: 4 }); // 20 A
      await f.advance(GRACE_MS);
      assert.equal(contactor(f).commanded, 'closed', 'a steady over-draw was stopped before the 7 s grace');
      assert.ok(await f.clock.advanceUntil(() => contactor(f).commanded === 'open', POLL_MS + 100, 1), 'not stopped after the grace time');
      await expectSignalled(f, 'OverCurrent', { values: { offeredA: 16, forMs: GRACE_MS } });
    });
  });

  for (const followDelayMs of [EV_FOLLOW_MS, 6000]) {
    it(`an EV that follows a lowered PWM after ${followDelayMs} ms is not stopped${followDelayMs > EV_FOLLOW_MS ? ' (some EVs need about 6 s: reference A3, EVerest #762)' : ''}`, async () => {
      await withCharger(async (f) => {
        await startSession(f, 1, { followDelayMs });
        await lowerOfferTo16(f);
        await expectStillCharging(f, 60_000);
        assert.ok(drawnA(f) < 16.5, `still draws ${drawnA(f)} A`);
      });
    });
  }

  it('stays after the EV behaves until it is unplugged; a reset does not clear it', async () => {
    await withCharger(async (f) => {
      await startSession(f);
      f.sim.injectFault(1, 'evOverdraw', { overdrawA: 10 });
      await f.advance(GRACE_MS + 2 * POLL_MS);
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
