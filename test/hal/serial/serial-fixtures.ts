// Shared set-up for the serial driver tests: pseudo-terminal pairs (socat) at fixed link paths,
// so a test can unplug a device (close the pair) and plug it back at the same path.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPtyPair, type PtyPair } from '../../../hal/far-side/pty-pair.js';

export interface Bench {
  /** The driver's end. */
  readonly driverPath: string;
  /** The device simulator's end. */
  readonly devicePath: string;
  pair: PtyPair;
  /** Kills socat: both ends disappear. */
  unplug(): Promise<void>;
  /** A new pair at the same paths. */
  plug(): Promise<void>;
  dispose(): Promise<void>;
}

export async function makeBench(): Promise<Bench> {
  const dir = await mkdtemp(join(tmpdir(), 'serial-test-'));
  const driverPath = join(dir, 'driver');
  const devicePath = join(dir, 'device');
  const open = () => openPtyPair({ linkA: driverPath, linkB: devicePath });
  let plugged = true;
  const bench: Bench = {
    driverPath,
    devicePath,
    pair: await open(),
    async unplug() {
      if (!plugged) return;
      plugged = false;
      await bench.pair.close();
    },
    async plug() {
      bench.pair = await open();
      plugged = true;
    },
    async dispose() {
      await bench.unplug();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return bench;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits (in real time) until `predicate` holds; fails with `what` after `timeoutMs`. */
export async function waitFor(predicate: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(5);
  }
}
