import { strict as assert } from 'node:assert';
import { createActor } from 'xstate';
import { VirtualClock } from '../../hal/clock.js';
import { FAULTS, FAULT_NAMES, type FaultName } from '../../state-machines/faults.js';
import {
  createSafetySupervisor,
  faultStates,
  type SafetySupervisorInput,
} from '../../state-machines/safety-supervisor.js';

const INPUT: Omit<SafetySupervisorInput, 'faults'> = {
  repeatedFaultLimit: 3,
  repeatedFaultWindowMs: 60_000,
  faultRetryDelayMs: 300_000,
};

/** A supervisor over the whole fault table, on a virtual clock; events carry the clock's time. */
function supervisor(overrides: Partial<SafetySupervisorInput> = {}) {
  const faults = overrides.faults ?? FAULT_NAMES;
  const clock = new VirtualClock(0);
  const actor = createActor(createSafetySupervisor(faults), { input: { ...INPUT, faults, ...overrides }, clock });
  actor.start();
  return {
    clock,
    actor,
    raise: (fault: FaultName) => actor.send({ type: 'RAISE', fault, at: clock.now() }),
    clear: (fault: FaultName) => actor.send({ type: 'CLEAR', fault, at: clock.now() }),
    unplug: () => actor.send({ type: 'UNPLUGGED' }),
    reset: () => actor.send({ type: 'RESET' }),
    /** The raw region state of one fault ("clear", "active", "holdoff", "latchedActive"…). */
    phase: (fault: FaultName) => (actor.getSnapshot().value as Record<string, string>)[fault],
    states: () => faultStates(actor.getSnapshot()),
  };
}

