// What must NOT stop a session (a CP glitch shorter than the debounce), what only looks like an
// unplug (the CP reads A when protective earth is lost), and self-recovering faults that come
// back too often and latch.

import { strict as assert } from 'node:assert';
import type { SimFaultName } from '../../../hal/sim/simulation-control.js';
import type { FaultName } from '../../../state-machines/faults.js';
import { expectedFault } from '../../support/expected-faults.js';
import { startSession, type ChargerFixture } from '../../support/charger-fixture.js';
import {
  CHARGING,
  SAFETY,
  contactor,
  expectAvailable,
  expectAwaitsNewCard,
  expectSignalled,
  expectStaysFaulted,
  lastSession,
  logEntries,
  withCharger,
} from './helpers.js';

describe('CP glitches shorter than the debounce do not end the session', () => {
  const GLITCHES: readonly { level: number; ms?: number; looksLike: string }[] = [
    { level: 0, looksLike: 'state E, default 20 ms' },
    { level: 0, ms: SAFETY.pilotDebounceMs - 5, looksLike: 'state E' },
    { level: 9, ms: SAFETY.pilotDebounceMs - 5, looksLike: 'state B' },
    { level: 12, ms: SAFETY.pilotDebounceMs - 5, looksLike: 'state A (unplugged)' },
    { level: -12, ms: SAFETY.pilotDebounceMs - 5, looksLike: 'state F' },
    { level: 15, ms: SAFETY.pilotDebounceMs - 5, looksLike: 'an invalid level' },
  ];
  for (const g of GLITCHES) {
    it(`${g.level} V for ${g.ms ?? 20} ms (${g.looksLike})`, async () => {
      await withCharger(async (f) => {
        await startSession(f);
        const session = lastSession(f).sessionId;
        f.sim.injectFault(1, 'cpGlitch', g.ms === undefined ? { glitchLevelV: g.level } : { glitchLevelV: g.level, durationMs: g.ms });
        for (let t = 0; t < 300; t += 5) {
          await f.advance(5);
          assert.equal(contactor(f).commanded, 'closed', `contactor opened ${t + 5} ms into the glitch`);
          assert.equal(f.status().state, CHARGING);
        }
        await f.advance(10_000);
        assert.equal(f.status().state, CHARGING);
        assert.equal(f.status().pilot.output.mode, 'pwm');
        assert.deepEqual(f.charger.faultLog(), []);
        assert.equal(lastSession(f).sessionId, session);
        assert.equal(lastSession(f).stoppedAt, null);
        assert.ok(f.status().meter!.totalPowerW > 0, 'no power flows after the glitch');
      });
    });
  }

  it('a disturbance that outlasts the debounce is a fault (0 V for 200 ms → CP short)', async () => {
    await withCharger(async (f) => {
      await startSession(f);
      f.sim.injectFault(1, 'cpGlitch', { glitchLevelV: 0, durationMs: 200 });
      await f.advance(SAFETY.pilotDebounceMs);
      assert.equal(contactor(f).commanded, 'open');
      await expectSignalled(f, 'PilotShortToGround', { values: { positiveV: 0 } });
      await f.advance(1000); // the glitch ends by itself: an auto fault clears
      await expectAwaitsNewCard(f);
    });
  });
});

describe('the CP reading A without protective earth is not an unplug', () => {
  it('an untilUnplug fault (over-current) survives a PE loss with the EV still plugged', async () => {
    await withCharger(async (f) => {
      await startSession(f);
      f.sim.injectFault(1, 'evOverdraw', { overdrawA: 10 });
      await f.advance(SAFETY.overcurrentGraceMs + 2000);
      await expectSignalled(f, 'OverCurrent');
      f.sim.clearFault(1, 'evOverdraw');
      f.sim.injectFault(null, 'peLoss');
      await f.advance(5000);
      assert.equal(f.status().pilot.state, 'A', 'without PE the sim CP reads A');
      f.sim.clearFault(null, 'peLoss');
      await f.advance(SAFETY.faultRetryDelayMs + 1000);
      assert.equal(logEntries(f, 'GroundLoss', 'cleared').length, 1);
      await expectStaysFaulted(f, 'OverCurrent', 10_000, false);
      f.sim.unplug(1);
      await expectAvailable(f);
    });
  });

  it('an EV really unplugged during the PE loss clears the untilUnplug fault once earth is back', async () => {
    await withCharger(async (f) => {
      await startSession(f);
      f.sim.injectFault(1, 'evOverdraw', { overdrawA: 10 });
      await f.advance(SAFETY.overcurrentGraceMs + 2000);
      f.sim.clearFault(1, 'evOverdraw');
      f.sim.injectFault(null, 'peLoss');
      await f.advance(5000);
      f.sim.unplug(1);
      await f.advance(5000);
      f.sim.clearFault(null, 'peLoss');
      await expectStaysFaulted(f, 'GroundLoss', SAFETY.faultRetryDelayMs - 1);
      await f.advance(1);
      await expectAvailable(f);
    });
  });
});

