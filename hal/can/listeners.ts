// Listener bookkeeping for the CAN drivers: synchronous, in subscription order. Every listener
// hears every event even when an earlier one throws (an RCD trip must reach every subscriber);
// the first error is rethrown once all have run.

import type { Listener, Unsubscribe } from '../interfaces.js';

export class Listeners<T> {
  private readonly entries = new Set<Listener<T>>();

  subscribe(listener: Listener<T>): Unsubscribe {
    // Wrapped, so the same function subscribed twice gets two independent subscriptions.
    const entry: Listener<T> = (value) => listener(value);
    this.entries.add(entry);
    return () => {
      this.entries.delete(entry);
    };
  }

  emit(value: T): void {
    runAll([...this.entries].map((listener) => () => listener(value)));
  }
}

/** Runs every step even when one throws; rethrows the first error at the end. */
export function runAll(steps: readonly (() => void)[]): void {
  let failure: { error: unknown } | null = null;
  for (const step of steps) {
    try {
      step();
    } catch (error) {
      failure ??= { error };
    }
  }
  if (failure) throw failure.error;
}
