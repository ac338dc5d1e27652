// Seeded randomness for tests, so that a failure can be replayed. Every random test draws from
// `useSeededRandom()`: each test gets its own generator, seeded from the run's seed and the
// test's full title (so one test replays alone, whatever ran before it). The run's seed is
// TEST_SEED when set, else random; a failing test prints it:
//
//   TEST_SEED=123456789 npx mocha dist/test/… --grep "<the test>"
//
// Where a test also depends on real time (a process killed after a random delay), the seed
// replays the choices, not the scheduling.

import { seededRandom, seedFrom, type SeededRandom } from '../../tools/seeded-random.js';

export { seededRandom, type SeededRandom };

/** TEST_SEED if set (a whole number), else a random seed for this run. */
export function runSeed(env: NodeJS.ProcessEnv = process.env): number {
  return seedFrom(env['TEST_SEED'], 'TEST_SEED');
}

/** One seed per test: FNV-1a over the test's title, starting from the run's seed. */
export function testSeed(seed: number, title: string): number {
  let hash = (0x811c9dc5 ^ seed) >>> 0;
  for (const byte of Buffer.from(title, 'utf8')) hash = Math.imul(hash ^ byte, 0x0100_0193) >>> 0;
  return hash;
}

const RUN_SEED = runSeed();

/**
 * Call in a `describe`: a generator that each test of it gets afresh (seeded by its title), and
 * a line naming the seed when one fails.
 */
export function useSeededRandom(): SeededRandom {
  let current: SeededRandom | null = null;
  beforeEach(function () {
    current = seededRandom(testSeed(RUN_SEED, this.currentTest!.fullTitle()));
  });
  afterEach(function () {
    if (this.currentTest?.state === 'failed') {
      process.stderr.write(`      random test failed: replay with TEST_SEED=${RUN_SEED} --grep ${JSON.stringify(this.currentTest.fullTitle())}\n`);
    }
    current = null;
  });
  const now = (): SeededRandom => {
    if (current === null) throw new Error('useSeededRandom(): draw inside a test (or its hooks), not while the suite is defined');
    return current;
  };
  return {
    get seed() {
      return now().seed;
    },
    next: () => now().next(),
    between: (min, max) => now().between(min, max),
    int: (min, max) => now().int(min, max),
    chance: (p) => now().chance(p),
    shuffle: (list) => now().shuffle(list),
    pick: (items) => now().pick(items),
    bytes: (length) => now().bytes(length),
    ascii: (length) => now().ascii(length),
  };
}
