// Reconnect delays. OCPP-J 1.6 errata §3.3: after a refusal (HTTP 404, and by extension any failed
// connect) the charge point "SHALL retry with an appropriate back-off mechanism to prevent overloading
// the Central System". Exponential growth bounds the load; the jitter keeps a fleet that lost the
// backend at the same instant from reconnecting in lock-step.

export interface BackoffOptions {
  readonly initialMs: number;
  readonly maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 1000, maxMs: 60_000 };

/** ±25 % around the exponential step. */
const JITTER = 0.25;

export class Backoff {
  private attempt = 0;

  constructor(
    private readonly options: BackoffOptions,
    private readonly random: () => number = Math.random,
  ) {
    if (!(options.initialMs > 0) || !(options.maxMs >= options.initialMs)) {
      throw new RangeError(`backoff needs 0 < initialMs <= maxMs (got ${options.initialMs}..${options.maxMs})`);
    }
  }

  /** The delay before the next attempt: initialMs × 2^n with jitter, never above maxMs. */
  next(): number {
    const { initialMs, maxMs } = this.options;
    const step = Math.min(maxMs, initialMs * 2 ** this.attempt);
    if (step < maxMs) this.attempt++;
    const jittered = step * (1 - JITTER + 2 * JITTER * this.random());
    return Math.round(Math.min(maxMs, jittered));
  }

  /** After a connection that held: the next failure starts again from initialMs. */
  reset(): void {
    this.attempt = 0;
  }
}
