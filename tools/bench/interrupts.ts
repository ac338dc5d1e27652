// Interrupts for the latency benches: fault-signal-worker.ts fires at a random moment from another
// thread, as hardware would; the main thread injects the fault when its event loop gets to the
// message, so waiting behind other work is part of the measured latency.

import { Worker } from 'node:worker_threads';

export interface Interrupts {
  /** Fires `inject` after a random delay of up to 20 ms; resolves with the instant the signal fired. */
  fire(inject: () => void): Promise<number>;
  close(): Promise<void>;
}

export function startInterrupts(): Interrupts {
  const worker = new Worker(new URL('./fault-signal-worker.js', import.meta.url));
  let nextSignal = 0;
  const signals = new Map<number, (firedAt: number) => void>();
  worker.on('message', (m: { id: number; firedAt: number }) => signals.get(m.id)?.(m.firedAt));
  return {
    fire: (inject) =>
      new Promise<number>((resolve) => {
        const id = nextSignal++;
        signals.set(id, (firedAt) => {
          signals.delete(id);
          inject();
          resolve(firedAt);
        });
        worker.postMessage({ id, delayMs: Math.random() * 20 });
      }),
    close: async () => {
      await worker.terminate();
    },
  };
}
