// Over-temperature: derate first, then stop (reference A5, OpenEVSE steps, with hysteresis).

import type { TemperatureSensor } from '../../hal/interfaces.js';
import { nextDerateLevel, type DerateLevel, type DerateThresholds } from '../../state-machines/current-limit.js';
import type { FaultName } from '../../state-machines/faults.js';
import type { FaultReporter } from './fault-reporter.js';

export class TemperatureGuard {
  private level: DerateLevel = 'none';
  private readonly unsubscribe: () => void;

  constructor(
    private readonly sensor: TemperatureSensor,
    private readonly thresholds: DerateThresholds,
    private readonly faults: { readonly overTemperature: FaultName; readonly sensorFailure: FaultName | null },
    private readonly reporter: FaultReporter,
    private readonly onLevel: (level: DerateLevel) => void,
  ) {
    this.unsubscribe = sensor.onChange((value) => this.evaluate(value));
    this.evaluate(sensor.read());
  }

  get derateLevel(): DerateLevel {
    return this.level;
  }

  dispose(): void {
    this.unsubscribe();
  }

  private evaluate(temperatureC: number | null): void {
    const { reporter, faults } = this;
    if (temperatureC === null) {
      // An unreadable sensor cannot vouch for the plug: stop, as if too hot.
      if (faults.sensorFailure) reporter.raise(faults.sensorFailure, { location: this.sensor.location });
      return;
    }
    if (faults.sensorFailure) reporter.clear(faults.sensorFailure);
    const previous = this.level;
    this.level = nextDerateLevel(previous, temperatureC, this.thresholds);
    if (this.level === previous) return;
    if (this.level === 'stop') {
      reporter.raise(faults.overTemperature, { temperatureC, stopC: this.thresholds.temperatureStopC, location: this.sensor.location });
    } else if (previous === 'stop') {
      reporter.clear(faults.overTemperature);
    }
    this.onLevel(this.level);
  }
}
