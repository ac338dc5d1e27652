// The contactor's own faults (welded, won't close), and the hazards found before any power
// flows: an RCD module whose self-test does not trip, an EV without its pilot diode, a lock
// that does not move. Each on the whole charger, simulated board, virtual clock.

import { strict as assert } from 'node:assert';
import { CARD, startSession, type ChargerFixture } from '../../support/charger-fixture.js';
import {
  CHARGING,
  SAFETY,
  contactor,
  contactsClosed,
  expectAvailable,
  expectAwaitsNewCard,
  expectSessionStoppedBy,
  expectSignalled,
  expectStateFThenHigh,
  expectStaysFaulted,
  lock,
  logEntries,
  startChargerWith,
  withCharger,
} from './helpers.js';

/** Advances 1 ms at a time until `predicate` holds (so what follows is timed from that instant). */
async function advanceUntilExactly(f: ChargerFixture, predicate: () => boolean, maxMs = 10_000): Promise<void> {
  assert.ok(await f.clock.advanceUntil(predicate, maxMs, 1), 'condition not reached');
}

/** Plugs the EV in and presents the card, without waiting for charging. */
async function plugAndPresentCard(f: ChargerFixture): Promise<void> {
  f.sim.plug(1);
  await f.advance(500);
  f.sim.presentCard(CARD);
}

describe('welded contactor → ContactorWelded (latched)', () => {
  it('is found when the mirror contact stays closed feedbackTimeoutMs after an open command', async () => {
    await withCharger(async (f) => {
      await startSession(f);
      f.sim.injectFault(1, 'contactorWelded');
      f.sim.pauseEv(1); // C → B: the charger opens the contactor
      await advanceUntilExactly(f, () => contactor(f).commanded === 'open');
      await f.advance(SAFETY.contactorFeedbackTimeoutMs - 1);
      assert.equal(contactor(f).readFeedback(), 'closed');
      assert.deepEqual(logEntries(f, 'ContactorWelded'), [], 'weld reported before the feedback timeout');
      await f.advance(1);
      // Active while the contacts stay welded; it latches when they come free.
      await expectSignalled(f, 'ContactorWelded', {
        latched: false,
        values: { commanded: 'open', feedback: 'closed', waitedMs: SAFETY.contactorFeedbackTimeoutMs },
      });
      // The command stays open; the contacts stay closed (they are welded).
      assert.equal(contactor(f).commanded, 'open');
      assert.equal(contactsClosed(f), true);
      await expectStateFThenHigh(f, 'ContactorWelded');
      expectSessionStoppedBy(f, 'ContactorWelded');
    });
  });

  it('keeps the plug locked while the mirror contact says closed, stays latched until a reset', async () => {
    await withCharger(async (f) => {
      await startSession(f);
      f.sim.injectFault(1, 'contactorWelded');
      f.sim.pauseEv(1);
      await f.advance(2000);
      await expectSignalled(f, 'ContactorWelded');
      for (let i = 0; i < 10; i++) {
        await f.advance(60_000);
        assert.equal(lock(f).commanded, 'locked', 'lock release commanded while the contacts are welded');
        assert.equal(lock(f).readFeedback(), 'locked');
      }
      assert.deepEqual(f.charger.resetFaults(null), [], 'a reset cleared the weld while the contacts are still welded');
      await expectStaysFaulted(f, 'ContactorWelded', 1000);
      assert.equal(lock(f).readFeedback(), 'locked');
      // The contacts come free: the lock releases at once, the fault stays latched.
      f.sim.clearFault(1, 'contactorWelded');
      await f.advance(100);
      assert.equal(contactsClosed(f), false);
      assert.equal(logEntries(f, 'ContactorWelded', 'latched').length, 1);
      await f.advance(500);
      assert.equal(lock(f).readFeedback(), 'unlocked');
      await expectStaysFaulted(f, 'ContactorWelded', SAFETY.faultRetryDelayMs, true);
      f.sim.unplug(1);
      await expectStaysFaulted(f, 'ContactorWelded', 5000, true);
      assert.deepEqual(f.charger.resetFaults(null), [{ connectorId: 1, fault: 'ContactorWelded' }]);
      assert.equal(logEntries(f, 'ContactorWelded', 'reset').length, 1);
      await expectAvailable(f);
    });
  });

  it('a weld found after a stop at the charger latches too, and the lock holds', async () => {
    await withCharger(async (f) => {
      await startSession(f);
      f.sim.injectFault(1, 'contactorWelded');
      await f.advance(3000);
      f.sim.presentCard(CARD); // stop
      await f.advance(10_000);
      await expectSignalled(f, 'ContactorWelded');
      assert.equal(contactor(f).commanded, 'open');
      assert.equal(lock(f).readFeedback(), 'locked');
      assert.notEqual(f.charger.sessions()[0]!.stoppedAt, null);
    });
  });
});

