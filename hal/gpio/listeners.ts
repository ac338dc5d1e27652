// Listener bookkeeping for the real drivers: synchronous, in subscription order. Every listener
// hears every event even when an earlier one throws (an e-stop must reach every connector);
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
    let failure: { error: unknown } | null = null;
    for (const listener of [...this.entries]) {
      try {
        listener(value);
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure) throw failure.error;
  }
}
