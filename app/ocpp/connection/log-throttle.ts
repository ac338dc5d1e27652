// Bounds what a misbehaving backend can make the charger write to its log: a backend sending
// thousands of bad frames a second would otherwise fill the disk with one warning each. Each kind
// of line gets `perWindow` lines per window; the rest are counted, and the first line of the kind
// after its window ends says how many were left out. No timer: a count is told with the next line.

import type { Clock } from '../../../hal/clock.js';

export const LOG_LINES_PER_WINDOW = 20;
export const LOG_WINDOW_MS = 60_000;

interface Window {
  startedAt: number;
  written: number;
  suppressed: number;
}

export class LogThrottle {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly clock: Clock,
    private readonly perWindow = LOG_LINES_PER_WINDOW,
    private readonly windowMs = LOG_WINDOW_MS,
  ) {}

  /**
   * Whether a line of `kind` may be written now, and how many of that kind were left out in the
   * window just ended (to say with it).
   */
  admit(kind: string): { readonly write: boolean; readonly leftOut: number } {
    const now = this.clock.now();
    let window = this.windows.get(kind);
    let leftOut = 0;
    if (!window || now - window.startedAt >= this.windowMs) {
      leftOut = window?.suppressed ?? 0;
      window = { startedAt: now, written: 0, suppressed: 0 };
      this.windows.set(kind, window);
    }
    if (window.written >= this.perWindow) {
      window.suppressed++;
      return { write: false, leftOut };
    }
    window.written++;
    return { write: true, leftOut };
  }
}
