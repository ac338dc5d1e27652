import { strict as assert } from 'node:assert';
import { GpioLock } from '../../../hal/gpio/gpio-lock.js';
import type { LockPosition } from '../../../hal/interfaces.js';
import { gpioRig } from './rig.js';

const LOCK_MOTOR = 30;
const UNLOCK_MOTOR = 31;
const FEEDBACK = 32;

async function lockRig(pulseMs = 300) {
  const rig = gpioRig();
  const lockMotor = await rig.output(LOCK_MOTOR);
  const unlockMotor = await rig.output(UNLOCK_MOTOR, true);
  const feedback = await rig.input(FEEDBACK, 10);
  // Never both motor lines at once, at any write.
  const overlaps: number[] = [];
  rig.onoff.onWrite(() => {
    if (rig.onoff.isAsserted(LOCK_MOTOR) && rig.onoff.isAsserted(UNLOCK_MOTOR)) overlaps.push(rig.clock.now());
  });
  const lock = new GpioLock(lockMotor, unlockMotor, feedback, rig.clock, { pulseMs });
  return { rig, lock, overlaps };
}

describe('GPIO connector lock', () => {
  it('lock pulses the lock motor for pulseMs; feedback follows the switch', async () => {
    const { rig, lock, overlaps } = await lockRig();
    const seen: LockPosition[] = [];
    lock.onFeedback((p) => seen.push(p));
    assert.equal(lock.commanded, 'unlocked');
    lock.lock();
    assert.equal(lock.commanded, 'locked');
    assert.equal(rig.onoff.isAsserted(LOCK_MOTOR), true);
    assert.equal(rig.onoff.isAsserted(UNLOCK_MOTOR), false);
    await rig.clock.advance(150);
    rig.onoff.setLevel(FEEDBACK, 1); // the pin reached its end stop
    await rig.clock.advance(149);
    assert.equal(rig.onoff.isAsserted(LOCK_MOTOR), true);
    assert.equal(lock.readFeedback(), 'locked');
    await rig.clock.advance(1);
    assert.equal(rig.onoff.isAsserted(LOCK_MOTOR), false, 'pulse over');
    assert.equal(lock.moving, false);
    assert.deepEqual(seen, ['locked']);
    assert.deepEqual(overlaps, []);
  });

  it('unlock pulses the other line (active-low here) and never both at once, even mid-pulse', async () => {
    const { rig, lock, overlaps } = await lockRig();
    lock.lock();
    await rig.clock.advance(100);
    lock.unlock(); // reverses mid-pulse
    assert.equal(rig.onoff.isAsserted(LOCK_MOTOR), false);
    assert.equal(rig.onoff.isAsserted(UNLOCK_MOTOR), true);
    assert.equal(rig.onoff.line(UNLOCK_MOTOR).level, 0, 'active-low line driven low');
    await rig.clock.advance(250);
    assert.equal(rig.onoff.isAsserted(LOCK_MOTOR), false, 'the cancelled lock pulse does not come back');
    await rig.clock.advance(50);
    assert.equal(rig.onoff.isAsserted(UNLOCK_MOTOR), false);
    assert.deepEqual(overlaps, []);
    assert.equal(rig.clock.pendingTimers, 0);
  });

  it('fail-safe: a broken feedback wire reads unlocked', async () => {
    const { rig, lock } = await lockRig();
    rig.onoff.setLevel(FEEDBACK, 1);
    await rig.clock.advance(10);
    assert.equal(lock.readFeedback(), 'locked');
    rig.onoff.setLevel(FEEDBACK, 0);
    await rig.clock.advance(10);
    assert.equal(lock.readFeedback(), 'unlocked');
  });

  it('a lock that does not move: the pulse ends, the feedback stays unlocked (the app times it out)', async () => {
    const { rig, lock } = await lockRig(200);
    lock.lock();
    await rig.clock.advance(1000);
    assert.equal(lock.readFeedback(), 'unlocked');
    const writes = rig.onoff.line(LOCK_MOTOR).writes;
    assert.deepEqual(writes.slice(-2), [1, 0], 'one pulse, then off');
    assert.equal(writes.filter((v) => v === 1).length, 1, 'no retry by the driver');
  });

  it('close stops the motor and its timer', async () => {
    const { rig, lock } = await lockRig();
    lock.lock();
    lock.close();
    assert.equal(rig.onoff.isAsserted(LOCK_MOTOR), false);
    assert.equal(rig.clock.pendingTimers, 0);
  });

  it('refuses a pulse that is not positive', async () => {
    const rig = gpioRig();
    const a = await rig.output(1);
    const b = await rig.output(2);
    const f = await rig.input(3);
    assert.throws(() => new GpioLock(a, b, f, rig.clock, { pulseMs: 0 }), RangeError);
  });
});
