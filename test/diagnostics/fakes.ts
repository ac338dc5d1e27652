// Test doubles for the diagnostics tests: a ChargerApi with fixed data and a
// SimulationControl that records every call.

import type { ChargerApi } from '../../app/charger-api.js';
import type { ChargerStatus, ConnectorStatus, FaultLogEntry, SessionRecord } from '../../app/records.js';
import type { CableRatingA } from '../../hal/interfaces.js';
import type {
  EvParameters,
  SimFaultName,
  SimFaultParams,
  SimulationControl,
  SimulationSnapshot,
} from '../../hal/sim/simulation-control.js';
import type { FaultName } from '../../state-machines/faults.js';

export const SESSION: SessionRecord = {
  sessionId: 's-1',
  connectorId: 1,
  idTag: 'DEADBEEF',
  startedAt: '2025-01-01T10:00:00.000Z',
  stoppedAt: null,
  meterStartWh: 1000,
  meterStopWh: null,
  energyWh: 3214,
  maxPowerW: 7400,
  stopReason: null,
  stopFault: null,
};

export function connectorStatus(connectorId: number, overrides: Partial<ConnectorStatus> = {}): ConnectorStatus {
  return {
    connectorId,
    state: 'charging',
    status: 'Charging',
    pilot: { state: 'C', positiveV: 6.1, negativeV: -12, output: { mode: 'pwm', dutyPercent: 53.3 }, dutyPercent: 53.3 },
    cableRatingA: 32,
    allowedCurrentA: 32,
    limitSource: 'cable',
    limits: { connector: 32, cable: 32, site: 40 },
    contactor: { commanded: 'closed', feedback: 'closed' },
    lock: { commanded: 'locked', feedback: 'locked' },
    meter: {
      ok: true,
      phases: [
        { voltageV: 230, currentA: 31.9, powerW: 7337 },
        { voltageV: 231, currentA: 0, powerW: 0 },
        { voltageV: 229, currentA: 0, powerW: 0 },
      ],
      totalPowerW: 7337,
      frequencyHz: 50,
      importEnergyWh: 4214,
    },
    temperatures: { socketC: 35, enclosureC: 30 },
    led: { color: 'blue', blink: 'steady' },
    activeFaults: [],
    session: SESSION,
    residualCurrentSelfTest: 'passed',
    ...overrides,
  };
}

export function chargerStatus(): ChargerStatus {
  return {
    chargePointId: 'CP-TEST',
    board: 'sim',
    uptimeS: 3725,
    time: '2025-01-01T11:00:00.000Z',
    emergencyStop: false,
    groundPresent: true,
    display: ['Charging  7.3 kW', '3.21 kWh'],
    stationFaults: [],
    connectors: [
      connectorStatus(1),
      connectorStatus(2, {
        state: 'faulted',
        status: 'Faulted',
        session: null,
        activeFaults: [{ fault: 'OverCurrent', since: '2025-01-01T10:30:00.000Z', latched: false, ocppErrorCode: 'OverCurrentFailure' }],
      }),
    ],
  };
}

export const FAULT_LOG: FaultLogEntry[] = [1, 2, 3, 4, 5].map((n) => ({
  at: `2025-01-01T10:0${n}:00.000Z`,
  connectorId: n % 2 === 0 ? null : 1,
  fault: 'OverTemperature',
  event: n % 2 === 0 ? 'cleared' : 'raised',
  ocppErrorCode: 'HighTemperature',
  values: { temperatureC: 70 + n },
}));

export interface Call {
  readonly method: string;
  readonly args: readonly unknown[];
}

export class FakeSimulation implements SimulationControl {
  readonly calls: Call[] = [];
  /** When set, every mutating call throws this. */
  failWith: Error | null = null;

  private record(method: string, ...args: unknown[]): void {
    this.calls.push({ method, args });
    if (this.failWith) throw this.failWith;
  }

  plug(connectorId: number, options?: { cableRatingA?: CableRatingA; cableOhms?: number; ev?: Partial<EvParameters> }): void {
    this.record('plug', connectorId, options);
  }
  unplug(connectorId: number): void {
    this.record('unplug', connectorId);
  }
  setEv(connectorId: number, parameters: Partial<EvParameters>): void {
    this.record('setEv', connectorId, parameters);
  }
  pauseEv(connectorId: number): void {
    this.record('pauseEv', connectorId);
  }
  resumeEv(connectorId: number): void {
    this.record('resumeEv', connectorId);
  }
  presentCard(uid: string): void {
    this.record('presentCard', uid);
  }
  setMainsVoltage(volts: readonly [number, number, number]): void {
    this.record('setMainsVoltage', volts);
  }
  injectFault(connectorId: number | null, fault: SimFaultName, params?: SimFaultParams): void {
    this.record('injectFault', connectorId, fault, params);
  }
  clearFault(connectorId: number | null, fault: SimFaultName): void {
    this.record('clearFault', connectorId, fault);
  }
  snapshot(): SimulationSnapshot {
    return {
      mainsVoltageV: [230, 230, 230],
      frequencyHz: 50,
      enclosureTemperatureC: 25,
      emergencyStopPressed: false,
      groundPresent: true,
      connectors: [1, 2].map((connectorId) => ({
        connectorId,
        plugged: connectorId === 1,
        cableRatingA: connectorId === 1 ? 32 : null,
        evState: connectorId === 1 ? 'C' : 'A',
        evPaused: false,
        ev: connectorId === 1
          ? {
              phases: 1, maxCurrentA: 32, batteryCapacityWh: 60000, socPercent: 20, targetSocPercent: 80,
              followDelayMs: 1000, ignorePwm: false, requestsVentilation: false, hasDiode: true, overdrawA: 0, overdrawPhase: 'all', wakeDelayMs: 500,
            }
          : null,
        drawnCurrentA: connectorId === 1 ? [31.9, 0, 0] : [0, 0, 0],
        contactsClosed: connectorId === 1,
        socketTemperatureC: 30,
        faults: [],
      })),
    };
  }
}

export class FakeCharger implements ChargerApi {
  readonly calls: Call[] = [];
  simulation: SimulationControl | null;

  constructor(simulation: SimulationControl | null = new FakeSimulation()) {
    this.simulation = simulation;
  }

  /** Calls other than the read-only ones, on the charger and on the simulation. */
  mutations(): Call[] {
    const sim = this.simulation instanceof FakeSimulation ? this.simulation.calls : [];
    return [...this.calls.filter((c) => c.method === 'resetFaults'), ...sim];
  }

  status(): ChargerStatus {
    this.calls.push({ method: 'status', args: [] });
    return chargerStatus();
  }
  faultLog(): readonly FaultLogEntry[] {
    this.calls.push({ method: 'faultLog', args: [] });
    return FAULT_LOG;
  }
  sessions(): readonly SessionRecord[] {
    this.calls.push({ method: 'sessions', args: [] });
    return [SESSION];
  }
  resetFaults(connectorId: number | null): readonly { connectorId: number | null; fault: FaultName }[] {
    this.calls.push({ method: 'resetFaults', args: [connectorId] });
    return connectorId === 2 || connectorId === null ? [{ connectorId: 2, fault: 'OverCurrent' }] : [];
  }
}
