// The watchdogs outside the process (the SoC's hardware watchdog, systemd's WatchdogSec) are
// kicked from the control loop, and only while it is healthy: a timer on the event loop, so a
// stalled loop kicks nothing, and a check of health before each kick, so a loop that runs again
// after a fault (event-loop watchdog fired, fail-safe path taken) kicks nothing either.

/**
 * How often the hardware watchdog is kicked. Linux watchdog timeouts are whole seconds (the
 * WDIOC_SETTIMEOUT unit, Documentation/watchdog/watchdog-api.rst), commonly 10–60 s on SoCs: a
 * kick a second keeps any of them far from expiry while the loop is healthy.
 */
export const HARDWARE_WATCHDOG_KICK_MS = 1000;

export interface KickTarget {
  readonly name: string;
  readonly intervalMs: number;
  kick(): void;
}

export class LivenessKicks {
  private readonly timers: NodeJS.Timeout[];

  constructor(healthy: () => boolean, targets: readonly KickTarget[]) {
    this.timers = targets.map((target) => {
      const kick = () => {
        if (healthy()) target.kick();
      };
      kick();
      const timer = setInterval(kick, target.intervalMs);
      timer.unref();
      return timer;
    });
  }

  stop(): void {
    for (const timer of this.timers) clearInterval(timer);
  }
}
