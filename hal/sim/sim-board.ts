// The simulated board: sim drivers in front of a virtual installation and EVs, with
// SimulationControl to act on that world. All timing runs on the injected Clock.

import { MeterRegisterFile } from './meter-register-file.js';
import type { Clock } from '../clock.js';
import type { BoardHardware, CableRatingA, ConnectorKind } from '../interfaces.js';
import { SimConnector } from './sim-connector.js';
import { SimTimers } from './sim-timers.js';
import { SimulationController } from './simulation.js';
import type { SimulationControl } from './simulation-control.js';
import { SimStation } from './station.js';

export interface SimBoardOptions {
  clock: Clock;
  connectors: readonly { connectorId: number; kind: ConnectorKind; phases: 1 | 3; cableRatingA?: CableRatingA }[];
  /** Per phase; default 230 V. */
  mainsVoltageV?: number;
  /** Period of energy and battery integration; default 100 ms. */
  physicsTickMs?: number;
  /** File where the meters keep their registers across restarts, as real meters do; none: they start afresh. */
  meterRegisterFile?: string;
  /** Told (one line) when the register file was damaged and moved aside. Default: console.error. */
  reportDamage?: (message: string) => void;
  /** The contactors' mechanical delay (the sim profile's contactorDropOutMs); default CONTACTOR_DELAY_MS. */
  contactorDelayMs?: number;
}

export interface SimBoard {
  hardware: BoardHardware;
  simulation: SimulationControl;
  stop(): void;
}

export function createSimBoard(options: SimBoardOptions): SimBoard {
  const tickMs = options.physicsTickMs ?? 100;
  if (!(tickMs > 0)) throw new Error(`physicsTickMs must be > 0, not ${tickMs}`);
  checkConnectors(options.connectors);
  const timers = new SimTimers(options.clock);
  const station = new SimStation(options.mainsVoltageV ?? 230);
  const registers = options.meterRegisterFile
    ? new MeterRegisterFile(options.meterRegisterFile, { now: () => new Date(options.clock.now()), ...(options.reportDamage ? { report: options.reportDamage } : {}) })
    : null;
  // One coil word and one pilot word per connector, in memory another thread can write (the
  // board's safe-state release), as a GPIO or PWM register can be written from outside the driver.
  const word = Int32Array.BYTES_PER_ELEMENT;
  const coils = new SharedArrayBuffer(word * options.connectors.length);
  const pilots = new SharedArrayBuffer(word * options.connectors.length);
  const connectors = options.connectors.map(
    (config, i) => new SimConnector({ ...config, contactorDelayMs: options.contactorDelayMs }, timers, station, registers, {
      coil: new Int32Array(coils, i * word, 1),
      pilotHold: new Int32Array(pilots, i * word, 1),
    }),
  );
  const simulation = new SimulationController(station, connectors);
  timers.every(tickMs, () => {
    for (const connector of connectors) connector.tick();
  });

  let stopped = false;
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    for (const connector of connectors) connector.close();
    timers.close();
  };
  const hardware: BoardHardware = {
    connectors: connectors.map((connector) => connector.hardware),
    rfid: station.rfid,
    enclosureTemperature: station.enclosureTemperature,
    emergencyStop: station.emergencyStop,
    groundMonitor: station.groundMonitor,
    display: station.display,
    safeState: { writes: [], coils, pilots },
    close: async () => stop(),
  };
  return { hardware, simulation, stop };
}

function checkConnectors(connectors: SimBoardOptions['connectors']): void {
  if (connectors.length === 0) throw new Error('a board needs at least one connector');
  const seen = new Set<number>();
  for (const c of connectors) {
    if (!Number.isInteger(c.connectorId) || c.connectorId < 1) throw new Error(`connectorId ${c.connectorId} must be an integer ≥ 1`);
    if (seen.has(c.connectorId)) throw new Error(`connectorId ${c.connectorId} is used twice`);
    seen.add(c.connectorId);
    if (c.kind !== 'socket' && c.kind !== 'tethered') throw new Error(`connector ${c.connectorId}: kind must be socket or tethered`);
    if (c.phases !== 1 && c.phases !== 3) throw new Error(`connector ${c.connectorId}: phases must be 1 or 3`);
    if (c.cableRatingA !== undefined && ![13, 20, 32, 63].includes(c.cableRatingA)) {
      throw new Error(`connector ${c.connectorId}: cable rating ${c.cableRatingA} A is not one of 13, 20, 32, 63`);
    }
  }
}
