// Carries out a board's SafeStateRelease: every coil de-energized and every pilot PWM at 0 %
// (steady −12 V, state F, on the ±12 V stage). Synchronous and without the drivers' objects, so
// that it works where nothing else does: in the watchdog's worker thread while the event loop is
// stalled, and in the process's 'exit' handler, where no callback will ever run again.

import { writeFileSync } from 'node:fs';
import type { SafeStateRelease } from './interfaces.js';

/** Opens every coil of the simulated board's shared coil memory. */
export function releaseCoils(coils: SharedArrayBuffer): void {
  const words = new Int32Array(coils);
  for (let i = 0; i < words.length; i += 1) Atomics.store(words, i, 0);
}

/** Holds every pilot of the simulated board's shared pilot memory at state F. */
export function holdPilotsAtF(pilots: SharedArrayBuffer): void {
  const words = new Int32Array(pilots);
  for (let i = 0; i < words.length; i += 1) Atomics.store(words, i, 1);
}

/** Does every write, each on its own (one that fails does not stop the others); returns the failures. */
export function releaseSafeState(release: SafeStateRelease): string[] {
  const failures: string[] = [];
  if (release.coils) releaseCoils(release.coils);
  if (release.pilots) holdPilotsAtF(release.pilots);
  for (const { path, value } of release.writes) {
    try {
      writeFileSync(path, value);
    } catch (error) {
      failures.push(`${path}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return failures;
}

/** Whether any coil of the simulated board's shared coil memory is energized. */
export function anyCoilEnergized(coils: SharedArrayBuffer): boolean {
  const words = new Int32Array(coils);
  for (let i = 0; i < words.length; i += 1) if (Atomics.load(words, i) !== 0) return true;
  return false;
}