interface Repeating {
  readonly inject: SimFaultName;
  readonly target: number | null;
  readonly fault: FaultName;
  /** How long the condition lasts and how long after it clears the next one comes. */
  readonly onMs: number;
  readonly offMs: number;
}

const REPEATING: readonly Repeating[] = [
  { inject: 'cpShortToGround', target: 1, fault: 'PilotShortToGround', onMs: 200, offMs: 1000 },
  { inject: 'emergencyStop', target: null, fault: 'EmergencyStop', onMs: 200, offMs: 1000 },
  // Within its holdoff, so every trip counts again.
  { inject: 'rcdTripAc', target: 1, fault: 'ResidualCurrentAC', onMs: 200, offMs: 1000 },
];

async function cycle(f: ChargerFixture, r: Repeating): Promise<void> {
  f.sim.injectFault(r.target, r.inject);
  await f.advance(r.onMs);
  f.sim.clearFault(r.target, r.inject);
  await f.advance(r.offMs);
}

describe(`a self-recovering fault raised more than repeatedFaultLimit (${SAFETY.repeatedFaultLimit}) times within the window latches`, () => {
  for (const r of REPEATING) {
    it(`${r.fault}`, async () => {
      await withCharger(async (f) => {
        await startSession(f);
        for (let i = 1; i <= SAFETY.repeatedFaultLimit; i++) await cycle(f, r);
        // A trip within the holdoff continues the episode: the log keeps one 'raised' for it.
        const episodes = expectedFault(r.fault).holdoff === 'none' ? SAFETY.repeatedFaultLimit : 1;
        assert.equal(logEntries(f, r.fault, 'raised').length, episodes);
        assert.equal(logEntries(f, r.fault, 'latched').length, 0, `latched after only ${SAFETY.repeatedFaultLimit} raises`);
        assert.ok(!f.status().activeFaults.some((a) => a.latched));
        await cycle(f, r); // one too many
        assert.equal(logEntries(f, r.fault, 'latched').length, 1, 'not latched after one raise too many');
        await expectSignalled(f, r.fault, { connectorId: r.target, latched: true });
        await expectStaysFaulted(f, r.fault, SAFETY.faultRetryDelayMs + 60_000, true);
        f.charger.resetFaults(null);
        assert.equal(logEntries(f, r.fault, 'reset').length, 1);
        if (r.fault === 'ResidualCurrentAC') {
          // The reset ends the latch; the holdoff of the last trip is not carried over.
          assert.deepEqual(f.status().activeFaults, []);
        }
        await expectAwaitsNewCard(f);
      });
    });
  }

  it('raises spread over more than the window do not latch', async () => {
    await withCharger(async (f) => {
      await startSession(f);
      const r = REPEATING[0]!;
      for (let i = 1; i <= SAFETY.repeatedFaultLimit; i++) await cycle(f, r);
      await f.advance(SAFETY.repeatedFaultWindowMs);
      await cycle(f, r);
      assert.equal(logEntries(f, r.fault, 'raised').length, SAFETY.repeatedFaultLimit + 1);
      assert.equal(logEntries(f, r.fault, 'latched').length, 0);
      await expectAwaitsNewCard(f);
    });
  });

  it('raises spread over just under the window still latch', async () => {
    await withCharger(async (f) => {
      await startSession(f);
      const r = REPEATING[0]!;
      const first = f.clock.now();
      for (let i = 1; i <= SAFETY.repeatedFaultLimit; i++) await cycle(f, r);
      await f.advance(SAFETY.repeatedFaultWindowMs - (f.clock.now() - first) - 10_000);
      await cycle(f, r);
      assert.equal(logEntries(f, r.fault, 'latched').length, 1, 'a raise within the window of the first did not latch');
    });
  });

  it('a latched repeat is not reset while its condition is still present', async () => {
    await withCharger(async (f) => {
      await startSession(f);
      const r = REPEATING[1]!; // emergency stop
      for (let i = 1; i <= SAFETY.repeatedFaultLimit; i++) await cycle(f, r);
      f.sim.injectFault(null, 'emergencyStop');
      assert.equal(logEntries(f, r.fault, 'latched').length, 1);
      assert.deepEqual(f.charger.resetFaults(null), []);
      await expectStaysFaulted(f, 'EmergencyStop', 1000, true);
      f.sim.clearFault(null, 'emergencyStop');
      await expectStaysFaulted(f, 'EmergencyStop', 1000, true);
      assert.deepEqual(f.charger.resetFaults(null), [{ connectorId: null, fault: 'EmergencyStop' }]);
      await expectAwaitsNewCard(f);
    });
  });
});
