// Faults the safety review found ignored while energized: the cable's proximity contact lost
// (the cable limit was lifted: 13 A → 32 A) and a lock that slips open. Both must open the
// contactor at once, show state F, and never close again on the same cable until it is safe.
// Whole charger, simulated board, virtual clock stepped 1 ms at a time.

import { strict as assert } from 'node:assert';
import { CARD, type ChargerFixture } from '../../support/charger-fixture.js';
import { CHARGING, contactor, contactsClosed, expectSessionStoppedBy, expectSignalled, lock, logEntries, withCharger } from './helpers.js';

/** A 13 A cable in a 32 A socket (IEC 61851-1 Annex B: 1.5 kΩ PP coding, reference A4). */
const CABLE_13_A = 13;
/** IEC 61851-1 Table A.7: 13 A → duty 13 / 0.6 = 21.67 %, rounded down to 21.6 % (21.7 % would offer 13.02 A); nothing above it may be offered on this cable. */
const DUTY_13_A_MAX = 21.6;

async function chargeOn13ACable(f: ChargerFixture): Promise<void> {
  f.sim.plug(1, { cableRatingA: CABLE_13_A, ev: { maxCurrentA: 32 } });
  await f.advance(500);
  f.sim.presentCard(CARD);
  assert.ok(await f.clock.advanceUntil(() => f.status().state === CHARGING, 10_000), `not charging: ${f.status().state}`);
  await f.advance(8000); // the EV follows the 13 A offer
  assert.equal(f.status().allowedCurrentA, CABLE_13_A);
  assert.equal(f.status().limitSource, 'cable');
}

describe('PP lost while energized → ProximityLost (contactor open at once, state F)', () => {
  for (const fault of ['ppOpen', 'ppShort'] as const) {
    it(`${fault === 'ppOpen' ? 'PP open (broken wire, reads no cable)' : 'PP shorted to PE (invalid coding)'}: opens within the same millisecond, never offers above 13 A`, async () => {
      await withCharger(async (f) => {
        await chargeOn13ACable(f);
        assert.equal(contactor(f).commanded, 'closed');
        f.sim.injectFault(1, fault);
        // No time passes: the reaction is synchronous with the PP change.
        assert.equal(contactor(f).commanded, 'open', 'contactor still commanded closed after the PP was lost');
        await expectSignalled(f, 'ProximityLost');
        assert.equal(f.status().pilot.output.mode, 'error', 'CP not in state F');
        // The cable term was never dropped while the session lasted.
        for (let ms = 0; ms < 20_000; ms += 1) {
          await f.advance(1);
          const output = f.status().pilot.output;
          if (output.mode === 'pwm') assert.ok(output.dutyPercent <= DUTY_13_A_MAX, `PWM ${output.dutyPercent} % offers more than the 13 A cable`);
          if (ms >= 20) assert.equal(contactsClosed(f), false, `contacts closed again ${ms} ms after the PP loss`); // 20 ms: the sim contactor's travel
        }
        expectSessionStoppedBy(f, 'ProximityLost');
        assert.equal(f.status().activeFaults.some((a) => a.fault === 'ProximityLost'), true, 'cleared before the unplug');
        // It clears once the EV is unplugged; the next cable is read afresh.
        f.sim.unplug(1);
        f.sim.clearFault(1, fault);
        await f.advance(1000);
        assert.deepEqual(f.status().activeFaults, []);
        assert.equal(f.status().status, 'Available');
      });
    });
  }

  it('a PP loss while the session is suspended keeps the 13 A cable term and does not close', async () => {
    await withCharger(async (f) => {
      await chargeOn13ACable(f);
      f.sim.pauseEv(1);
      await f.advance(1000);
      assert.equal(contactor(f).commanded, 'open');
      f.sim.injectFault(1, 'ppOpen');
      await f.advance(100);
      assert.equal(f.status().limits.cable, CABLE_13_A, 'the cable term was dropped while the session lasts');
      assert.equal(f.status().allowedCurrentA, CABLE_13_A);
      f.sim.resumeEv(1);
      for (let ms = 0; ms < 10_000; ms += 1) {
        await f.advance(1);
        assert.equal(contactsClosed(f), false, 'closed with no cable coding');
      }
    });
  });

  it('an ordinary unplug under load (CP to A, then the cable leaves) is no fault', async () => {
    await withCharger(async (f) => {
      await chargeOn13ACable(f);
      f.sim.unplug(1);
      await f.advance(1000);
      assert.deepEqual(logEntries(f, 'ProximityLost'), []);
      const sessions = f.charger.sessions();
      assert.equal(sessions[sessions.length - 1]!.stopReason, 'EVDisconnected');
      assert.equal(f.status().status, 'Available');
    });
  });
});

describe('lock slips open while energized → LockFailure (ConnectorLockFailure)', () => {
  it('opens at once, shows state F, and never closes again until the lock is confirmed', async () => {
    await withCharger(async (f) => {
      f.sim.plug(1);
      await f.advance(500);
      f.sim.presentCard(CARD);
      assert.ok(await f.clock.advanceUntil(() => f.status().state === CHARGING, 10_000));
      assert.equal(lock(f).readFeedback(), 'locked');
      f.sim.injectFault(1, 'lockSlip');
      assert.equal(lock(f).readFeedback(), 'unlocked');
      assert.equal(contactor(f).commanded, 'open', 'contactor still commanded closed with the lock open');
      await expectSignalled(f, 'LockFailure', { values: { uncommanded: true } });
      assert.equal(f.status().activeFaults.find((a) => a.fault === 'LockFailure')!.ocppErrorCode, 'ConnectorLockFailure');
      assert.equal(f.status().pilot.output.mode, 'error');
      for (let ms = 0; ms < 30_000; ms += 1) {
        await f.advance(1);
        if (ms >= 20) assert.equal(contactsClosed(f), false, `contacts closed again ${ms} ms after the lock slipped, lock ${lock(f).readFeedback()}`);
      }
      expectSessionStoppedBy(f, 'LockFailure');
    });
  });
});
