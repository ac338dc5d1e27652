// Which injected faults are station-wide and which belong to a connector; argument checks
// with messages fit for a 400 answer of the diagnostics API.

import { OVERDRAW_PHASES, isSimFaultName, type SimFaultName, type SimFaultParams } from './simulation-control.js';

/** Every fault, with whether it is station-wide (true) or per connector (false); overTemperature depends on its location. */
const FAULT_SCOPE: Readonly<Record<SimFaultName, boolean | 'byLocation'>> = {
  contactorWelded: false,
  contactorWontClose: false,
  rcdTripAc: false,
  rcdTripDc: false,
  rcdSelfTestFail: false,
  overTemperature: 'byLocation',
  peLoss: true,
  cpShortToGround: false,
  diodeMissing: false,
  lockFailure: false,
  lockSlip: false,
  ppOpen: false,
  ppShort: false,
  meterCommLoss: false,
  evOverdraw: false,
  emergencyStop: true,
  cpGlitch: false,
  outputWriteFails: false,
};

/** overTemperature without params.temperatureC: hot enough for any derating/stop threshold (A5: 71 °C stop). */
export const DEFAULT_OVER_TEMPERATURE_C = 80;


/**
 * Checks the (connectorId, fault) combination; returns whether the fault is station-wide.
 * For clearFault of overTemperature, pass no location: the connector id chooses socket or enclosure.
 */
export function checkFaultTarget(connectorId: number | null, fault: unknown, location?: SimFaultParams['location']): boolean {
  if (!isSimFaultName(fault)) throw new Error(`unknown fault ${JSON.stringify(fault)}`);
  const scope = FAULT_SCOPE[fault];
  if (scope === 'byLocation') {
    if (location === undefined) return connectorId === null;
    if (location !== 'socket' && location !== 'enclosure') {
      throw new Error(`overTemperature location must be 'socket' or 'enclosure', not ${JSON.stringify(location)}`);
    }
    if (location === 'enclosure' && connectorId !== null) {
      throw new Error('overTemperature at the enclosure is station-wide: give connectorId null');
    }
    if (location === 'socket' && connectorId === null) {
      throw new Error('overTemperature at the socket needs a connector id');
    }
    return location === 'enclosure';
  }
  if (scope && connectorId !== null) throw new Error(`fault ${fault} is station-wide: give connectorId null, not ${connectorId}`);
  if (!scope && connectorId === null) throw new Error(`fault ${fault} needs a connector id`);
  return scope;
}

/** Validates the numeric parameters that are given. */
export function checkFaultParams(params: SimFaultParams): void {
  const finite = (key: keyof SimFaultParams, min = Number.NEGATIVE_INFINITY): void => {
    const value = params[key];
    if (value === undefined) return;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
      throw new Error(`fault parameter ${key} must be a number${min > Number.NEGATIVE_INFINITY ? ` ≥ ${min}` : ''}`);
    }
  };
  finite('temperatureC');
  finite('overdrawA', 0);
  finite('durationMs', 0);
  finite('glitchLevelV');
  if (params.overdrawPhase !== undefined && !OVERDRAW_PHASES.includes(params.overdrawPhase)) {
    throw new Error(`fault parameter overdrawPhase must be one of ${OVERDRAW_PHASES.join(', ')}`);
  }
}
