// The contactor gate on its own: the controller (here the test) asks it to close while one
// precondition after another fails at the hardware, and the gate refuses and reports each.
// The gate is the defence under the machine's guard, so it is tested without the machine.

import { strict as assert } from 'node:assert';
import { VirtualClock } from '../../../hal/clock.js';
import type { Contactor, Listener, SwitchPosition } from '../../../hal/interfaces.js';
import { ContactorGate, type HardwareCloseConditions } from '../../../app/safety/contactor-gate.js';
import type { FaultValues } from '../../../app/safety/fault-reporter.js';
import type { CloseBlocker } from '../../../state-machines/close-preconditions.js';
import type { FaultName } from '../../../state-machines/faults.js';

/** A contactor whose mirror contact follows the command at once. */
class FakeContactor implements Contactor {
  commanded: SwitchPosition = 'open';
  closeCommands = 0;
  private readonly listeners = new Set<Listener<SwitchPosition>>();
  close(): void {
    this.closeCommands++;
    this.commanded = 'closed';
    for (const l of this.listeners) l('closed');
  }
  open(): void {
    this.commanded = 'open';
    for (const l of this.listeners) l('open');
  }
  readFeedback(): SwitchPosition {
    return this.commanded;
  }
  onFeedback(listener: Listener<SwitchPosition>): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }
}

/** Every precondition met: a socket, the EV in C, authorized, a 32 A cable locked, RCD tested, diode seen, 16 A, the meter read. */
const ALL_MET: HardwareCloseConditions = {
  pilot: 'C',
  ventilationAvailable: false,
  authorized: true,
  cableRatingA: 32,
  lockRequired: true,
  lockConfirmed: true,
  faultActive: false,
  rcdTripped: false,
  rcdSelfTestPassed: true,
  diodeVerified: true,
  allowedCurrentA: 16,
  meterReady: true,
};

/** One failing precondition each, with the blocker the gate must name. */
const ONE_BLOCKER: readonly [string, Partial<HardwareCloseConditions>, CloseBlocker][] = [
  ['EV in B (not asking for energy)', { pilot: 'B' }, 'evNotRequesting'],
  ['EV in D on a site without ventilation (IEC 61851-1 A.4)', { pilot: 'D' }, 'ventilationMissing'],
  ['no session authorized', { authorized: false }, 'notAuthorized'],
  ['PP reads no cable', { cableRatingA: null }, 'cableUnknown'],
  ['lock feedback unlocked', { lockConfirmed: false }, 'lockNotConfirmed'],
  ['a fault active', { faultActive: true }, 'faultActive'],
  ['RCD module signalling a trip', { rcdTripped: true }, 'rcdTripped'],
  ['RCD self-test not passed', { rcdSelfTestPassed: false }, 'rcdSelfTestNotPassed'],
  ['EV diode not seen (IEC 61851-1 A.2.3)', { diodeVerified: false }, 'diodeNotSeen'],
  ['5.9 A allowed: below the 6 A PWM minimum (IEC 61851-1 Table A.7)', { allowedCurrentA: 5.9 }, 'currentBelowMinimum'],
  ['the energy meter not read yet (nothing to bill the session from)', { meterReady: false }, 'meterNotReady'],
];

function rig(conditions: HardwareCloseConditions) {
  const clock = new VirtualClock();
  const contactor = new FakeContactor();
  const refused: (readonly CloseBlocker[])[] = [];
  const raised: FaultName[] = [];
  let current = conditions;
  const gate = new ContactorGate({
    contactor,
    clock,
    reporter: { raise: (fault: FaultName, _values: FaultValues) => void raised.push(fault), clear: () => {} },
    feedbackTimeoutMs: 500,
    closeTimeoutMs: 500,
    conditions: () => current,
    onRefused: (blockers) => void refused.push(blockers),
  });
  return { clock, contactor, gate, refused, raised, set: (next: HardwareCloseConditions) => void (current = next) };
}

describe('contactor gate: refuses to close while any precondition fails at the hardware', () => {
  it('closes when every precondition holds', () => {
    const r = rig(ALL_MET);
    assert.equal(r.gate.close(), true);
    assert.equal(r.contactor.commanded, 'closed');
    assert.deepEqual(r.refused, []);
  });

  for (const [what, change, blocker] of ONE_BLOCKER) {
    it(`refuses with exactly one blocker: ${what}`, () => {
      const r = rig({ ...ALL_MET, ...change });
      assert.equal(r.gate.close(), false);
      assert.equal(r.contactor.closeCommands, 0, 'the contactor was commanded closed');
      assert.equal(r.contactor.commanded, 'open');
      assert.deepEqual(r.refused, [[blocker]], 'the refusal names exactly the failing precondition');
    });
  }

  it('a tethered cable needs no lock', () => {
    const r = rig({ ...ALL_MET, lockRequired: false, lockConfirmed: false });
    assert.equal(r.gate.close(), true);
  });

  it('D closes where the site is ventilated', () => {
    const r = rig({ ...ALL_MET, pilot: 'D', ventilationAvailable: true });
    assert.equal(r.gate.close(), true);
  });

  it('names every failing precondition at once', () => {
    const r = rig({ ...ALL_MET, pilot: 'B', lockConfirmed: false, rcdTripped: true });
    assert.equal(r.gate.close(), false);
    assert.deepEqual(r.refused, [['evNotRequesting', 'lockNotConfirmed', 'rcdTripped']]);
  });

  it('after an open it refuses to close again for 2000 ms (minimum off time against a chattering pilot)', async () => {
    const r = rig(ALL_MET);
    assert.equal(r.gate.close(), true);
    r.gate.open();
    await r.clock.advance(1999);
    assert.equal(r.gate.close(), false);
    assert.deepEqual(r.refused, [['minimumOffTime']]);
    await r.clock.advance(1);
    assert.equal(r.gate.close(), true);
    assert.equal(r.contactor.closeCommands, 2);
  });

  it('re-reads the hardware at every close: a precondition lost after a first close blocks the next', async () => {
    const r = rig(ALL_MET);
    assert.equal(r.gate.close(), true);
    r.gate.open();
    await r.clock.advance(2000);
    r.set({ ...ALL_MET, lockConfirmed: false });
    assert.equal(r.gate.close(), false);
    assert.deepEqual(r.refused, [['lockNotConfirmed']]);
  });
});
