// The Linux watchdog device (/dev/watchdog, Documentation/watchdog/watchdog-api.rst): once opened
// it resets the SoC unless written to within its timeout (set by the kernel or device tree). Any
// write is a kick; writing 'V' before closing is the "magic close" that disarms it on a clean exit
// (a driver built with nowayout stays armed whatever). A process that dies without the magic
// close leaves it armed: the SoC resets, and every GPIO line with it.

import { closeSync, constants, openSync, writeSync } from 'node:fs';
import { HardwareUnavailableError } from '../hardware-packages.js';
import type { HardwareWatchdog } from '../interfaces.js';

/** Kicking byte: anything but the magic 'V'. */
const KICK = Buffer.from([0]);
const MAGIC_CLOSE = Buffer.from('V');

export class LinuxWatchdog implements HardwareWatchdog {
  private fd: number | null;

  private constructor(
    fd: number,
    readonly device: string,
  ) {
    this.fd = fd;
  }

  /** Opens (and so arms) the device; throws HardwareUnavailableError naming it when it cannot. */
  static open(device: string): LinuxWatchdog {
    try {
      return new LinuxWatchdog(openSync(device, constants.O_WRONLY), device); // never O_CREAT: a missing device is no file to make
    } catch (error) {
      throw new HardwareUnavailableError('hardware watchdog', device, (error as Error).message);
    }
  }

  /** Throws when the write fails: the SoC will reset, and the caller should know why. */
  kick(): void {
    if (this.fd === null) return;
    writeSync(this.fd, KICK);
  }

  /** Magic close: disarms it. Idempotent; never throws (a watchdog that stays armed resets the SoC, which is safe). */
  close(): void {
    if (this.fd === null) return;
    const fd = this.fd;
    this.fd = null;
    try {
      writeSync(fd, MAGIC_CLOSE);
    } catch {
      // Stays armed.
    }
    try {
      closeSync(fd);
    } catch {
      // Already closed.
    }
  }
}
