import { strict as assert } from 'node:assert';
import { VirtualClock } from '../../../hal/clock.js';
import { SamplingLoop } from '../../../hal/i2c/sampling-loop.js';

/** A device whose reads the test answers one by one. */
function device() {
  const pending: { resolve: (v: number) => void; reject: (e: Error) => void }[] = [];
  const accepted: number[] = [];
  const failed: string[] = [];
  return {
    pending,
    accepted,
    failed,
    sampler: {
      read: () => new Promise<number>((resolve, reject) => pending.push({ resolve, reject })),
      accept: (v: number) => accepted.push(v),
      fail: (e: unknown) => failed.push(String(e)),
    },
  };
}

describe('I2C sampling loop (hal/i2c/sampling-loop.ts)', () => {
  it('reads at once, then every pollMs on the clock', async () => {
    const clock = new VirtualClock();
    let reads = 0;
    const loop = new SamplingLoop(clock, 100, { read: async () => ++reads, accept: () => {}, fail: () => {} });
    assert.equal(reads, 1);
    await loop.ready();
    await clock.advance(99);
    assert.equal(reads, 1);
    await clock.advance(1);
    assert.equal(reads, 2);
    await clock.advance(300);
    assert.equal(reads, 5);
    loop.close();
    assert.equal(clock.pendingTimers, 0);
  });

  it('keeps one read in flight; requests meanwhile make one more right after it, not a pile', async () => {
    const clock = new VirtualClock();
    const d = device();
    const loop = new SamplingLoop(clock, 100, d.sampler);
    await clock.advance(300); // three polls while the first read hangs
    loop.sampleNow();
    assert.equal(d.pending.length, 1);
    d.pending[0]!.resolve(1);
    await clock.advance(0);
    assert.equal(d.pending.length, 2, 'one more, at once');
    d.pending[1]!.resolve(2);
    await clock.advance(0);
    assert.equal(d.pending.length, 2, 'and no more until the next poll');
    assert.deepEqual(d.accepted, [1, 2]);
    loop.close();
  });

  it('counts a failed read and hands it to the driver', async () => {
    const clock = new VirtualClock();
    const d = device();
    const loop = new SamplingLoop(clock, 100, d.sampler);
    d.pending[0]!.reject(new Error('EIO'));
    await loop.ready();
    assert.deepEqual(d.failed, ['Error: EIO']);
    assert.equal(loop.readErrors, 1);
    loop.close();
  });

  it('close stops the polls, drops what a read in flight returns, and releases ready()', async () => {
    const clock = new VirtualClock();
    const d = device();
    const loop = new SamplingLoop(clock, 100, d.sampler);
    loop.close();
    loop.close();
    await loop.ready();
    d.pending[0]!.resolve(7);
    await clock.advance(1000);
    loop.sampleNow();
    assert.equal(d.pending.length, 1);
    assert.deepEqual(d.accepted, []);
    assert.equal(clock.pendingTimers, 0);
  });
});
