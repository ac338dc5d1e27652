import { strict as assert } from 'node:assert';

import { LogThrottle } from '../../../app/ocpp/connection/log-throttle.js';
import { VirtualClock } from '../../../hal/clock.js';

describe('OCPP connection: the log throttle for the backend\'s bad input', () => {
  it('lets through perWindow lines of a kind per window, then tells how many were left out with the next one after it', async () => {
    const clock = new VirtualClock();
    const throttle = new LogThrottle(clock, 3, 60_000);
    const first = Array.from({ length: 10 }, () => throttle.admit('refused call'));
    assert.deepEqual(first.map((a) => a.write), [true, true, true, false, false, false, false, false, false, false]);
    assert.ok(first.every((a) => a.leftOut === 0));
    // Another kind has its own allowance.
    assert.deepEqual(throttle.admit('dropped frame'), { write: true, leftOut: 0 });
    await clock.advance(59_999);
    assert.deepEqual(throttle.admit('refused call'), { write: false, leftOut: 0 });
    await clock.advance(1);
    assert.deepEqual(throttle.admit('refused call'), { write: true, leftOut: 8 });
    assert.deepEqual(throttle.admit('refused call'), { write: true, leftOut: 0 });
  });

  it('a kind that stays under its allowance is never held back', async () => {
    const clock = new VirtualClock();
    const throttle = new LogThrottle(clock, 2, 1000);
    for (let i = 0; i < 50; i++) {
      assert.deepEqual(throttle.admit('bad message'), { write: true, leftOut: 0 });
      await clock.advance(600);
    }
  });
});
