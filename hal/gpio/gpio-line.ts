// One GPIO line through the kernel's sysfs interface (the `onoff` package). Everything above
// this file speaks of lines as "asserted" or not; the wiring's polarity (activeLow) stays here.
//
// Inputs are interrupt-driven (onoff's watch on both edges) and debounced here, on the injected
// clock: a change counts once the line has been quiet for `debounceMs` (OpenEVSE: every input
// has a debounce time). A line that keeps chattering for CHATTER_LIMIT_FACTOR × debounceMs
// reads as not asserted until it settles: with the firmware's wiring rule (the healthy or
// confirmed state asserts the line) a loose wire must not hide an alarm behind its debounce.
//
// A failed write throws OutputWriteError (hal/interfaces.ts): most outputs are safety outputs
// (contactor coil, lock motors), and a coil that cannot be written is a fault the firmware must
// act on (it fails safe: app/safety/fail-safe.ts opens every coil through the board's safe-state
// release, which writes the lines' value files directly). Outputs whose loss is harmless (LEDs)
// catch it. A failed read is counted (readErrors) and an unreadable input reads as not asserted.

import type { BinaryValue, Direction, Edge, Gpio } from 'onoff';
import { systemClock, type Clock, type TimerHandle } from '../clock.js';
import { HardwareUnavailableError, loadHardwarePackage } from '../hardware-packages.js';
import { OutputWriteError, type Listener, type Unsubscribe } from '../interfaces.js';
import { Listeners } from '../listeners.js';

export type OnoffModule = typeof import('onoff');

export interface GpioLineOptions {
  /** The kernel's GPIO number (the N of /sys/class/gpio/gpioN). */
  readonly line: number;
  /** The line is asserted when the pin is low. */
  readonly activeLow?: boolean;
}

/** What a line's open needs from outside: the package (tests inject a fake) and, for inputs, the clock. */
export interface GpioDeps {
  readonly onoff?: OnoffModule;
  /** Times the input debounce; the system clock unless given. */
  readonly clock?: Clock;
}

/** An input that chatters this many debounce times in a row reads as not asserted. */
export const CHATTER_LIMIT_FACTOR = 4;

const SYSFS_GPIO = '/sys/class/gpio';

export function gpioPath(line: number): string {
  return `${SYSFS_GPIO}/gpio${line}`;
}

export class GpioOutput {
  private current = false;
  private closed = false;
  private errors = 0;

  private constructor(
    private readonly gpio: Gpio,
    readonly line: number,
    /** What the line drives, for the error's message. */
    private readonly device: string,
  ) {}

  /** Exports the line as an output, de-asserted from the first instant. */
  static async open(options: GpioLineOptions, device: string, deps?: GpioDeps): Promise<GpioOutput> {
    // 'high'/'low' set the direction and the raw level in one write, so the pin never glitches
    // to the asserted level on its way to output.
    const gpio = await openLine(options, device, options.activeLow ? 'high' : 'low', 'none', deps);
    const output = new GpioOutput(gpio, options.line, device);
    output.set(false);
    return output;
  }

  /** The last value commanded. */
  get asserted(): boolean {
    return this.current;
  }

  /** Writes that failed since open. */
  get writeErrors(): number {
    return this.errors;
  }

  /**
   * The line's sysfs value file. Writing "0" to it de-asserts the line whatever its polarity
   * (onoff sets the kernel's active_low), with no driver object: the safe-state release does that.
   */
  get valueFile(): string {
    return `${gpioPath(this.line)}/value`;
  }

  /** Throws OutputWriteError when the write fails (the command is remembered all the same). */
  set(asserted: boolean): void {
    this.current = asserted;
    if (this.closed) return;
    try {
      this.gpio.writeSync(asserted ? 1 : 0);
    } catch (error) {
      this.errors += 1;
      throw new OutputWriteError(this.device, this.valueFile, describe(error));
    }
  }

  /** De-asserts the line and releases it. Idempotent; never throws (the line may already be gone). */
  close(): void {
    if (this.closed) return;
    try {
      this.set(false);
    } catch {
      // Counted; the safe-state release writes the value file again on the way out.
    }
    this.closed = true;
    try {
      this.gpio.unexport();
    } catch {
      // Already gone: nothing left to release.
    }
  }
}

export class GpioInput {
  private stable: boolean;
  private settleTimer: TimerHandle | null = null;
  private unsettledSince: number | null = null;
  private closed = false;
  private errors = 0;
  private readonly listeners = new Listeners<boolean>();
  private readonly onEdge = (error: Error | null | undefined): void => this.edge(error);

