// Sim drivers for the station's sensing inputs: residual current monitor, temperature
// sensors, emergency stop and protective-earth monitor. They report what they are set to.

import type {
  EmergencyStop,
  GroundMonitor,
  Listener,
  ResidualCurrentMonitor,
  ResidualCurrentTrip,
  TemperatureLocation,
  TemperatureSensor,
  Unsubscribe,
} from '../interfaces.js';
import { Listeners } from '../listeners.js';
import type { SimTimers } from './sim-timers.js';

/** Duration of the module's self-test (test current injected, trip and recovery checked). */
export const RCD_SELF_TEST_MS = 100;

export class SimResidualCurrentMonitor implements ResidualCurrentMonitor {
  private acFault = false;
  private dcFault = false;
  private selfTestFails = false;
  private trip: ResidualCurrentTrip | null = null;
  private readonly listeners = new Listeners<ResidualCurrentTrip | null>();

  constructor(private readonly timers: SimTimers) {}

  readTrip(): ResidualCurrentTrip | null {
    return this.trip;
  }

  onTrip(listener: Listener<ResidualCurrentTrip | null>): Unsubscribe {
    return this.listeners.subscribe(listener);
  }

  selfTest(): Promise<boolean> {
    return new Promise((resolve) => {
      const handle = this.timers.after(RCD_SELF_TEST_MS, () => resolve(!this.selfTestFails));
      if (handle === undefined) resolve(false); // board closed
    });
  }

  /** A residual current of this kind flows (true) or stopped (false). DC is reported when both flow. */
  setResidual(kind: ResidualCurrentTrip, present: boolean): void {
    if (kind === 'ac') this.acFault = present;
    else this.dcFault = present;
    const trip: ResidualCurrentTrip | null = this.dcFault ? 'dc' : this.acFault ? 'ac' : null;
    if (trip === this.trip) return;
    this.trip = trip;
    this.listeners.emit(trip);
  }

  setSelfTestFails(fails: boolean): void {
    this.selfTestFails = fails;
  }
}

export class SimTemperatureSensor implements TemperatureSensor {
  private readonly listeners = new Listeners<number | null>();

  constructor(
    readonly location: TemperatureLocation,
    private value: number | null,
  ) {}

  read(): number | null {
    return this.value;
  }

  onChange(listener: Listener<number | null>): Unsubscribe {
    return this.listeners.subscribe(listener);
  }

  set(value: number | null): void {
    if (value === this.value) return;
    this.value = value;
    this.listeners.emit(value);
  }
}

/** A two-state input that notifies on change. */
class SimBinaryInput {
  private readonly listeners = new Listeners<boolean>();

  constructor(protected value: boolean) {}

  onChange(listener: Listener<boolean>): Unsubscribe {
    return this.listeners.subscribe(listener);
  }

  set(value: boolean): void {
    if (value === this.value) return;
    this.value = value;
    this.listeners.emit(value);
  }
}

export class SimEmergencyStop extends SimBinaryInput implements EmergencyStop {
  constructor() {
    super(false);
  }

  isPressed(): boolean {
    return this.value;
  }
}

export class SimGroundMonitor extends SimBinaryInput implements GroundMonitor {
  constructor() {
    super(true);
  }

  isPresent(): boolean {
    return this.value;
  }
}
