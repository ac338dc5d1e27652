// What every fault must be, written out literally (never read back from state-machines/faults.ts):
// its OCPP 1.6 §7.6 ChargePointErrorCode, its recovery rule and holdoff, whether the CP shows
// state F, and whether it stops one connector or the station. A fault added to faults.ts needs
// its row here, and in the README's safety-interlock table.
//
// Codes: §7.6 PowerSwitchFailure "failure of … contactor", GroundFailure "ground fault circuit
// interrupter has been activated", HighTemperature "temperature inside Charge Point is too high",
// EVCommunicationError "communication failure with the vehicle, might be Mode 3",
// ConnectorLockFailure "failure to lock or unlock connector", PowerMeterFailure, OverCurrentFailure
// "over current protection device has tripped", InternalError "error in internal hard- or
// software component", OtherError "other type of error, more information in vendorErrorCode"
// (1.6 has no code for an emergency stop, a missing ventilation or an unusable cable).
// Recovery: README "Safety interlocks" and reference A5 (OpenEVSE: a stuck relay is always a hard
// fault; GFI and ground faults retry after 5 min; EVerest: DC residual current is an error).

export type ExpectedRecovery = 'auto' | 'untilUnplug' | 'latched';

export interface ExpectedFault {
  readonly ocppErrorCode: string;
  readonly recovery: ExpectedRecovery;
  readonly holdoff: 'none' | 'faultRetryDelay';
  readonly pilotStateF: boolean;
  readonly scope: 'connector' | 'station';
}

const row = (
  ocppErrorCode: string, recovery: ExpectedRecovery, holdoff: 'none' | 'faultRetryDelay', pilotStateF: boolean,
  scope: 'connector' | 'station' = 'connector',
): ExpectedFault => ({ ocppErrorCode, recovery, holdoff, pilotStateF, scope });

export const EXPECTED_FAULTS: Readonly<Record<string, ExpectedFault>> = {
  ContactorWelded: row('PowerSwitchFailure', 'latched', 'none', true),
  ContactorStuckOpen: row('PowerSwitchFailure', 'untilUnplug', 'none', true),
  ResidualCurrentAC: row('GroundFailure', 'auto', 'faultRetryDelay', true),
  ResidualCurrentDC: row('GroundFailure', 'latched', 'none', true),
  ResidualCurrentSelfTestFailed: row('GroundFailure', 'latched', 'none', true),
  OverTemperature: row('HighTemperature', 'auto', 'none', true),
  EnclosureOverTemperature: row('HighTemperature', 'auto', 'none', true, 'station'),
  TemperatureSensorFailure: row('HighTemperature', 'auto', 'none', true),
  GroundLoss: row('GroundFailure', 'auto', 'faultRetryDelay', true, 'station'),
  PilotShortToGround: row('EVCommunicationError', 'auto', 'none', true),
  PilotFault: row('EVCommunicationError', 'auto', 'none', true),
  DiodeFault: row('EVCommunicationError', 'untilUnplug', 'none', true),
  VentilationNotAvailable: row('OtherError', 'auto', 'none', false),
  // §7.6 has no code for a lost cable coding: OtherError with EVerest's MREC23 (proximity fault) as vendor code.
  ProximityLost: row('OtherError', 'untilUnplug', 'none', true),
  CableInvalid: row('OtherError', 'auto', 'none', false),
  LockFailure: row('ConnectorLockFailure', 'untilUnplug', 'none', true),
  MeterFailure: row('PowerMeterFailure', 'auto', 'none', true),
  OverCurrent: row('OverCurrentFailure', 'untilUnplug', 'none', true),
  MainsOverVoltage: row('OverVoltage', 'auto', 'none', true),
  MainsUnderVoltage: row('UnderVoltage', 'auto', 'none', true),
  InterlockRefused: row('InternalError', 'untilUnplug', 'none', true),
  SafetyControllerLost: row('InternalError', 'auto', 'none', true, 'station'),
  EmergencyStop: row('OtherError', 'auto', 'none', true, 'station'),
};

/** The expected row of a fault; throws for a fault the table does not know. */
export function expectedFault(name: string): ExpectedFault {
  const expected = EXPECTED_FAULTS[name];
  if (!expected) throw new Error(`${name} has no row in test/support/expected-faults.ts`);
  return expected;
}