describe("contactor that won't close → ContactorStuckOpen (untilUnplug)", () => {
  it('is found contactorCloseTimeoutMs after the close command; the contacts never close', async () => {
    await withCharger(async (f) => {
      f.sim.injectFault(1, 'contactorWontClose');
      await plugAndPresentCard(f);
      await advanceUntilExactly(f, () => contactor(f).commanded === 'closed');
      assert.equal(f.status().state, CHARGING);
      await f.advance(SAFETY.contactorCloseTimeoutMs - 1);
      assert.equal(contactor(f).commanded, 'closed');
      assert.deepEqual(logEntries(f, 'ContactorStuckOpen'), []);
      await f.advance(1);
      assert.equal(contactor(f).commanded, 'open', 'the close command was not withdrawn');
      await expectSignalled(f, 'ContactorStuckOpen', {
        latched: false,
        values: { commanded: 'closed', feedback: 'open', waitedMs: SAFETY.contactorCloseTimeoutMs },
      });
      assert.equal(contactsClosed(f), false);
      await expectStateFThenHigh(f, 'ContactorStuckOpen');
      expectSessionStoppedBy(f, 'ContactorStuckOpen');
    });
  });

  it('stays after the contactor is repaired until the EV is unplugged', async () => {
    await withCharger(async (f) => {
      f.sim.injectFault(1, 'contactorWontClose');
      await plugAndPresentCard(f);
      await f.advance(5000);
      await expectSignalled(f, 'ContactorStuckOpen');
      f.sim.clearFault(1, 'contactorWontClose');
      await expectStaysFaulted(f, 'ContactorStuckOpen', SAFETY.faultRetryDelayMs, false);
      f.charger.resetFaults(null);
      await expectStaysFaulted(f, 'ContactorStuckOpen', 1000, false);
      assert.equal(contactsClosed(f), false);
      f.sim.unplug(1);
      await expectAvailable(f);
      await startSession(f); // repaired: charges again
      assert.equal(contactsClosed(f), true);
    });
  });
});

describe('RCD self-test failure at power-up → ResidualCurrentSelfTestFailed (latched)', () => {
  it('faults the connector before any session: no close, whatever the driver does', async () => {
    const f = await startChargerWith((sim) => sim.injectFault(1, 'rcdSelfTestFail'));
    try {
      assert.equal(f.status().residualCurrentSelfTest, 'failed');
      await expectSignalled(f, 'ResidualCurrentSelfTestFailed', { latched: true, values: { result: 'no trip' } });
      await expectStateFThenHigh(f, 'ResidualCurrentSelfTestFailed');
      await plugAndPresentCard(f);
      for (let i = 0; i < 20; i++) {
        await f.advance(1000);
        assert.equal(contactor(f).commanded, 'open');
      }
      assert.equal(contactsClosed(f), false);
      assert.deepEqual(f.charger.sessions(), [], 'a session started on a connector whose RCD failed its self-test');
      assert.equal(f.status().status, 'Faulted');
    } finally {
      await f.dispose();
    }
  });

  it('stays latched after the module is repaired until a reset, which re-runs the self-test', async () => {
    const f = await startChargerWith((sim) => sim.injectFault(1, 'rcdSelfTestFail'));
    try {
      await plugAndPresentCard(f);
      f.sim.clearFault(1, 'rcdSelfTestFail');
      await expectStaysFaulted(f, 'ResidualCurrentSelfTestFailed', SAFETY.faultRetryDelayMs, true);
      assert.deepEqual(f.charger.resetFaults(null), [{ connectorId: 1, fault: 'ResidualCurrentSelfTestFailed' }]);
      assert.equal(logEntries(f, 'ResidualCurrentSelfTestFailed', 'reset').length, 1);
      await f.advance(200);
      assert.equal(f.status().residualCurrentSelfTest, 'passed');
      await expectAwaitsNewCard(f); // the card shown while faulted is not kept
    } finally {
      await f.dispose();
    }
  });

  it('a reset while the module still fails its self-test latches the fault again', async () => {
    const f = await startChargerWith((sim) => sim.injectFault(1, 'rcdSelfTestFail'));
    try {
      f.charger.resetFaults(null);
      await f.advance(200);
      assert.equal(f.status().residualCurrentSelfTest, 'failed');
      await expectSignalled(f, 'ResidualCurrentSelfTestFailed', { latched: true });
      assert.equal(logEntries(f, 'ResidualCurrentSelfTestFailed', 'latched').length, 2);
      await plugAndPresentCard(f);
      await f.advance(10_000);
      assert.equal(contactsClosed(f), false);
    } finally {
      await f.dispose();
    }
  });
});

