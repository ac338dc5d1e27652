// Fail-safe safety inputs. Wiring rule: the healthy state ASSERTS the input, so a broken wire,
// a loose connector or an unpowered sensing circuit reads as the unsafe state (OpenEVSE: safety
// inputs fail safe). E-stop: a normally-closed contact chain that holds the input asserted until
// pressed. Ground monitor: its "PE present" output. RCD module: one "healthy" output per trip kind.
// Translation only: the app decides what a pressed stop or a trip means.

import type { Clock, TimerHandle } from '../clock.js';
import type {
  EmergencyStop,
  GroundMonitor,
  Listener,
  ResidualCurrentMonitor,
  ResidualCurrentTrip,
  Unsubscribe,
} from '../interfaces.js';
import type { GpioInput, GpioOutput } from './gpio-line.js';
import { Listeners } from '../listeners.js';

export class GpioEmergencyStop implements EmergencyStop {
  /** @param healthy asserted while the stop chain is closed (not pressed) */
  constructor(private readonly healthy: GpioInput) {}

  isPressed(): boolean {
    return !this.healthy.read();
  }

  onChange(listener: Listener<boolean>): Unsubscribe {
    return this.healthy.onChange((ok) => listener(!ok));
  }
}

export class GpioGroundMonitor implements GroundMonitor {
  /** @param healthy asserted while protective earth is present */
  constructor(private readonly healthy: GpioInput) {}

  isPresent(): boolean {
    return this.healthy.read();
  }

  onChange(listener: Listener<boolean>): Unsubscribe {
    return this.healthy.onChange(listener);
  }
}

export interface ResidualCurrentLines {
  /** Asserted while no AC residual current (30 mA) trip. */
  readonly acHealthy: GpioInput;
  /** Asserted while no smooth DC residual current (6 mA) trip. */
  readonly dcHealthy: GpioInput;
  /** Energises the module's test winding (injects the test current). */
  readonly testCoil: GpioOutput;
}

export interface ResidualCurrentSelfTestOptions {
  /** The AC trip must assert within this long after the test coil is energised. */
  readonly selfTestTripWithinMs: number;
  /** Both outputs must be healthy again within this long after the coil is released. */
  readonly selfTestReleaseWithinMs: number;
}

/**
 * An RDC-DD module (IEC 62955) with two trip outputs and a test input. A DC trip is reported
 * when both trip (as the sim board does). During a self-test the trips it provokes are the test's
 * own: they are not reported; the outcome is the test's result, and the state after the test is
 * reported if it differs from before.
 */
export class GpioResidualCurrentMonitor implements ResidualCurrentMonitor {
  private reported: ResidualCurrentTrip | null;
  private running: Promise<boolean> | null = null;
  private abortWait: (() => void) | null = null;
  private readonly listeners = new Listeners<ResidualCurrentTrip | null>();
  private readonly unsubscribers: Unsubscribe[];

  constructor(
    private readonly lines: ResidualCurrentLines,
    private readonly clock: Clock,
    private readonly options: ResidualCurrentSelfTestOptions,
  ) {
    for (const [name, value] of Object.entries(options)) {
      if (!(Number.isFinite(value) && value > 0)) throw new RangeError(`RCD ${name} must be a number > 0 (got ${value})`);
    }
    this.releaseTestCoil();
    this.reported = this.live();
    const update = (): void => this.update();
    this.unsubscribers = [lines.acHealthy.onChange(update), lines.dcHealthy.onChange(update)];
  }

  readTrip(): ResidualCurrentTrip | null {
    return this.reported;
  }

  onTrip(listener: Listener<ResidualCurrentTrip | null>): Unsubscribe {
    return this.listeners.subscribe(listener);
  }

  /** Energise the test coil, see the AC trip, release, see both outputs recover. Never rejects. */
  selfTest(): Promise<boolean> {
    this.running ??= this.runSelfTest().finally(() => {
      this.running = null;
      this.update();
    });
    return this.running;
  }

  /** Ends a running self-test (as failed), releases the coil, stops listening. */
  close(): void {
    this.abortWait?.();
    this.releaseTestCoil();
    for (const unsubscribe of this.unsubscribers) unsubscribe();
  }

  private async runSelfTest(): Promise<boolean> {
    const { acHealthy, dcHealthy, testCoil } = this.lines;
    try {
      // A module already tripped cannot show that the test trips it.
      if (this.live() !== null) return false;
      testCoil.set(true);
      const tripped = await this.waitFor(() => !acHealthy.read(), this.options.selfTestTripWithinMs);
      testCoil.set(false);
      if (!tripped) return false;
      return await this.waitFor(() => acHealthy.read() && dcHealthy.read(), this.options.selfTestReleaseWithinMs);
    } catch {
      return false;
    } finally {
      this.releaseTestCoil();
    }
  }

  /** A test coil that cannot be written fails the self-test (above); it is not a safety output. */
  private releaseTestCoil(): void {
    try {
      this.lines.testCoil.set(false);
    } catch {
      // Counted in the line's writeErrors.
    }
  }

  /** Resolves true as soon as `condition` holds, false if it does not within `withinMs`. */
  private waitFor(condition: () => boolean, withinMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      if (condition()) {
        resolve(true);
        return;
      }
      const { acHealthy, dcHealthy } = this.lines;
      let timer: TimerHandle | null = null;
      const finish = (result: boolean): void => {
        if (timer !== null) this.clock.clearTimeout(timer);
        timer = null;
        unsubscribeAc();
        unsubscribeDc();
        this.abortWait = null;
        resolve(result);
      };
      const check = (): void => {
        if (condition()) finish(true);
      };
      const unsubscribeAc = acHealthy.onChange(check);
      const unsubscribeDc = dcHealthy.onChange(check);
      this.abortWait = () => finish(false);
      timer = this.clock.setTimeout(() => finish(condition()), withinMs);
    });
  }

  private live(): ResidualCurrentTrip | null {
    if (!this.lines.dcHealthy.read()) return 'dc';
    if (!this.lines.acHealthy.read()) return 'ac';
    return null;
  }

  private update(): void {
    if (this.running) return;
    const trip = this.live();
    if (trip === this.reported) return;
    this.reported = trip;
    this.listeners.emit(trip);
  }
}
