// The installation around the connectors: the mains supply and the station-wide devices.

import { SimDisplay, SimRfidReader } from './sim-hmi.js';
import { SimEmergencyStop, SimGroundMonitor, SimTemperatureSensor } from './sim-monitors.js';

export const AMBIENT_TEMPERATURE_C = 25;
export const MAINS_FREQUENCY_HZ = 50;

export class SimStation {
  /** Phase-to-neutral voltage of L1, L2, L3. */
  readonly mainsVoltageV: [number, number, number];
  readonly frequencyHz = MAINS_FREQUENCY_HZ;
  readonly rfid = new SimRfidReader();
  readonly display = new SimDisplay();
  readonly enclosureTemperature = new SimTemperatureSensor('enclosure', AMBIENT_TEMPERATURE_C);
  readonly emergencyStop = new SimEmergencyStop();
  readonly groundMonitor = new SimGroundMonitor();

  constructor(mainsVoltageV: number) {
    checkVoltage(mainsVoltageV);
    this.mainsVoltageV = [mainsVoltageV, mainsVoltageV, mainsVoltageV];
  }

  setMainsVoltage(volts: readonly [number, number, number]): void {
    if (!Array.isArray(volts) || volts.length !== 3) throw new Error('mains voltage needs three values (L1, L2, L3)');
    volts.forEach(checkVoltage);
    this.mainsVoltageV[0] = volts[0];
    this.mainsVoltageV[1] = volts[1];
    this.mainsVoltageV[2] = volts[2];
  }
}

function checkVoltage(volts: number): void {
  if (typeof volts !== 'number' || !Number.isFinite(volts) || volts < 0) throw new Error(`mains voltage ${volts} V is not valid`);
}
