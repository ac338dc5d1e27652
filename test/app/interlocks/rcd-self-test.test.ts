// The RCD self-test is repeated, not only run at boot: a passed test vouches for the module for
// 24 h at most (reference A5: Tinkerforge tests its RCD every 24 h). After that the module is
// tested again before the next contactor close, and at least every 24 h while idle; a failure
// latches (ResidualCurrentSelfTestFailed).

import { strict as assert } from 'node:assert';
import { CARD, startSession, type ChargerFixture } from '../../support/charger-fixture.js';
import { resolveConfig, ConfigError } from '../../../config/load-config.js';
import { RCD_SELF_TEST_MS } from '../../../hal/sim/sim-monitors.js';
import { CHARGING, contactsClosed, expectSignalled, logEntries, withCharger } from './helpers.js';
import { VirtualClock } from '../../../hal/clock.js';
import type { Contactor, ResidualCurrentMonitor } from '../../../hal/interfaces.js';
import { RcdSelfTestScheduler, type RcdSelfTestState } from '../../../app/safety/rcd-self-test.js';

/** Reference A5 (Tinkerforge: RCD self-test every 24 h): the longest a passed test may vouch for the module. */
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** Fewer meter reads over two simulated days (metering.pollIntervalMs allows up to 2 s). */
const SLOW_METER = { metering: { pollIntervalMs: 2000 } };
/** A shorter interval (allowed: 1–24 h) for the session cases, so they simulate hours rather than days. */
const SIX_HOURS_MS = 6 * 3_600_000;
const SIX_HOUR_TESTS = { ...SLOW_METER, safety: { rcdSelfTestIntervalMs: SIX_HOURS_MS } };

/** Counts the module's self-tests (each one the sim module runs). */
function countSelfTests(f: ChargerFixture): { readonly count: number } {
  const rcd = f.board.hardware.connectors[0]!.residualCurrent;
  const selfTest = rcd.selfTest.bind(rcd);
  const counter = { count: 0 };
  rcd.selfTest = () => {
    counter.count++;
    return selfTest();
  };
  return counter;
}

