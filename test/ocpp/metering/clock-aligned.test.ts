import { strict as assert } from 'node:assert';

import { boundaryAfter, boundaryAtOrBefore } from '../../../app/ocpp/metering/clock-aligned.js';

const at = (h: number, m = 0, s = 0, day = 1) => Date.UTC(2026, 0, day, h, m, s);

describe('clock-aligned boundaries', () => {
  it('counts intervals from UTC midnight', () => {
    assert.equal(boundaryAfter(at(10, 7), 900), at(10, 15));
    assert.equal(boundaryAtOrBefore(at(10, 7), 900), at(10, 0));
    assert.equal(boundaryAtOrBefore(at(10, 15), 900), at(10, 15));
    assert.equal(boundaryAfter(at(10, 15), 900), at(10, 30)); // strictly after
  });

  it('crosses midnight into the next day', () => {
    assert.equal(boundaryAfter(at(23, 50), 900), at(0, 0, 0, 2));
    assert.equal(boundaryAfter(at(23, 59, 59), 1), at(0, 0, 0, 2));
  });

  it('starts every day again at midnight when the interval does not divide a day', () => {
    const s = 7 * 3600; // 00:00, 07:00, 14:00, 21:00, then 00:00 (not 04:00)
    assert.equal(boundaryAfter(at(14, 30), s), at(21));
    assert.equal(boundaryAfter(at(21), s), at(0, 0, 0, 2));
    assert.equal(boundaryAtOrBefore(at(23), s), at(21));
    assert.equal(boundaryAfter(at(0, 0, 0, 2), s), at(7, 0, 0, 2));
  });

  it('treats a whole day as one interval', () => {
    assert.equal(boundaryAfter(at(12), 86_400), at(0, 0, 0, 2));
    assert.equal(boundaryAtOrBefore(at(12), 86_400), at(0));
  });
});
