// How long a diagnostics connection may sit idle or take over a request, and how many may
// be open at once: a client that connects and goes quiet, or sends a body a byte at a
// time, is cut off instead of holding a socket for ever. Documented in the README
// ("Diagnostics API", "Connection limits").

export interface DiagnosticsLimits {
  /** No bytes either way for this long: the socket is closed (also a connection that never sends a request). */
  readonly idleTimeoutMs: number;
  /** The request line and headers must be in within this long of the first byte: else 408 and closed. */
  readonly headersTimeoutMs: number;
  /** The whole request, body included, must be in within this long: else 408 and closed. */
  readonly requestTimeoutMs: number;
  /** After an answer, a kept-alive connection waits this long for the next request. */
  readonly keepAliveTimeoutMs: number;
  /** How often the header and request deadlines are checked (their resolution). */
  readonly timeoutCheckIntervalMs: number;
  /** Connections open at once; one more is closed as soon as it is accepted, and logged. */
  readonly maxConnections: number;
}

export const DEFAULT_DIAGNOSTICS_LIMITS: DiagnosticsLimits = {
  idleTimeoutMs: 30_000,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  timeoutCheckIntervalMs: 1_000,
  maxConnections: 32,
};

/** Fills in the defaults and refuses values Node would misread (0 means "no timeout" there). */
export function resolveLimits(overrides: Partial<DiagnosticsLimits> = {}): DiagnosticsLimits {
  const limits = { ...DEFAULT_DIAGNOSTICS_LIMITS, ...overrides };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isInteger(value) || value < 1) {
      throw new Error(`diagnostics limit ${name} must be a whole number ≥ 1, got ${String(value)}`);
    }
  }
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) {
    throw new Error(
      `diagnostics limit headersTimeoutMs (${limits.headersTimeoutMs}) must not exceed requestTimeoutMs (${limits.requestTimeoutMs})`,
    );
  }
  return limits;
}
