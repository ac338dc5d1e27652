// Listener bookkeeping for the sim drivers: synchronous, in subscription order.

import type { Listener, Unsubscribe } from '../interfaces.js';

export class Emitter<T> {
  private readonly listeners = new Set<Listener<T>>();

  subscribe(listener: Listener<T>): Unsubscribe {
    // Wrap so the same function subscribed twice gets two independent subscriptions.
    const entry: Listener<T> = (value) => listener(value);
    this.listeners.add(entry);
    return () => {
      this.listeners.delete(entry);
    };
  }

  emit(value: T): void {
    for (const listener of this.listeners) listener(value);
  }
}
