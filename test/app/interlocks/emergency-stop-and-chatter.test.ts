// Two ways power came back by itself after the safety review: releasing the emergency stop
// restarted charging in free mode (1.3 s after release), and a 9 V pilot glitch just past the
// debounce opened and re-closed the contactor within 80 ms. Whole charger, virtual clock.

import { strict as assert } from 'node:assert';
import { CARD, type ChargerFixture } from '../../support/charger-fixture.js';
import { CHARGING, contactor, contactsClosed, lastSession, withCharger } from './helpers.js';

/** Contactor minimum off time after an open (state-machines/close-preconditions.ts: 2 s, within IEC 61851-1 Table A.6 seq 4's 3 s). */
const MIN_OFF_TIME_MS = 2000;
/** Pilot debounce (reference A1: at most 50 ms of filtering; 30 ms by docs/reaction-budgets.md). */
const PILOT_DEBOUNCE_MS = 30;
/** State B's positive level (IEC 61851-1 Table A.4: 9 V). */
const STATE_B_V = 9;

const FREE = { authorization: { mode: 'free', allowList: [], cardDebounceMs: 2000 } };

/** Charging (free), then the emergency stop pressed for `pressedMs` and released; `afterMs` later. */
async function stoppedAndReleased(f: ChargerFixture, pressedMs: number, afterMs: number): Promise<void> {
  await chargeFree(f);
  f.sim.injectFault(null, 'emergencyStop');
  assert.equal(contactor(f).commanded, 'open');
  await f.advance(pressedMs);
  f.sim.clearFault(null, 'emergencyStop');
  await f.advance(afterMs);
}

async function chargeFree(f: ChargerFixture): Promise<void> {
  f.sim.plug(1, { ev: { wakeDelayMs: 0, followDelayMs: 0 } });
  assert.ok(await f.clock.advanceUntil(() => f.status().state === CHARGING, 10_000), `not charging: ${f.status().state}`);
}

/** The contacts stay open for `ms`, checked every millisecond. */
async function staysOpen(f: ChargerFixture, ms: number, what: string): Promise<void> {
  for (let t = 0; t < ms; t++) {
    await f.advance(1);
    assert.equal(contactsClosed(f), false, `${what}: contacts closed ${t + 1} ms later`);
  }
}

describe('emergency stop released: energy flows again only after a new driver action', () => {
  it('free charging: the session ends (EmergencyStop) and no new one starts by itself', async () => {
    await withCharger(async (f) => {
      await stoppedAndReleased(f, 5000, 0);
      await staysOpen(f, 60_000, 'after the release');
      assert.equal(f.charger.sessions().length, 1, 'a session started by itself');
      assert.equal(lastSession(f).stopReason, 'EmergencyStop');
      assert.equal(f.status().status, 'Preparing');
    }, FREE);
  });

  it('free charging: a replug starts a new session', async () => {
    await withCharger(async (f) => {
      await stoppedAndReleased(f, 1000, 5000);
      f.sim.unplug(1);
      await f.advance(1000);
      f.sim.plug(1, { ev: { wakeDelayMs: 0, followDelayMs: 0 } });
      assert.ok(await f.clock.advanceUntil(() => f.status().state === CHARGING, 10_000), `not charging: ${f.status().state}`);
      assert.equal(f.charger.sessions().length, 2);
    }, FREE);
  });

  it('free charging: a card starts a new session without a replug', async () => {
    await withCharger(async (f) => {
      await stoppedAndReleased(f, 1000, 5000);
      f.sim.presentCard(CARD);
      assert.ok(await f.clock.advanceUntil(() => f.status().state === CHARGING, 10_000), `not charging: ${f.status().state}`);
      assert.equal(f.charger.sessions().length, 2);
    }, FREE);
  });

  it('safety.emergencyStopLatches: stays faulted after the release until a technician reset', async () => {
    await withCharger(async (f) => {
      await stoppedAndReleased(f, 1000, 60_000);
      const status = f.charger.status();
      assert.deepEqual(status.stationFaults.map((s) => [s.fault, s.latched]), [['EmergencyStop', true]]);
      assert.equal(f.status().status, 'Faulted');
      assert.deepEqual(f.charger.resetFaults(null), [{ connectorId: null, fault: 'EmergencyStop' }]);
      await f.advance(1000);
      assert.equal(f.status().status, 'Preparing');
      f.sim.presentCard(CARD);
      assert.ok(await f.clock.advanceUntil(() => f.status().state === CHARGING, 10_000));
    }, { ...FREE, safety: { emergencyStopLatches: true } });
  });
});

describe('CP chatter: after an open the contactor stays open at least 2 s', () => {
  it('a 9 V glitch just past the debounce opens the contactor, which does not close again within 2000 ms', async () => {
    await withCharger(async (f) => {
      await chargeFree(f);
      f.sim.injectFault(1, 'cpGlitch', { glitchLevelV: STATE_B_V, durationMs: PILOT_DEBOUNCE_MS + 5 });
      assert.ok(await f.clock.advanceUntil(() => contactor(f).commanded === 'open', 200, 1), 'the glitch did not open the contactor');
      const openedAt = f.clock.now();
      assert.ok(await f.clock.advanceUntil(() => !contactsClosed(f), 100, 1), 'the contacts did not open');
      // The EV is back in C 5 ms later; the contactor rests first.
      await staysOpen(f, openedAt + MIN_OFF_TIME_MS - f.clock.now() - 1, 'after the glitch');
      assert.ok(await f.clock.advanceUntil(() => contactsClosed(f), 5000, 1), 'charging did not resume');
      assert.ok(f.clock.now() - openedAt >= MIN_OFF_TIME_MS, `re-closed ${f.clock.now() - openedAt} ms after the open`);
      assert.equal(f.status().state, CHARGING);
      assert.equal(f.charger.sessions().length, 1, 'the glitch ended the session');
    }, FREE);
  });
});