describe('safety supervisor', () => {
  it('uses the recovery rules of the real fault table', () => {
    assert.equal(FAULTS.OverTemperature.recovery, 'auto');
    assert.equal(FAULTS.OverTemperature.holdoff, 'none');
    assert.equal(FAULTS.ResidualCurrentAC.recovery, 'auto');
    assert.equal(FAULTS.ResidualCurrentAC.holdoff, 'faultRetryDelay');
    assert.equal(FAULTS.DiodeFault.recovery, 'untilUnplug');
    assert.equal(FAULTS.ContactorWelded.recovery, 'latched');
    const s = supervisor();
    assert.deepEqual(Object.keys(s.actor.getSnapshot().value), FAULT_NAMES, 'one region per fault');
    assert.ok(FAULT_NAMES.every((f) => s.phase(f) === 'clear'));
    assert.deepEqual(s.states(), []);
  });

  describe('auto (OverTemperature)', () => {
    it('blocks while present and clears on CLEAR', () => {
      const s = supervisor();
      s.raise('OverTemperature');
      assert.deepEqual(s.states(), [{ fault: 'OverTemperature', phase: 'active', blocking: true, latched: false }]);
      s.clear('MeterFailure');
      assert.equal(s.phase('OverTemperature'), 'active', "another fault's CLEAR does not clear it");
      s.raise('OverTemperature');
      assert.equal(s.phase('OverTemperature'), 'active');
      s.clear('OverTemperature');
      assert.equal(s.phase('OverTemperature'), 'clear');
      assert.deepEqual(s.states(), []);
    });

    it('ignores UNPLUGGED and RESET: only the condition matters', () => {
      const s = supervisor();
      s.raise('OverTemperature');
      s.unplug();
      s.reset();
      assert.equal(s.phase('OverTemperature'), 'active');
    });
  });

  describe('auto with holdoff (ResidualCurrentAC)', () => {
    it('stays blocking for faultRetryDelayMs after CLEAR', async () => {
      const s = supervisor({ faultRetryDelayMs: 300_000 });
      s.raise('ResidualCurrentAC');
      s.clear('ResidualCurrentAC');
      assert.deepEqual(s.states(), [{ fault: 'ResidualCurrentAC', phase: 'holdoff', blocking: true, latched: false }]);
      await s.clock.advance(299_999);
      assert.equal(s.phase('ResidualCurrentAC'), 'holdoff');
      await s.clock.advance(1);
      assert.equal(s.phase('ResidualCurrentAC'), 'clear');
      assert.deepEqual(s.states(), []);
    });

    it('a re-raise during the holdoff goes active, and the holdoff restarts in full on the next CLEAR', async () => {
      const s = supervisor({ faultRetryDelayMs: 300_000 });
      s.raise('ResidualCurrentAC');
      s.clear('ResidualCurrentAC');
      await s.clock.advance(200_000);
      s.raise('ResidualCurrentAC');
      assert.equal(s.phase('ResidualCurrentAC'), 'active');
      await s.clock.advance(200_000);
      assert.equal(s.phase('ResidualCurrentAC'), 'active', 'the old holdoff timer was cancelled');
      s.clear('ResidualCurrentAC');
      await s.clock.advance(299_999);
      assert.equal(s.phase('ResidualCurrentAC'), 'holdoff');
      await s.clock.advance(1);
      assert.equal(s.phase('ResidualCurrentAC'), 'clear');
    });
  });

  describe('untilUnplug (DiodeFault)', () => {
    it('CLEAR → awaitingUnplug (still blocking); UNPLUGGED clears', () => {
      const s = supervisor();
      s.raise('DiodeFault');
      s.clear('DiodeFault');
      assert.deepEqual(s.states(), [{ fault: 'DiodeFault', phase: 'awaitingUnplug', blocking: true, latched: false }]);
      s.reset();
      assert.equal(s.phase('DiodeFault'), 'awaitingUnplug', 'a reset is not an unplug');
      s.unplug();
      assert.equal(s.phase('DiodeFault'), 'clear');
    });

    it('an unplug while the condition is present does not clear it; a re-raise while awaiting goes active', () => {
      const s = supervisor();
      s.raise('DiodeFault');
      s.unplug();
      assert.equal(s.phase('DiodeFault'), 'active');
      s.clear('DiodeFault');
      s.raise('DiodeFault');
      assert.equal(s.phase('DiodeFault'), 'active');
      s.clear('DiodeFault');
      s.unplug();
      assert.equal(s.phase('DiodeFault'), 'clear');
    });
  });

  describe('latched (ContactorWelded)', () => {
    it('CLEAR → latched; RESET clears it', () => {
      const s = supervisor();
      s.raise('ContactorWelded');
      assert.equal(s.phase('ContactorWelded'), 'active');
      s.clear('ContactorWelded');
      assert.deepEqual(s.states(), [{ fault: 'ContactorWelded', phase: 'latched', blocking: true, latched: true }]);
      s.unplug();
      assert.equal(s.phase('ContactorWelded'), 'latched', 'an unplug does not clear it');
      s.reset();
      assert.equal(s.phase('ContactorWelded'), 'clear');
    });

    it('RESET while the condition is still present does not clear it', () => {
      const s = supervisor();
      s.raise('ContactorWelded');
      s.reset();
      assert.equal(s.phase('ContactorWelded'), 'active');
      s.clear('ContactorWelded');
      s.raise('ContactorWelded');
      assert.equal(s.phase('ContactorWelded'), 'latchedActive');
      assert.deepEqual(s.states(), [{ fault: 'ContactorWelded', phase: 'latched', blocking: true, latched: true }]);
      s.reset();
      assert.equal(s.phase('ContactorWelded'), 'latchedActive');
      s.clear('ContactorWelded');
      s.reset();
      assert.equal(s.phase('ContactorWelded'), 'clear');
    });
  });

  describe('repeated faults', () => {
    it('the (limit+1)-th raise within the window latches a self-recovering fault', async () => {
      const s = supervisor({ repeatedFaultLimit: 3, repeatedFaultWindowMs: 60_000 });
      for (let i = 0; i < 3; i++) {
        s.raise('OverTemperature');
        assert.equal(s.phase('OverTemperature'), 'active', `raise ${i + 1}`);
        s.clear('OverTemperature');
        await s.clock.advance(10_000);
      }
      s.raise('OverTemperature');
      assert.deepEqual(s.states(), [{ fault: 'OverTemperature', phase: 'latched', blocking: true, latched: true }]);
      s.clear('OverTemperature');
      await s.clock.advance(3_600_000);
      assert.equal(s.phase('OverTemperature'), 'latched', 'only a reset clears it');
      s.reset();
      assert.equal(s.phase('OverTemperature'), 'clear');
    });

    it('a RESET while the repeated condition is still present does not clear it', () => {
      const s = supervisor({ repeatedFaultLimit: 1 });
      s.raise('OverTemperature');
      s.clear('OverTemperature');
      s.raise('OverTemperature'); // the 2nd raise latches, and the condition is present now
      assert.equal(s.states()[0]?.latched, true);
      s.reset();
      assert.notEqual(s.phase('OverTemperature'), 'clear', 'reset with the condition present');
      s.clear('OverTemperature');
      s.reset();
      assert.equal(s.phase('OverTemperature'), 'clear');
    });

    it('a RESET forgets the earlier raises', () => {
      const s = supervisor({ repeatedFaultLimit: 2 });
      for (const _ of [1, 2, 3]) { s.raise('OverTemperature'); s.clear('OverTemperature'); }
      s.reset();
      for (const _ of [1, 2]) {
        s.raise('OverTemperature');
        assert.equal(s.phase('OverTemperature'), 'active');
        s.clear('OverTemperature');
      }
    });

    it('raises spread beyond the window do not latch (window edge excluded)', async () => {
      const s = supervisor({ repeatedFaultLimit: 3, repeatedFaultWindowMs: 60_000 });
      for (let i = 0; i < 10; i++) {
        s.raise('OverTemperature');
        assert.equal(s.phase('OverTemperature'), 'active', `raise ${i + 1} at ${s.clock.now()}`);
        s.clear('OverTemperature');
        await s.clock.advance(20_000); // at most 3 raises within any 60 s
      }
      const edge = supervisor({ repeatedFaultLimit: 1, repeatedFaultWindowMs: 60_000 });
      edge.raise('OverTemperature'); edge.clear('OverTemperature');
      await edge.clock.advance(60_000);
      edge.raise('OverTemperature');
      assert.equal(edge.phase('OverTemperature'), 'active', 'exactly one window apart');
      edge.clear('OverTemperature');
      await edge.clock.advance(59_999);
      edge.raise('OverTemperature');
      assert.equal(edge.states()[0]?.latched, true, 'one ms inside the window');
    });

    it('repeats count for holdoff and untilUnplug faults too, each fault on its own', () => {
      const s = supervisor({ repeatedFaultLimit: 2 });
      for (const _ of [1, 2]) { s.raise('ResidualCurrentAC'); s.clear('ResidualCurrentAC'); }
      assert.equal(s.phase('ResidualCurrentAC'), 'holdoff');
      s.raise('ResidualCurrentAC');
      assert.equal(s.states().find((f) => f.fault === 'ResidualCurrentAC')?.latched, true, 'raised in holdoff');
      for (const _ of [1, 2]) { s.raise('DiodeFault'); s.clear('DiodeFault'); s.unplug(); }
      s.raise('DiodeFault');
      assert.equal(s.states().find((f) => f.fault === 'DiodeFault')?.latched, true);
      assert.equal(s.phase('OverTemperature'), 'clear');
    });
  });

  it('faultStates lists every fault that is not clear, in table order', async () => {
    const s = supervisor();
    s.raise('ContactorWelded'); s.clear('ContactorWelded');
    s.raise('ResidualCurrentAC'); s.clear('ResidualCurrentAC');
    s.raise('OverTemperature');
    s.raise('DiodeFault'); s.clear('DiodeFault');
    s.raise('EmergencyStop'); s.clear('EmergencyStop');
    assert.deepEqual(s.states(), [
      { fault: 'ContactorWelded', phase: 'latched', blocking: true, latched: true },
      { fault: 'ResidualCurrentAC', phase: 'holdoff', blocking: true, latched: false },
      { fault: 'OverTemperature', phase: 'active', blocking: true, latched: false },
      { fault: 'DiodeFault', phase: 'awaitingUnplug', blocking: true, latched: false },
    ]);
    await s.clock.advance(INPUT.faultRetryDelayMs);
    s.unplug();
    s.clear('OverTemperature');
    s.reset();
    assert.deepEqual(s.states(), []);
  });

  it('supervises only the faults it was created with', () => {
    const s = supervisor({ faults: ['OverTemperature', 'ContactorWelded'] });
    assert.deepEqual(Object.keys(s.actor.getSnapshot().value), ['OverTemperature', 'ContactorWelded']);
    s.raise('DiodeFault');
    assert.deepEqual(s.states(), []);
  });
});
