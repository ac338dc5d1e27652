// SimulationControl over the simulated board: routes each request to the station or to a
// connector, after checking its arguments (errors carry messages fit for a 400 answer).

import type { SimConnector, PlugOptions } from './sim-connector.js';
import { checkFaultParams, checkFaultTarget, DEFAULT_OVER_TEMPERATURE_C } from './faults.js';
import { AMBIENT_TEMPERATURE_C, type SimStation } from './station.js';
import type {
  EvParameters,
  SimFaultName,
  SimFaultParams,
  SimulationControl,
  SimulationSnapshot,
} from './simulation-control.js';


export class SimulationController implements SimulationControl {
  private readonly byId = new Map<number, SimConnector>();

  constructor(
    private readonly station: SimStation,
    private readonly connectors: readonly SimConnector[],
  ) {
    for (const connector of connectors) this.byId.set(connector.id, connector);
  }

  plug(connectorId: number, options?: PlugOptions): void {
    this.connector(connectorId).plug(options);
  }

  unplug(connectorId: number): void {
    this.connector(connectorId).unplug();
  }

  setEv(connectorId: number, parameters: Partial<EvParameters>): void {
    this.connector(connectorId).setEv(parameters);
  }

  pauseEv(connectorId: number): void {
    this.connector(connectorId).pauseEv();
  }

  resumeEv(connectorId: number): void {
    this.connector(connectorId).resumeEv();
  }

  presentCard(uid: string): void {
    if (typeof uid !== 'string' || uid.length === 0) throw new Error('card UID must be a non-empty string');
    this.station.rfid.present(uid);
  }

  setMainsVoltage(volts: readonly [number, number, number]): void {
    for (const connector of this.connectors) connector.integrate(); // energy so far at the old voltage
    this.station.setMainsVoltage(volts);
  }

  injectFault(connectorId: number | null, fault: SimFaultName, params: SimFaultParams = {}): void {
    const stationWide = checkFaultTarget(connectorId, fault, fault === 'overTemperature' ? (params.location ?? 'socket') : undefined);
    checkFaultParams(params);
    if (!stationWide) {
      this.connector(connectorId as number).injectFault(fault, params);
      return;
    }
    if (fault === 'emergencyStop') this.station.emergencyStop.set(true);
    else if (fault === 'peLoss') this.setGround(false);
    else this.station.enclosureTemperature.set(params.temperatureC ?? DEFAULT_OVER_TEMPERATURE_C);
  }

  clearFault(connectorId: number | null, fault: SimFaultName): void {
    const stationWide = checkFaultTarget(connectorId, fault);
    if (!stationWide) {
      this.connector(connectorId as number).clearFault(fault);
      return;
    }
    if (fault === 'emergencyStop') this.station.emergencyStop.set(false);
    else if (fault === 'peLoss') this.setGround(true);
    else this.station.enclosureTemperature.set(AMBIENT_TEMPERATURE_C);
  }

  snapshot(): SimulationSnapshot {
    const station = this.station;
    return {
      mainsVoltageV: [station.mainsVoltageV[0], station.mainsVoltageV[1], station.mainsVoltageV[2]],
      frequencyHz: station.frequencyHz,
      enclosureTemperatureC: station.enclosureTemperature.read() ?? AMBIENT_TEMPERATURE_C,
      emergencyStopPressed: station.emergencyStop.isPressed(),
      groundPresent: station.groundMonitor.isPresent(),
      connectors: this.connectors.map((connector) => connector.snapshot()),
    };
  }

  /** The ground monitor reports first, then every connector's CP loses the EV's return. */
  private setGround(present: boolean): void {
    this.station.groundMonitor.set(present);
    for (const connector of this.connectors) connector.setPeLost(!present);
  }

  private connector(connectorId: number): SimConnector {
    const connector = this.byId.get(connectorId);
    if (!connector) throw new Error(`unknown connector ${JSON.stringify(connectorId)}; known: ${[...this.byId.keys()].join(', ')}`);
    return connector;
  }
}
