// Mocha fails the running test on any uncaughtException. A test that expects one (a driver
// listener's bug taking the fail-safe path, hal/listeners.ts) sets mocha's handlers aside and
// collects the errors instead, then gives them back.

export interface UncaughtCatcher {
  /** What reached the process as an uncaughtException since catchUncaught(), in order. */
  readonly errors: unknown[];
  /** Gives the process its own handlers back. */
  restore(): void;
}

export function catchUncaught(): UncaughtCatcher {
  const saved = process.listeners('uncaughtException');
  const errors: unknown[] = [];
  const hear = (error: unknown): void => {
    errors.push(error);
  };
  process.removeAllListeners('uncaughtException');
  process.on('uncaughtException', hear);
  return {
    errors,
    restore: () => {
      process.off('uncaughtException', hear);
      for (const listener of saved) process.on('uncaughtException', listener);
    },
  };
}
