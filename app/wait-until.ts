// Waiting for a condition without polling: checked now and at every change it is told of,
// given up at a deadline on the injected clock (so tests drive it on a virtual clock).

import type { Clock } from '../hal/clock.js';

/** Calls the listener at every change; returns what stops it. */
export type Subscribe = (changed: () => void) => () => void;

/** True once `holds()` is (checked now and at every change `subscribe` reports), false if it still does not after `timeoutMs`. */
export function waitUntil(clock: Clock, holds: () => boolean, subscribe: Subscribe, timeoutMs: number): Promise<boolean> {
  if (holds()) return Promise.resolve(true);
  return new Promise((resolve) => {
    let done = false;
    let unsubscribe: (() => void) | null = null;
    const finish = (result: boolean) => {
      if (done) return;
      done = true;
      clock.clearTimeout(timer);
      unsubscribe?.();
      resolve(result);
    };
    const timer = clock.setTimeout(() => finish(holds()), Math.max(0, timeoutMs));
    unsubscribe = subscribe(() => {
      if (holds()) finish(true);
    });
    if (done) unsubscribe();
  });
}
