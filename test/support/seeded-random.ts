// Seeded randomness for tests, so that a failure can be replayed. Every random test draws from
// `useSeededRandom()`: each test gets its own generator, seeded from the run's seed and the
// test's full title (so one test replays alone, whatever ran before it). The run's seed is
// TEST_SEED when set, else random; a failing test prints it:
//
//   TEST_SEED=123456789 npx mocha dist/test/… --grep "<the test>"
//
// Where a test also depends on real time (a process killed after a random delay), the seed
// replays the choices, not the scheduling.

import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

export interface SeededRandom {
  readonly seed: number;
  /** A number in [min, max). */
  between(min: number, max: number): number;
  /** A whole number in [min, max]. */
  int(min: number, max: number): number;
  /** True with probability `p`. */
  chance(p: number): boolean;
  /** The list, shuffled in place (Fisher–Yates). */
  shuffle<T>(list: T[]): T[];
  /** `length` random bytes. */
  bytes(length: number): Buffer;
}

const MAX_SEED = 0xffff_ffff;

/** TEST_SEED if set (a whole number), else a random seed for this run. */
export function runSeed(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env['TEST_SEED'];
  if (raw === undefined || raw === '') return Math.floor(Math.random() * MAX_SEED);
  if (!/^[0-9]{1,10}$/.test(raw) || Number(raw) > MAX_SEED) {
    throw new Error(`TEST_SEED must be a whole number from 0 to ${MAX_SEED}, got "${raw}"`);
  }
  return Number(raw);
}

/** One seed per test: FNV-1a over the test's title, starting from the run's seed. */
export function testSeed(seed: number, title: string): number {
  let hash = (0x811c9dc5 ^ seed) >>> 0;
  for (const byte of Buffer.from(title, 'utf8')) hash = Math.imul(hash ^ byte, 0x0100_0193) >>> 0;
  return hash;
}

export function seededRandom(seed: number): SeededRandom {
  const rng = xoroshiro128plus(seed);
  const float = () => uniformFloat64(rng);
  const int = (min: number, max: number) => uniformInt(rng, min, max);
  return {
    seed,
    between: (min, max) => min + float() * (max - min),
    int,
    chance: (p) => float() < p,
    shuffle(list) {
      for (let i = list.length - 1; i > 0; i--) {
        const j = int(0, i);
        [list[i], list[j]] = [list[j]!, list[i]!];
      }
      return list;
    },
    bytes: (length) => Buffer.from(Array.from({ length }, () => int(0, 255))),
  };
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
    between: (min, max) => now().between(min, max),
    int: (min, max) => now().int(min, max),
    chance: (p) => now().chance(p),
    shuffle: (list) => now().shuffle(list),
    bytes: (length) => now().bytes(length),
  };
}
