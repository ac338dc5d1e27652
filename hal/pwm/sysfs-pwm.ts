// One PWM channel through the kernel's sysfs interface (/sys/class/pwm/pwmchipN/pwmM/):
// `export`, then `period`, `duty_cycle` (both in ns) and `enable`.
//
// Why synchronous writes. Each write is a few bytes to a sysfs attribute: the kernel hands it
// straight to the PWM driver's register update, with no disk and no queue behind it, so it
// costs microseconds. Writing synchronously keeps the writes in order without any machinery,
// and means the new duty is on the pin when setDutyPercent returns: the control pilot's −12 V
// (state F) and the removal of the PWM are in effect before the caller moves on, which the
// contactor and state-F timings rely on. An async queue would add event-loop latency and report
// a failure after the caller had already assumed success. A failed write throws OutputWriteError
// (hal/interfaces.ts): the control pilot is a safety output, and a pilot that cannot be set is a
// fault the firmware fails safe on (app/safety/fail-safe.ts). It is also counted in `writeErrors`.
//
// Opening happens once at boot; waiting for the channel directory to appear after `export` (udev
// may still be setting its permissions) uses real time, bounded by EXPORT_WAIT_MS.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { HardwareUnavailableError } from '../hardware-packages.js';
import { OutputWriteError } from '../interfaces.js';

export const SYSFS_PWM_ROOT = '/sys/class/pwm';
/** How long the channel directory may take to appear, writable, after `export`. */
export const EXPORT_WAIT_MS = 1000;
const EXPORT_POLL_MS = 5;

export interface SysfsPwmOptions {
  readonly chip: number;
  readonly channel: number;
  readonly frequencyHz: number;
}

export class SysfsPwm {
  private duty = 0;
  private closed = false;
  private errors = 0;

  private constructor(
    /** The channel's directory, e.g. /sys/class/pwm/pwmchip0/pwm0. */
    readonly path: string,
    private readonly chipPath: string,
    private readonly channel: number,
    /** The period, in ns. */
    readonly periodNs: number,
    /** What the channel drives, for the error's message. */
    private readonly device: string,
  ) {}

  /**
   * Exports the channel, sets its period, starts it at 0 % duty (on the control pilot's ±12 V
   * stage: steady −12 V, "EVSE not available") and enables it.
   */
  static async open(options: SysfsPwmOptions, device: string, root: string = SYSFS_PWM_ROOT): Promise<SysfsPwm> {
    const { chip, channel, frequencyHz } = options;
    if (!(Number.isInteger(chip) && chip >= 0)) throw new RangeError(`${device}: PWM chip must be a whole number ≥ 0 (got ${chip})`);
    if (!(Number.isInteger(channel) && channel >= 0)) throw new RangeError(`${device}: PWM channel must be a whole number ≥ 0 (got ${channel})`);
    if (!(Number.isFinite(frequencyHz) && frequencyHz > 0 && frequencyHz <= 1e9)) {
      throw new RangeError(`${device}: PWM frequency must be between 0 and 1 GHz (got ${frequencyHz})`);
    }
    const chipPath = join(root, `pwmchip${chip}`);
    const path = join(chipPath, `pwm${channel}`);
    const refuse = (at: string, reason: string): HardwareUnavailableError => new HardwareUnavailableError(device, at, reason);

    if (!existsSync(chipPath)) {
      throw refuse(chipPath, `no such PWM chip (is the PWM enabled in the device tree, e.g. a pwm overlay?)`);
    }
    const available = readNumber(join(chipPath, 'npwm'));
    if (available !== null && channel >= available) {
      throw refuse(path, `pwmchip${chip} has ${available} channel(s): no channel ${channel}`);
    }
    if (!existsSync(path)) {
      try {
        writeFileSync(join(chipPath, 'export'), String(channel));
      } catch (error) {
        throw refuse(path, `cannot export channel ${channel}: ${describe(error)}`);
      }
      if (!(await appears(join(path, 'enable')))) {
        throw refuse(path, `channel ${channel} did not appear within ${EXPORT_WAIT_MS} ms of its export`);
      }
    }

    const periodNs = Math.round(1e9 / frequencyHz);
    const pwm = new SysfsPwm(path, chipPath, channel, periodNs, device);
    try {
      // Disabled while configured; duty 0 first, so that it is never above the new period.
      pwm.write('enable', '0');
      pwm.write('duty_cycle', '0');
      pwm.write('period', String(periodNs));
      pwm.ensureNormalPolarity();
      pwm.write('duty_cycle', '0');
      pwm.write('enable', '1');
    } catch (error) {
      throw refuse(path, `cannot configure the channel: ${describe(error)}`);
    }
    return pwm;
  }

