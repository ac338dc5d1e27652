// What one StatusNotification.req says about a connector or connector 0, decided from the
// charger's views alone (pure functions). OCPP 1.6 edition 2 §4.9, §6.47, §7.6, §7.7.

import type { ChargePointStatus, ConnectorView, FaultView, StationView } from '../charger-port.js';

/** OCPP 1.6 §7.6 ChargePointErrorCode. */
export type ChargePointErrorCode =
  | 'ConnectorLockFailure'
  | 'EVCommunicationError'
  | 'GroundFailure'
  | 'HighTemperature'
  | 'InternalError'
  | 'LocalListConflict'
  | 'NoError'
  | 'OtherError'
  | 'OverCurrentFailure'
  | 'OverVoltage'
  | 'PowerMeterFailure'
  | 'PowerSwitchFailure'
  | 'ReaderFailure'
  | 'ResetFailure'
  | 'UnderVoltage'
  | 'WeakSignal';

const ERROR_CODES: ReadonlySet<string> = new Set<ChargePointErrorCode>([
  'ConnectorLockFailure', 'EVCommunicationError', 'GroundFailure', 'HighTemperature', 'InternalError',
  'LocalListConflict', 'NoError', 'OtherError', 'OverCurrentFailure', 'OverVoltage', 'PowerMeterFailure',
  'PowerSwitchFailure', 'ReaderFailure', 'ResetFailure', 'UnderVoltage', 'WeakSignal',
]);

/** §6.47 StatusNotification.req (vendorId unused). */
export interface StatusNotificationRequest {
  readonly connectorId: number;
  readonly errorCode: ChargePointErrorCode;
  readonly status: ChargePointStatus;
  /** CiString50. */
  readonly info?: string;
  /** CiString50. */
  readonly vendorErrorCode?: string;
  /** ISO 8601: when this status began. */
  readonly timestamp: string;
}

/** A request without its timestamp: what a connector's status is now. */
export type StatusReport = Omit<StatusNotificationRequest, 'timestamp'>;

export const CI_STRING_50 = 50;

/** §4.9: EVCommunicationError SHALL only be used with these statuses. */
const EV_COMM_STATUSES: ReadonlySet<ChargePointStatus> = new Set(['Preparing', 'SuspendedEV', 'SuspendedEVSE', 'Finishing']);
/** §4.9, §7.7: connector 0 is Available, Unavailable or Faulted only. */
const STATION_STATUSES: ReadonlySet<ChargePointStatus> = new Set(['Available', 'Unavailable', 'Faulted']);

/** §4.9 asks for this info when a session survives, or ends on, an EV-side disconnect. */
export const EV_SIDE_DISCONNECTED = 'EV side disconnected';

const isEvComm = (f: FaultView): boolean => f.ocppErrorCode === 'EVCommunicationError';

/** Two reports are "the same notification" when status, code and detail agree. */
export function reportKey(r: StatusReport): string {
  return JSON.stringify([r.status, r.errorCode, r.vendorErrorCode ?? null, r.info ?? null]);
}

export function stationReport(view: StationView): StatusReport {
  // Defensive: the type already says so, but a wrong status must never reach the wire.
  const status: ChargePointStatus = STATION_STATUSES.has(view.status) ? view.status : view.faults.length ? 'Faulted' : 'Unavailable';
  return withError(0, status, view.faults);
}

export function connectorReport(view: ConnectorView): StatusReport {
  let status = view.status;
  if (view.faults.some(isEvComm)) {
    // §7.6: EVCommunicationError "is not a real error … it should go to the SuspendedEVSE
    // state" (with a vehicle there to suspend). §4.9: it may not go with Charging, and
    // SuspendedEVSE takes precedence over SuspendedEV.
    if (status === 'Faulted' && view.plugged && view.faults.every(isEvComm)) status = 'SuspendedEVSE';
    else if (status === 'Charging' || status === 'SuspendedEV') status = 'SuspendedEVSE';
  }
  const report = withError(view.connectorId, status, view.faults);
  if (report.errorCode === 'NoError' && !view.plugged && view.session && (status === 'SuspendedEV' || status === 'Finishing')) {
    return { ...report, info: EV_SIDE_DISCONNECTED }; // §4.9, StopTransactionOnEVSideDisconnect false / true
  }
  return report;
}

/**
 * The error a status carries. With several faults, the newest raised is the code: each newly
 * raised error is then reported once, as it happens, and when it clears the next newest (or
 * NoError) is reported; every notification describes the latest event, in order (§4.9 rule 4).
 * Faulted prefers a real fault over an EVCommunicationError warning (§4.9, §7.6).
 */
function withError(connectorId: number, status: ChargePointStatus, faults: readonly FaultView[]): StatusReport {
  const candidates = status === 'Faulted' ? faults.filter((f) => !isEvComm(f)) : faults;
  const fault = candidates.at(-1) ?? faults.at(-1);
  if (!fault) {
    // Faulted "when a connector has reported an error" (§7.7): a fault state naming no fault is ours.
    return status === 'Faulted'
      ? { connectorId, status, errorCode: 'InternalError', info: 'Faulted with no fault named' }
      : { connectorId, status, errorCode: 'NoError' };
  }
  let errorCode: ChargePointErrorCode = ERROR_CODES.has(fault.ocppErrorCode) ? fault.ocppErrorCode : 'OtherError';
  // EVCommunicationError where §4.9 forbids it (no vehicle to suspend, connector 0): OtherError,
  // "more information in vendorErrorCode" (§7.6), which keeps our code.
  if (errorCode === 'EVCommunicationError' && (connectorId === 0 || !EV_COMM_STATUSES.has(status))) errorCode = 'OtherError';
  return {
    connectorId,
    status,
    errorCode,
    info: fault.info.slice(0, CI_STRING_50),
    vendorErrorCode: fault.vendorErrorCode.slice(0, CI_STRING_50),
  };
}
