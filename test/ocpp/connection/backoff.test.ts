// Reconnect back-off: exponential, jittered, capped, reset.

import { strict as assert } from 'node:assert';
import { Backoff } from '../../../app/ocpp/connection/backoff.js';

describe('OCPP connection: back-off', () => {
  it('doubles from initialMs up to maxMs, ±25 % jitter, never above maxMs; reset starts again', () => {
    const low = new Backoff({ initialMs: 1000, maxMs: 60_000 }, () => 0);
    assert.deepEqual(Array.from({ length: 9 }, () => low.next()), [750, 1500, 3000, 6000, 12_000, 24_000, 45_000, 45_000, 45_000]);
    const high = new Backoff({ initialMs: 1000, maxMs: 60_000 }, () => 0.999999);
    assert.deepEqual(Array.from({ length: 8 }, () => high.next()), [1250, 2500, 5000, 10_000, 20_000, 40_000, 60_000, 60_000]);
    high.reset();
    assert.equal(high.next(), 1250);
    assert.throws(() => new Backoff({ initialMs: 0, maxMs: 10 }), RangeError);
  });
});
