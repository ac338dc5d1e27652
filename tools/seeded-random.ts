// Seeded randomness for the fuzzer, the benches and the tests: one seed gives one run, so a failure
// can be replayed from the seed it prints. The generator is pure-rand's xoroshiro128+.

import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

export interface SeededRandom {
  readonly seed: number;
  /** A number in [0, 1). */
  next(): number;
  /** A number in [min, max). */
  between(min: number, max: number): number;
  /** A whole number in [min, max]. */
  int(min: number, max: number): number;
  /** True with probability `p`. */
  chance(p: number): boolean;
  /** One item of a non-empty list. */
  pick<T>(items: readonly T[]): T;
  /** The list, shuffled in place (Fisher–Yates). */
  shuffle<T>(list: T[]): T[];
  /** `length` random bytes. */
  bytes(length: number): Buffer;
  /** `length` printable ASCII characters. */
  ascii(length: number): string;
}

export const MAX_SEED = 0xffff_ffff;

/** The seed in `raw` (a replay: a whole number 0..MAX_SEED) or, when unset, a fresh one. */
export function seedFrom(raw: string | undefined, name = 'seed'): number {
  if (raw === undefined || raw === '') return Math.floor(Math.random() * MAX_SEED);
  if (!/^[0-9]{1,10}$/.test(raw) || Number(raw) > MAX_SEED) {
    throw new RangeError(`${name} must be a whole number from 0 to ${MAX_SEED}, got "${raw}"`);
  }
  return Number(raw);
}

export function seededRandom(seed: number): SeededRandom {
  const rng = xoroshiro128plus(seed);
  const next = () => uniformFloat64(rng);
  const int = (min: number, max: number) => uniformInt(rng, min, max);
  return {
    seed,
    next,
    between: (min, max) => min + next() * (max - min),
    int,
    chance: (p) => next() < p,
    pick: (items) => {
      if (items.length === 0) throw new RangeError('pick from an empty list');
      return items[int(0, items.length - 1)]!;
    },
    shuffle(list) {
      for (let i = list.length - 1; i > 0; i--) {
        const j = int(0, i);
        [list[i], list[j]] = [list[j]!, list[i]!];
      }
      return list;
    },
    bytes: (length) => Buffer.from(Array.from({ length }, () => int(0, 255))),
    ascii: (length) => String.fromCharCode(...Array.from({ length }, () => int(32, 126))),
  };
}
