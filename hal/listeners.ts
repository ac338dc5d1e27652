// The one listener set every driver uses to tell its subscribers (real, co-processor and sim).
//
// Listeners are called synchronously, in subscription order. A listener that throws is a
// software bug, and its error behaviour is chosen here, once:
// - every other listener is still told (an RCD trip or an e-stop must reach every connector);
// - emit itself never throws, so the driver that emitted is not left half-way through an update,
//   and no caller (a sampling loop counting read errors, a serial reader reporting port trouble)
//   can mistake the listener's bug for a device error or swallow it;
// - the error is rethrown on a microtask, after every listener has run, where nothing can catch
//   it: it becomes the process's uncaughtException, which is the fail-safe path
//   (app/safety/fail-safe.ts: contactors opened, pilots to state F, exit for a restart).

import type { Listener, Unsubscribe } from './interfaces.js';

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

  /** Tells every listener subscribed now; never throws (see above for a listener that does). */
  emit(value: T): void {
    for (const listener of [...this.entries]) {
      try {
        listener(value);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}
