// Mains over- and under-voltage, from the meter's per-phase voltage (reference A5: EVerest
// MREC5/MREC6 → OCPP OverVoltage/UnderVoltage). Only the phases the connector uses count (a
// 1-phase connector is wired to L1). The meter must measure on the supply side of the contactor.
//
// A phase beyond the band (nominal −under % … nominal +over %, default ±10 %: the supply tolerance
// of IEC 60038 and EN 50160) for MAINS_VOLTAGE_DEBOUNCE_MS stops the connector; the fault clears
// once every phase has been back inside the band, narrowed by MAINS_VOLTAGE_HYSTERESIS_RATIO of
// nominal on that side, for the same time.

import type { MeterReading } from '../../hal/interfaces.js';
import type { FaultName } from '../../state-machines/faults.js';
import type { FaultReporter } from './fault-reporter.js';

export interface MainsVoltageSettings {
  /** Nominal phase-to-neutral voltage (config site.nominalVoltageV). */
  readonly nominalVoltageV: number;
  /** The band, as fractions of nominal below and above it (config safety.mainsUnderVoltageRatio / mainsOverVoltageRatio). */
  readonly mainsUnderVoltageRatio: number;
  readonly mainsOverVoltageRatio: number;
}

/**
 * How long a phase must stay beyond the band to stop, or back inside to recover: twice the
 * 0.5 s (25 cycles at 50 Hz) voltage dips equipment must ride through in IEC 61000-4-11's
 * class 2 and 3 tests [figure quoted from memory, not checked against the standard's text];
 * at the default 1 s meter poll, two readings in a row.
 */
export const MAINS_VOLTAGE_DEBOUNCE_MS = 1000;

/**
 * Recovery needs the voltage back inside the band by 4 % of nominal (9.2 V at 230 V): stopping a
 * 32 A three-phase load raises the voltage by about 32 A × 0.24 Ω = 7.7 V (3.3 %) on the IEC TR
 * 60725 reference supply impedance (0.4 + j0.25 Ω phase and neutral; phase alone 0.24 + j0.15 Ω,
 * as IEC 61000-3-3 splits it [the split quoted from memory]), so a stop cannot clear its own
 * under-voltage; it also exceeds a class 1 meter's voltage error (±1 %).
 */
export const MAINS_VOLTAGE_HYSTERESIS_RATIO = 0.04;

/** One side of the band: a fault raised after the debounce beyond `trip`, cleared after the debounce within `restore`. */
class VoltageLimit {
  private faulted = false;
  private since: number | null = null;

  constructor(
    private readonly fault: FaultName,
    /** Positive: the limit is a maximum; negative: a minimum. */
    private readonly sign: 1 | -1,
    private readonly tripV: number,
    private readonly restoreV: number,
    private readonly reporter: FaultReporter,
  ) {}

  check(volts: readonly number[], at: number): void {
    const worstIndex = this.worstPhase(volts);
    const worstV = volts[worstIndex]!;
    const changing = this.faulted ? this.sign * (worstV - this.restoreV) <= 0 : this.sign * (worstV - this.tripV) > 0;
    if (!changing) {
      this.since = null;
      return;
    }
    this.since ??= at;
    if (at - this.since < MAINS_VOLTAGE_DEBOUNCE_MS) return;
    this.since = null;
    this.faulted = !this.faulted;
    if (this.faulted) {
      this.reporter.raise(this.fault, { phase: `L${worstIndex + 1}`, voltageV: worstV, limitV: this.tripV, restoreV: this.restoreV });
    } else {
      this.reporter.clear(this.fault);
    }
  }

  /** The phase furthest on this limit's side: the highest for a maximum, the lowest for a minimum. */
  private worstPhase(volts: readonly number[]): number {
    let worst = 0;
    for (let i = 1; i < volts.length; i++) if (this.sign * (volts[i]! - volts[worst]!) > 0) worst = i;
    return worst;
  }
}

export class MainsVoltageGuard {
  private readonly limits: readonly VoltageLimit[];

  constructor(
    settings: MainsVoltageSettings,
    /** Phases the connector is wired to, from L1. */
    private readonly phases: 1 | 3,
    reporter: FaultReporter,
  ) {
    const nominal = settings.nominalVoltageV;
    const hysteresisV = nominal * MAINS_VOLTAGE_HYSTERESIS_RATIO;
    const overV = nominal * (1 + settings.mainsOverVoltageRatio);
    const underV = nominal * (1 - settings.mainsUnderVoltageRatio);
    this.limits = [
      new VoltageLimit('MainsOverVoltage', 1, decivolts(overV), decivolts(overV - hysteresisV), reporter),
      new VoltageLimit('MainsUnderVoltage', -1, decivolts(underV), decivolts(underV + hysteresisV), reporter),
    ];
  }

  /** Feeds one meter reading (whatever the contactor's position). */
  check(reading: MeterReading, at: number): void {
    const volts = reading.phases.slice(0, this.phases).map((p) => p.voltageV);
    for (const limit of this.limits) limit.check(volts, at);
  }
}

/** Thresholds to 0.1 V, as a meter resolves them (and without floating-point tails in the fault log). */
function decivolts(volts: number): number {
  return Math.round(volts * 10) / 10;
}
