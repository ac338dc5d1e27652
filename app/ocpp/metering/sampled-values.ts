// What the charger can measure, as OCPP 1.6 SampledValues (§7.43; measurands §7.31, units §7.45).
// Pure: one connector's view and a configured measurand list in, values out. A measurand we
// cannot measure (or whose sensor has no reading now) yields nothing.

import type { ConnectorView } from '../charger-port.js';
import type { SampledValue } from '../ocpp-types.js';

type Context = SampledValue['context'];
type Phase = NonNullable<SampledValue['phase']>;

const CURRENT_PHASES: readonly Phase[] = ['L1', 'L2', 'L3'];
const VOLTAGE_PHASES: readonly Phase[] = ['L1-N', 'L2-N', 'L3-N'];

/** The register value reported in Wh: rounded to whole Wh (use it for meterStart/meterStop too). */
export function registerWh(wh: number): number {
  return Math.round(wh);
}

/** A decimal string with `digits` decimals, never "-0". */
function decimal(x: number, digits: number): string {
  const s = x.toFixed(digits);
  return /^-0(?:\.0*)?$/.test(s) ? s.slice(1) : s;
}

function value(measurand: string, v: string, context: Context, extra: Partial<SampledValue>): SampledValue {
  // location Outlet: measured at the connector (§7.30); format Raw (§7.49).
  return { value: v, context, format: 'Raw', measurand, location: 'Outlet', ...extra };
}

/** Energy.Active.Import.Register from a register value (e.g. a session's meterStartWh). */
export function energyRegister(wh: number, context: Context): SampledValue {
  return value('Energy.Active.Import.Register', String(registerWh(wh)), context, { unit: 'Wh' });
}

function one(view: ConnectorView, measurand: string, context: Context): SampledValue[] {
  const m = view.meter;
  const phases = view.phases === 3 ? [0, 1, 2] : [0];
  const ok = Number.isFinite;
  switch (measurand) {
    // §7.31: read from the meter's register, not re-based to zero per transaction.
    case 'Energy.Active.Import.Register':
      return m && ok(m.importEnergyWh) ? [energyRegister(m.importEnergyWh, context)] : [];
    // No phase: the overall value (§7.43 phase).
    case 'Power.Active.Import':
      return m && ok(m.totalPowerW) ? [value(measurand, decimal(m.totalPowerW, 0), context, { unit: 'W' })] : [];
    // §3.16.3: every phase measured is reported, from the meter's point of view (§4.7).
    case 'Current.Import':
      return m ? phases.filter((i) => ok(m.phases[i]!.currentA)).map((i) => value(measurand, decimal(m.phases[i]!.currentA, 2), context, { unit: 'A', phase: CURRENT_PHASES[i]! })) : [];
    case 'Voltage':
      return m ? phases.filter((i) => ok(m.phases[i]!.voltageV)).map((i) => value(measurand, decimal(m.phases[i]!.voltageV, 1), context, { unit: 'V', phase: VOLTAGE_PHASES[i]! })) : [];
    // §7.31 NOTE: 1.6 has no unit for Frequency (it is Hz): the unit is left out.
    case 'Frequency':
      return m && ok(m.frequencyHz) ? [value(measurand, decimal(m.frequencyHz, 2), context, {})] : [];
    // What the PWM offers per phase (§4.7: not a measurement; 0 without PWM).
    case 'Current.Offered':
      return ok(view.offeredCurrentA) ? [value(measurand, decimal(view.offeredCurrentA, 2), context, { unit: 'A' })] : [];
    // The socket's sensor sits at the connector: Outlet (§7.30). "Celsius" as §7.45 spells it;
    // the 1.6 JSON schema's "Celcius" is a typo (OCPP-J errata §2.1: charge points use Celsius).
    case 'Temperature': {
      const t = view.socketTemperatureC;
      return t !== null && ok(t) ? [value(measurand, decimal(t, 1), context, { unit: 'Celsius' })] : [];
    }
    // Only when the EV reports it (IEC 61851 AC EVs do not).
    case 'SoC': {
      const soc = view.socPercent;
      return soc !== null && ok(soc) ? [value(measurand, decimal(soc, 0), context, { unit: 'Percent', location: 'EV' })] : [];
    }
    default:
      return [];
  }
}

/** The values of `measurands` (in that order) this connector can give now. */
export function sampledValues(view: ConnectorView, measurands: readonly string[], context: SampledValue['context']): SampledValue[] {
  return measurands.flatMap((m) => one(view, m, context));
}
