// Every watchdog of a running charger, started and stopped together: the event-loop watchdog
// (a worker thread that releases the outputs when the loop stalls, then the fail-safe path), and
// the watchdogs outside the process, the SoC's hardware watchdog and systemd's, kicked from the
// control loop only while it is healthy.

import type { SafeStateRelease } from '../../hal/interfaces.js';
import { LinuxWatchdog } from '../../hal/watchdog/linux-watchdog.js';
import type { FailSafe } from './fail-safe.js';
import { HARDWARE_WATCHDOG_KICK_MS, LivenessKicks, type KickTarget } from './liveness-kicks.js';
import { LOOP_STALL_LIMIT_MS, LoopWatchdog } from './loop-watchdog.js';
import { SystemdNotifier, SystemdNotifyUnavailableError } from './systemd-notify.js';

export interface WatchdogsOptions {
  readonly release: SafeStateRelease;
  readonly failSafe: FailSafe;
  /** The board profile's hardware watchdog device; null: none. */
  readonly hardwareWatchdogDevice: string | null;
  readonly env: NodeJS.ProcessEnv;
  readonly log: (level: 'info' | 'error', message: string, fields?: Record<string, unknown>) => void;
}

export interface Watchdogs {
  /** The control loop runs from now on: the event-loop watchdog watches, the kicks and READY=1 begin. */
  arm(): void;
  /** Clean stop: kicks end, the hardware watchdog is disarmed (magic close), the worker ends. */
  stop(): Promise<void>;
}

/**
 * Starts the worker and opens the devices, without arming anything yet (so that it can overlap
 * the rest of the start). Throws HardwareUnavailableError when the hardware watchdog device
 * cannot be opened.
 */
export async function startWatchdogs(options: WatchdogsOptions): Promise<Watchdogs> {
  const { failSafe, log } = options;
  const loop = await LoopWatchdog.start({
    release: options.release,
    onStall: (stall) => failSafe.trip({
      source: 'eventLoopStall',
      where: 'event loop',
      error: `no heartbeat since ${new Date(stall.lastBeatAt).toISOString()}; outputs released by the watchdog thread ${Math.round(stall.releasedAt - stall.lastBeatAt)} ms after it`,
    }),
  });
  let hardware: LinuxWatchdog | null = null;
  let systemd: SystemdNotifier | null = null;
  try {
    hardware = options.hardwareWatchdogDevice ? LinuxWatchdog.open(options.hardwareWatchdogDevice) : null;
    systemd = await SystemdNotifier.fromEnv(options.env);
  } catch (error) {
    if (!(error instanceof SystemdNotifyUnavailableError)) {
      hardware?.close();
      await loop.stop();
      throw error;
    }
    // Not a refusal: NOTIFY_SOCKET is inherited by anything a notify service starts (a CI runner's
    // tests too). Under a unit that really waits for it, systemd's own timeout follows this line.
    log('error', `${error.message}: no READY=1 or WATCHDOG=1 will be sent`);
  }

  const targets: KickTarget[] = [];
  if (hardware) {
    const device = hardware;
    targets.push({ name: 'hardware watchdog', intervalMs: HARDWARE_WATCHDOG_KICK_MS, kick: () => device.kick() });
  }
  if (systemd?.watchdogIntervalMs) {
    const notifier = systemd;
    targets.push({ name: 'systemd watchdog', intervalMs: systemd.watchdogIntervalMs, kick: () => notifier.watchdog() });
  }
  let kicks: LivenessKicks | null = null;

  return {
    arm() {
      if (kicks) return;
      loop.arm();
      kicks = new LivenessKicks(() => !loop.fired && failSafe.fault === null, targets);
      systemd?.ready();
    },
    async stop() {
      kicks?.stop();
      hardware?.close();
      systemd?.close();
      await loop.stop();
      log('info', 'event-loop watchdog stopped', { longestHeartbeatGapMs: Math.round(loop.longestGapMs), limitMs: LOOP_STALL_LIMIT_MS });
    },
  };
}