describe('EV without its pilot diode → DiodeFault (untilUnplug)', () => {
  for (const variant of ['the diodeMissing fault', 'an EV built without one (hasDiode: false)'] as const) {
    it(`is found as soon as the PWM starts, before any close (${variant})`, async () => {
      await withCharger(async (f) => {
        if (variant === 'the diodeMissing fault') {
          f.sim.injectFault(1, 'diodeMissing');
          f.sim.plug(1);
        } else {
          f.sim.plug(1, { ev: { hasDiode: false } });
        }
        await f.advance(500);
        f.sim.presentCard(CARD);
        await advanceUntilExactly(f, () => logEntries(f, 'DiodeFault').length > 0);
        await expectSignalled(f, 'DiodeFault');
        const { positiveV, negativeV } = logEntries(f, 'DiodeFault', 'raised')[0]!.values as { positiveV: number; negativeV: number };
        assert.ok(positiveV > 2 && Math.abs(positiveV + negativeV) <= 1.2, `levels ${positiveV} / ${negativeV} are not symmetric`);
        await expectStateFThenHigh(f, 'DiodeFault');
        expectSessionStoppedBy(f, 'DiodeFault');
        await f.advance(10_000);
        assert.equal(contactor(f).commanded, 'open');
        assert.equal(contactsClosed(f), false, 'the contacts closed onto an EV without a diode');
      });
    });
  }

  it('stays after the diode is back until the EV is unplugged', async () => {
    await withCharger(async (f) => {
      f.sim.injectFault(1, 'diodeMissing');
      await plugAndPresentCard(f);
      await f.advance(2000);
      f.sim.clearFault(1, 'diodeMissing');
      await expectStaysFaulted(f, 'DiodeFault', SAFETY.faultRetryDelayMs, false);
      f.charger.resetFaults(null);
      await expectStaysFaulted(f, 'DiodeFault', 1000, false);
      f.sim.unplug(1);
      await expectAvailable(f);
      await startSession(f);
    });
  });
});

describe('lock that does not move → LockFailure (untilUnplug)', () => {
  it('is found lockTimeoutMs after the lock command; no PWM, no close', async () => {
    await withCharger(async (f) => {
      f.sim.injectFault(1, 'lockFailure');
      await plugAndPresentCard(f);
      await advanceUntilExactly(f, () => lock(f).commanded === 'locked');
      await f.advance(SAFETY.lockTimeoutMs - 1);
      assert.deepEqual(logEntries(f, 'LockFailure'), []);
      assert.equal(f.status().state, 'connected.session.preparing');
      assert.notEqual(f.status().pilot.output.mode, 'pwm', 'PWM offered before the lock confirmed');
      await f.advance(1);
      await expectSignalled(f, 'LockFailure', {
        values: { commanded: 'locked', feedback: 'unlocked', waitedMs: SAFETY.lockTimeoutMs },
      });
      await expectStateFThenHigh(f, 'LockFailure');
      expectSessionStoppedBy(f, 'LockFailure');
      await f.advance(10_000);
      assert.equal(contactsClosed(f), false);
    });
  });

  it('stays after the lock is repaired until the EV is unplugged', async () => {
    await withCharger(async (f) => {
      f.sim.injectFault(1, 'lockFailure');
      await plugAndPresentCard(f);
      await f.advance(3000);
      f.sim.clearFault(1, 'lockFailure');
      await expectStaysFaulted(f, 'LockFailure', SAFETY.faultRetryDelayMs, false);
      f.charger.resetFaults(null);
      await expectStaysFaulted(f, 'LockFailure', 1000, false);
      f.sim.unplug(1);
      await expectAvailable(f);
      await startSession(f);
    });
  });
});

describe('a fault present at start-up keeps the contactor open from the first instant', () => {
  it('a DC residual current at power-up', async () => {
    const f = await startChargerWith((sim) => sim.injectFault(1, 'rcdTripDc'));
    try {
      await expectSignalled(f, 'ResidualCurrentDC', { values: { trip: 'dc' } });
      await plugAndPresentCard(f);
      await f.advance(10_000);
      assert.equal(contactor(f).commanded, 'open');
      assert.equal(contactsClosed(f), false);
    } finally {
      await f.dispose();
    }
  });

  it('an emergency stop pressed at power-up', async () => {
    const f = await startChargerWith((sim) => sim.injectFault(null, 'emergencyStop'));
    try {
      await expectSignalled(f, 'EmergencyStop', { connectorId: null, values: { pressed: true } });
      await plugAndPresentCard(f);
      await f.advance(10_000);
      assert.equal(contactsClosed(f), false);
      f.sim.clearFault(null, 'emergencyStop');
      await expectAwaitsNewCard(f);
    } finally {
      await f.dispose();
    }
  });
});
