import { strict as assert } from 'node:assert';
import { runSeed, seededRandom, testSeed } from './seeded-random.js';

describe('test support: seeded random', () => {
  it('draws the same sequence from the same seed, another from another', () => {
    const draw = (seed: number) => {
      const r = seededRandom(seed);
      return [r.between(5, 155), r.int(1, 4), r.chance(0.5), r.shuffle([1, 2, 3, 4, 5, 6]), [...r.bytes(8)]];
    };
    assert.deepEqual(draw(42), draw(42));
    assert.notDeepEqual(draw(42), draw(43));
  });

  it('stays in range', () => {
    const r = seededRandom(7);
    for (let i = 0; i < 1000; i++) {
      const x = r.between(5, 155);
      assert.ok(x >= 5 && x < 155, String(x));
      const n = r.int(1, 4);
      assert.ok(Number.isInteger(n) && n >= 1 && n <= 4, String(n));
    }
    assert.deepEqual(r.shuffle([3, 1, 2]).sort(), [1, 2, 3]);
  });

  it('gives each test its own seed from the run seed and the title', () => {
    assert.equal(testSeed(1, 'a b'), testSeed(1, 'a b'));
    assert.notEqual(testSeed(1, 'a b'), testSeed(2, 'a b'));
    assert.notEqual(testSeed(1, 'a b'), testSeed(1, 'a c'));
  });

  it('takes TEST_SEED, and refuses one that is not a whole number in range', () => {
    assert.equal(runSeed({ TEST_SEED: '123456789' }), 123456789);
    const unset = runSeed({});
    assert.ok(Number.isInteger(unset) && unset >= 0);
    for (const bad of ['abc', '-1', '1.5', '99999999999']) {
      assert.throws(() => runSeed({ TEST_SEED: bad }), /TEST_SEED must be a whole number from 0 to 4294967295/);
    }
  });
});
