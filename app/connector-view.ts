// What the OCPP client sees of one connector and of the station (ChargerPort views), built
// from the connector's live state and the fault table.

import { FAULTS } from '../state-machines/faults.js';
import type { FaultState } from '../state-machines/safety-supervisor.js';
import { vehicleConnected } from '../state-machines/pilot-state.js';
import type { Connector } from './connector/connector.js';
import type { ConnectorView, FaultView, StationView } from './ocpp/charger-port.js';
import type { SessionRecord } from './records.js';

export function faultView(state: FaultState, since: string): FaultView {
  const row = FAULTS[state.fault];
  return {
    fault: state.fault,
    ocppErrorCode: row.ocppErrorCode,
    vendorErrorCode: row.vendorErrorCode,
    info: (state.latched ? `${row.displayReason} (latched)` : row.displayReason).slice(0, 50),
    since,
  };
}

export function connectorView(connector: Connector, faults: readonly FaultView[], session: SessionRecord | null): ConnectorView {
  const output = connector.hardware.pilot.output;
  return {
    connectorId: connector.id,
    status: connector.ocppStatus,
    faults,
    phases: connector.phases,
    meter: connector.meter.lastReading,
    offeredCurrentA: output.mode === 'pwm' ? connector.context.offeredCurrentA : 0,
    socketTemperatureC: connector.hardware.socketTemperature.read(),
    socPercent: null, // IEC 61851-1 signalling carries no state of charge
    session,
    plugged: vehicleConnected(connector.pilotState),
  };
}

export function stationView(faults: readonly FaultView[], operative: boolean): StationView {
  return { status: faults.length > 0 ? 'Faulted' : operative ? 'Available' : 'Unavailable', faults };
}
