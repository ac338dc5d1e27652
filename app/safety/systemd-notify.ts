// sd_notify(3) for the systemd service: READY=1 once the firmware has started, and WATCHDOG=1
// from the control loop while it is healthy when the unit sets WatchdogSec (systemd then passes
// WATCHDOG_USEC, and NOTIFY_SOCKET, in the environment). A firmware that stops notifying is killed
// by systemd (SIGABRT) and restarted.
//
// NOTIFY_SOCKET is a unix datagram socket, which node's `dgram` does not support; the datagram is
// sent through the `unix-dgram` package (a maintained native addon, loaded only when systemd asks
// for notifications). Spawning `systemd-notify` instead would send from another PID, which systemd
// drops unless the unit sets NotifyAccess=all.

export const READY = 'READY=1';
export const WATCHDOG = 'WATCHDOG=1';

/** Sends one datagram to a unix socket (an abstract one when the path starts with '@'). */
export interface DatagramSender {
  send(socketPath: string, message: Buffer): void;
  close(): void;
}

export class SystemdNotifyUnavailableError extends Error {
  override readonly name = 'SystemdNotifyUnavailableError';
}

export class SystemdNotifier {
  private constructor(
    private readonly socketPath: string,
    private readonly sender: DatagramSender,
    /** Half of WatchdogSec, as sd_watchdog_enabled(3) advises; null when the unit has no watchdog. */
    readonly watchdogIntervalMs: number | null,
  ) {}

  /**
   * Null when not run by systemd with notifications (no NOTIFY_SOCKET). Throws
   * SystemdNotifyUnavailableError when systemd asks for them and they cannot be sent.
   */
  static async fromEnv(env: NodeJS.ProcessEnv, loadSender: () => Promise<DatagramSender> = loadUnixDgramSender): Promise<SystemdNotifier | null> {
    const socketPath = env.NOTIFY_SOCKET;
    if (!socketPath) return null;
    const watchdogUs = env.WATCHDOG_USEC ? Number(env.WATCHDOG_USEC) : null;
    // WATCHDOG_PID, when set, names the process the watchdog is meant for (sd_watchdog_enabled(3)).
    const forUs = !env.WATCHDOG_PID || Number(env.WATCHDOG_PID) === process.pid;
    const intervalMs = watchdogUs !== null && Number.isFinite(watchdogUs) && watchdogUs > 0 && forUs ? watchdogUs / 1000 / 2 : null;
    return new SystemdNotifier(socketPath, await loadSender(), intervalMs);
  }

  ready(): void {
    this.notify(READY);
  }

  watchdog(): void {
    this.notify(WATCHDOG);
  }

  close(): void {
    this.sender.close();
  }

  private notify(message: string): void {
    this.sender.send(this.socketPath, Buffer.from(message));
  }
}

interface UnixDgramSocket {
  send(buffer: Buffer, offset: number, length: number, path: string, callback?: (error?: Error) => void): void;
  close(): void;
  on(event: 'error', listener: (error: Error) => void): void;
}

async function loadUnixDgramSender(): Promise<DatagramSender> {
  let module: { createSocket(type: 'unix_dgram'): UnixDgramSocket };
  try {
    const name = 'unix-dgram'; // optional: present only where systemd runs the firmware
    module = (await import(name)) as typeof module;
  } catch (error) {
    throw new SystemdNotifyUnavailableError(
      `NOTIFY_SOCKET is set (systemd Type=notify or WatchdogSec) but the npm package "unix-dgram" cannot be loaded: ${(error as Error).message}`,
    );
  }
  const socket = module.createSocket('unix_dgram');
  socket.on('error', () => {}); // a lost notification shows as systemd's own timeout
  return {
    // An abstract socket's name starts with '@' in NOTIFY_SOCKET and with a NUL byte on the wire.
    send: (path, message) => socket.send(message, 0, message.length, path.startsWith('@') ? `\0${path.slice(1)}` : path),
    close: () => socket.close(),
  };
}
