import { strict as assert } from 'node:assert';
import { NOMINAL_PROXIMITY_OHMS, proximityFromResistance } from '../../hal/proximity-resistance.js';

const rating = (ohms: number): number | string => {
  const r = proximityFromResistance(ohms);
  return r.kind === 'cable' ? r.ratingA : r.kind;
};

describe('proximity resistance → cable rating (A4)', () => {
  it('maps the nominal resistors', () => {
    for (const [amps, ohms] of Object.entries(NOMINAL_PROXIMITY_OHMS)) {
      assert.deepEqual(proximityFromResistance(ohms), { kind: 'cable', ratingA: Number(amps), ohms });
    }
  });

  it('accepts the range edges', () => {
    assert.equal(rating(80), 63);
    assert.equal(rating(140), 63);
    assert.equal(rating(164), 32);
    assert.equal(rating(308), 32);
    assert.equal(rating(400), 20);
    assert.equal(rating(936), 20);
    assert.equal(rating(1100), 13);
    assert.equal(rating(2460), 13);
  });

  it('gives the lower rating between two ranges', () => {
    assert.equal(rating(141), 32);
    assert.equal(rating(163), 32);
    assert.equal(rating(309), 20);
    assert.equal(rating(399), 20);
    assert.equal(rating(937), 13);
    assert.equal(rating(1099), 13);
    assert.equal(rating(2461), 13);
    assert.equal(rating(4500), 13);
    assert.equal(rating(60), 63);
  });

  it('is invalid below 60 Ω and above 4.5 kΩ, no cable when open', () => {
    assert.deepEqual(proximityFromResistance(59.9), { kind: 'invalid', ohms: 59.9 });
    assert.deepEqual(proximityFromResistance(0), { kind: 'invalid', ohms: 0 });
    assert.deepEqual(proximityFromResistance(4501), { kind: 'invalid', ohms: 4501 });
    assert.equal(rating(Number.NaN), 'invalid');
    assert.deepEqual(proximityFromResistance(Number.POSITIVE_INFINITY), { kind: 'noCable' });
  });
});