describe('RCD self-test, repeated (ResidualCurrentSelfTestFailed latched)', function () {
  this.timeout(300_000); // two simulated days of meter reads take a while on a loaded machine

  it('a module that fails 48 h after boot: the next EV gets no power', async () => {
    await withCharger(async (f) => {
      assert.equal(f.status().residualCurrentSelfTest, 'passed', 'the boot test');
      await f.advance(47 * HOUR_MS);
      f.sim.injectFault(1, 'rcdSelfTestFail'); // the module breaks, nothing shows yet
      await f.advance(1 * HOUR_MS);
      f.sim.plug(1);
      await f.advance(500);
      f.sim.presentCard(CARD);
      await f.advance(10_000);
      assert.equal(contactsClosed(f), false, 'the EV got power from an untested module');
      assert.equal(f.status().residualCurrentSelfTest, 'failed');
      await expectSignalled(f, 'ResidualCurrentSelfTestFailed', { latched: true, values: { result: 'no trip' } });
    }, SLOW_METER);
  });

  it('while idle the module is tested every 24 h', async () => {
    await withCharger(async (f) => {
      const tests = countSelfTests(f);
      await f.advance(DAY_MS - 1000);
      assert.equal(tests.count, 0, 'tested again before 24 h');
      assert.equal(f.status().residualCurrentSelfTest, 'passed');
      await f.advance(1000 + RCD_SELF_TEST_MS);
      assert.equal(tests.count, 1, 'not tested at 24 h');
      assert.equal(f.status().residualCurrentSelfTest, 'passed');
      await f.advance(DAY_MS);
      assert.equal(tests.count, 2, 'not tested at 48 h');
      assert.deepEqual(logEntries(f, 'ResidualCurrentSelfTestFailed'), []);
    }, SLOW_METER);
  });

  it('a session that outlives the last test: the module is not tested under load; the next close waits for a new test', async () => {
    await withCharger(async (f) => {
      const tests = countSelfTests(f);
      await f.advance(SIX_HOURS_MS - 60_000);
      await startSession(f, 1, { batteryCapacityWh: 1e9, socPercent: 1 });
      await f.advance(2 * HOUR_MS);
      assert.equal(f.status().state, CHARGING, 'the session goes on past the interval');
      assert.equal(tests.count, 0, 'tested while the contactor was closed');
      assert.equal(f.status().residualCurrentSelfTest, 'pending', 'the boot test no longer vouches for the module');

      // The EV pauses (C→B), the contactor opens: the test runs then, and fails.
      f.sim.injectFault(1, 'rcdSelfTestFail');
      f.sim.pauseEv(1);
      await f.advance(1000);
      assert.equal(tests.count, 1);
      f.sim.resumeEv(1);
      await f.advance(10_000);
      assert.equal(contactsClosed(f), false, 'closed again on a module that failed its test');
      await expectSignalled(f, 'ResidualCurrentSelfTestFailed', { latched: true });
    }, SIX_HOUR_TESTS);
  });

  it('a close waits in the offering step until the new test has passed', async () => {
    await withCharger(async (f) => {
      await f.advance(SIX_HOURS_MS - 60_000);
      await startSession(f, 1, { batteryCapacityWh: 1e9, socPercent: 1 });
      // The EV pauses before the boot test expires: the contactor opens, and has rested long
      // enough to close again by the time the test falls due.
      f.sim.pauseEv(1);
      const testing = () => f.status().residualCurrentSelfTest === 'pending';
      assert.ok(await f.clock.advanceUntil(testing, 120_000, 10), 'no test when the interval ran out');
      // The EV asks again at once; its C is accepted after the pilot debounce, before the test
      // (RCD_SELF_TEST_MS) ends. The session waits, PWM on, contactor open.
      f.sim.resumeEv(1);
      await f.advance(RCD_SELF_TEST_MS - 20);
      assert.equal(f.status().pilot.state, 'C');
      assert.equal(f.status().contactor.commanded, 'open', 'closed before the test result was in');
      assert.equal(f.status().residualCurrentSelfTest, 'pending');
      assert.match(f.status().state, /^connected\.session\.(offering|suspendedEV)$/);
      assert.ok(await f.clock.advanceUntil(() => f.status().state === CHARGING, 5000, 10), 'no charging once the test passed');
      assert.equal(f.status().residualCurrentSelfTest, 'passed');
    }, SIX_HOUR_TESTS);
  });

  it('the interval is configurable down to 1 h, never above 24 h', () => {
    // 24 h: reference A5 (Tinkerforge). 1 h: the least time between two tests.
    assert.equal(resolveConfig({}).safety.rcdSelfTestIntervalMs, 86_400_000);
    assert.equal(resolveConfig({ safety: { rcdSelfTestIntervalMs: 3_600_000 } }).safety.rcdSelfTestIntervalMs, 3_600_000);
    for (const value of [86_400_001, 172_800_000, 3_599_999]) {
      assert.throws(() => resolveConfig({ safety: { rcdSelfTestIntervalMs: value } }), (err: unknown) =>
        err instanceof ConfigError && err.field === 'safety.rcdSelfTestIntervalMs', `${value} ms`);
    }
  });

  it('a shorter interval is used', async () => {
    await withCharger(async (f) => {
      const tests = countSelfTests(f);
      await f.advance(SIX_HOURS_MS - 1000);
      assert.equal(tests.count, 0);
      await f.advance(1000 + RCD_SELF_TEST_MS);
      assert.equal(tests.count, 1);
    }, SIX_HOUR_TESTS);
  });
});

describe('RcdSelfTestScheduler (app/safety/rcd-self-test.ts)', () => {
  it('a module whose test throws has failed its test', async () => {
    const clock = new VirtualClock();
    const states: RcdSelfTestState[] = [];
    const monitor: ResidualCurrentMonitor = {
      readTrip: () => null,
      onTrip: () => () => {},
      selfTest: () => {
        throw new Error('test coil line cannot be written');
      },
    };
    const contactor: Contactor = {
      close: () => {},
      open: () => {},
      commanded: 'open',
      readFeedback: () => 'open',
      onFeedback: () => () => {},
    };
    const scheduler = new RcdSelfTestScheduler({ monitor, contactor, clock, intervalMs: DAY_MS, onState: (s) => states.push(s) });
    scheduler.run();
    await clock.advance(0);
    assert.deepEqual(states, ['pending', 'failed']);
    assert.equal(scheduler.state, 'failed');
    scheduler.dispose();
  });
});
