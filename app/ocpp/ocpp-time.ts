// The time we put into OCPP messages: the local clock, corrected by the backend's currentTime
// from BootNotification.conf and Heartbeat.conf (OCPP 1.6 §4.2, §4.6: the charge point
// should synchronise its clock with it). The firmware cannot set the system clock; it keeps an offset.
// A transaction's times keep one offset from its first message on (README "Transaction times";
// transactions/restamp.ts): listeners are told how far each setting moved the clock.

import type { Clock } from '../../hal/clock.js';

/**
 * A currentTime this close to our corrected time is no correction: it tells the backend's time
 * only to within the network's round trip, and following it would move every timestamp (and the
 * clock-aligned boundaries) by that jitter at each Heartbeat. As NTP steps its clock only past a threshold.
 */
export const CLOCK_STEP_THRESHOLD_MS = 1000;

export class OcppTime {
  private offsetMs = 0;
  private readonly listeners = new Set<(deltaMs: number) => void>();
  /** The local clock's timers, with the backend's time: for services that stamp what they send. */
  readonly clock: Clock;

  constructor(private readonly local: Clock) {
    this.clock = {
      now: () => local.now() + this.offsetMs,
      setTimeout: (callback, ms) => local.setTimeout(callback, ms),
      clearTimeout: (handle) => local.clearTimeout(handle),
      setInterval: (callback, ms) => local.setInterval(callback, ms),
      clearInterval: (handle) => local.clearInterval(handle),
    };
  }

  /** Local clock ms (or an ISO time of the local clock) as an OCPP timestamp. */
  iso(at: number | string = this.local.now()): string {
    const ms = typeof at === 'string' ? Date.parse(at) : at;
    return new Date(ms + this.offsetMs).toISOString();
  }

  adopt(currentTime: string): void {
    const backend = Date.parse(currentTime);
    if (!Number.isFinite(backend)) return;
    const offsetMs = backend - this.local.now();
    if (Math.abs(offsetMs - this.offsetMs) < CLOCK_STEP_THRESHOLD_MS) return;
    const deltaMs = offsetMs - this.offsetMs;
    this.offsetMs = offsetMs;
    for (const listener of this.listeners) listener(deltaMs);
  }

  /** Told whenever adopt() changes the offset, with how far it moved (ms); returns the unsubscribe. */
  onSet(listener: (deltaMs: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get offset(): number {
    return this.offsetMs;
  }
}