  /** The duty last set, in percent (0–100). */
  get dutyPercent(): number {
    return this.duty;
  }

  /** Writes that failed since the channel was configured. */
  get writeErrors(): number {
    return this.errors;
  }

  /** The channel's duty_cycle file: writing "0" leaves the output low, with no driver object (the safe-state release). */
  get dutyCycleFile(): string {
    return join(this.path, 'duty_cycle');
  }

  /**
   * Sets the duty cycle (0 % = always low, 100 % = always high). Never blocks on I/O; throws
   * OutputWriteError when the write fails.
   */
  setDutyPercent(percent: number): void {
    if (!(percent >= 0 && percent <= 100)) throw new RangeError(`PWM duty ${percent} % is outside 0–100 %`);
    this.duty = percent;
    if (this.closed) return;
    try {
      this.write('duty_cycle', String(Math.round((this.periodNs * percent) / 100)));
    } catch (error) {
      this.errors += 1;
      throw new OutputWriteError(this.device, this.dutyCycleFile, describe(error));
    }
  }

  /** Leaves the output low (0 % duty), disables and unexports the channel. Idempotent; never throws. */
  async close(): Promise<void> {
    if (this.closed) return;
    try {
      this.setDutyPercent(0);
    } catch {
      // Counted; the channel may already be gone.
    }
    this.closed = true;
    for (const step of [() => this.write('enable', '0'), () => writeFileSync(join(this.chipPath, 'unexport'), String(this.channel))]) {
      try {
        step();
      } catch {
        // Best effort: the channel may already be gone.
      }
    }
  }

  private write(attribute: string, value: string): void {
    writeFileSync(join(this.path, attribute), value);
  }

  /** A channel left inverted by an earlier user would turn the pilot upside down. */
  private ensureNormalPolarity(): void {
    const file = join(this.path, 'polarity');
    if (!existsSync(file)) return; // the driver has no polarity control: it is normal
    if (readFileSync(file, 'utf8').trim() === 'normal') return;
    writeFileSync(file, 'normal');
    const now = readFileSync(file, 'utf8').trim();
    if (now !== 'normal') throw new Error(`polarity stays "${now}" after writing "normal"`);
  }
}

/** Waits (real time, bounded) for a sysfs file to exist and be writable. */
async function appears(file: string): Promise<boolean> {
  const deadline = Date.now() + EXPORT_WAIT_MS;
  for (;;) {
    if (existsSync(file)) {
      try {
        writeFileSync(file, '0');
        return true;
      } catch {
        // Not writable yet: udev is still setting the permissions.
      }
    }
    if (Date.now() >= deadline) return false;
    await sleep(EXPORT_POLL_MS);
  }
}

function readNumber(file: string): number | null {
  try {
    const value = Number.parseInt(readFileSync(file, 'utf8'), 10);
    return Number.isInteger(value) ? value : null;
  } catch {
    return null;
  }
}

function describe(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  const message = error instanceof Error ? error.message : String(error);
  return code && !message.startsWith(code) ? `${code}: ${message}` : message;
}