  private constructor(
    private readonly gpio: Gpio,
    readonly line: number,
    private readonly debounceMs: number,
    private readonly clock: Clock,
  ) {
    this.stable = this.sample();
    gpio.watch(this.onEdge);
  }

  /** Exports the line as an input with interrupts on both edges; reads its level at once. */
  static async open(options: GpioLineOptions & { debounceMs: number }, device: string, deps?: GpioDeps): Promise<GpioInput> {
    if (!(Number.isFinite(options.debounceMs) && options.debounceMs >= 0)) {
      throw new RangeError(`${device}: debounceMs must be a number ≥ 0 (got ${options.debounceMs})`);
    }
    const gpio = await openLine(options, device, 'in', 'both', deps);
    try {
      return new GpioInput(gpio, options.line, options.debounceMs, deps?.clock ?? systemClock);
    } catch (error) {
      try {
        gpio.unexport();
      } catch {
        // Best effort: the open failed anyway.
      }
      throw new HardwareUnavailableError(device, gpioPath(options.line), `cannot watch the line for edges: ${describe(error)}`);
    }
  }

  /** The debounced level: true when asserted. */
  read(): boolean {
    return this.stable;
  }

  /** Hears every debounced change. */
  onChange(listener: Listener<boolean>): Unsubscribe {
    return this.listeners.subscribe(listener);
  }

  /** Reads (and interrupt errors) that failed since open. */
  get readErrors(): number {
    return this.errors;
  }

  /** Stops watching and releases the line. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.cancelSettle();
    try {
      this.gpio.unwatchAll();
      this.gpio.unexport();
    } catch {
      // Already gone: nothing left to release.
    }
  }

  private edge(error: Error | null | undefined): void {
    if (this.closed) return;
    if (error) this.errors += 1;
    if (this.debounceMs === 0) {
      this.accept(this.sample());
      return;
    }
    const now = this.clock.now();
    this.unsettledSince ??= now;
    if (now - this.unsettledSince >= CHATTER_LIMIT_FACTOR * this.debounceMs) this.accept(false);
    this.cancelSettle();
    this.settleTimer = this.clock.setTimeout(() => {
      this.settleTimer = null;
      this.unsettledSince = null;
      this.accept(this.sample());
    }, this.debounceMs);
  }

  private cancelSettle(): void {
    if (this.settleTimer !== null) this.clock.clearTimeout(this.settleTimer);
    this.settleTimer = null;
  }

  /** The line now, undebounced; an unreadable line reads as not asserted. */
  private sample(): boolean {
    try {
      return (this.gpio.readSync() as BinaryValue) === 1;
    } catch {
      this.errors += 1;
      return false;
    }
  }

  private accept(asserted: boolean): void {
    if (asserted === this.stable) return;
    this.stable = asserted;
    this.listeners.emit(asserted);
  }
}

async function openLine(
  options: GpioLineOptions,
  device: string,
  direction: Direction,
  edge: Edge,
  deps: GpioDeps | undefined,
): Promise<Gpio> {
  const { line } = options;
  if (!(Number.isInteger(line) && line >= 0)) throw new RangeError(`${device}: GPIO line must be a whole number ≥ 0 (got ${line})`);
  const path = gpioPath(line);
  const onoff = deps?.onoff ?? (await loadHardwarePackage<OnoffModule>('onoff', device, path));
  if (!onoff.Gpio.accessible) {
    throw new HardwareUnavailableError(
      device,
      path,
      `gpio${line}: the sysfs GPIO interface (${SYSFS_GPIO}) is missing or not writable by this user ` +
        '(a kernel without CONFIG_GPIO_SYSFS, or a user outside the gpio group)',
    );
  }
  try {
    return new onoff.Gpio(line, direction, edge, { activeLow: options.activeLow ?? false });
  } catch (error) {
    throw new HardwareUnavailableError(device, path, `gpio${line} cannot be exported: ${exportFailure(error)}`);
  }
}

function exportFailure(error: unknown): string {
  switch ((error as NodeJS.ErrnoException).code) {
    case 'EBUSY':
      return 'the line is in use (claimed by a kernel driver or another process)';
    case 'EINVAL':
      return 'no such line on this SoC';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied (run as a user in the gpio group)';
    case 'ENOENT':
      return `its sysfs entry is missing (${describe(error)})`;
    default:
      return describe(error);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
