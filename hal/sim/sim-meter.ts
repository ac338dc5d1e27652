// Sim driver for the energy meter: answers like a Modbus meter would (20 ms latency), or
// times out after 200 ms when the link is down.

import { MeterCommunicationError, type EnergyMeter, type MeterReading } from '../interfaces.js';
import type { SimTimers } from './sim-timers.js';

export const METER_LATENCY_MS = 20;
export const METER_TIMEOUT_MS = 200;

export class SimEnergyMeter implements EnergyMeter {
  /** meterCommLoss: the meter does not answer. */
  commLoss = false;

  /** @param sample the meter's measurement at the moment it answers */
  constructor(
    private readonly timers: SimTimers,
    private readonly name: string,
    private readonly sample: () => MeterReading | Promise<MeterReading>,
  ) {}

  read(): Promise<MeterReading> {
    const lost = this.commLoss;
    return new Promise((resolve, reject) => {
      const handle = this.timers.after(lost ? METER_TIMEOUT_MS : METER_LATENCY_MS, () => {
        if (lost) reject(new MeterCommunicationError(`${this.name}: no answer within ${METER_TIMEOUT_MS} ms`));
        else Promise.resolve().then(this.sample).then(resolve, (error: Error) => reject(new MeterCommunicationError(`${this.name}: ${error.message}`)));
      });
      if (handle === undefined) reject(new MeterCommunicationError(`${this.name}: board closed`));
    });
  }
}
