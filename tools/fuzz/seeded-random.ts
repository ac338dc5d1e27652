// A small seeded pseudo-random source (mulberry32): the same seed gives the same run, so a fuzz
// failure can be replayed from the seed it prints.

export class SeededRandom {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  /** A seed for a new run: from `env` when given (a replay), else fresh. */
  static seedFrom(env: string | undefined): number {
    if (env !== undefined && env !== '') {
      const seed = Number(env);
      if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new RangeError(`seed must be an integer 0..4294967295 (got ${env})`);
      return seed;
    }
    return Math.floor(Math.random() * 0x100000000);
  }

  /** [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 0x100000000;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  /** `length` printable ASCII characters. */
  ascii(length: number): string {
    let s = '';
    for (let i = 0; i < length; i++) s += String.fromCharCode(this.int(32, 126));
    return s;
  }
}
