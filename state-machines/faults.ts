// Errors as data: every hazard the charger guards against, with its reaction and its
// recovery rule, in one table. Adding a hazard is adding a row.
// Sources: the project's IEC 61851 / OCPP reference sheet, section A5 (and A2/A3 for the pilot);
// "reference A5" below means that section.

/**
 * - auto: clears when the condition clears (after `holdoff`, if any);
 * - untilUnplug: clears when the condition is gone and the EV has been unplugged;
 * - latched: only a technician reset clears it.
 * A self-recovering fault that repeats too often within the window latches too.
 */
export type FaultRecovery = 'auto' | 'untilUnplug' | 'latched';

/** OCPP 1.6 ChargePointErrorCode (§7.6) the fault maps to. */
export type OcppErrorCode =
  | 'ConnectorLockFailure'
  | 'EVCommunicationError'
  | 'GroundFailure'
  | 'HighTemperature'
  | 'InternalError'
  | 'OtherError'
  | 'OverCurrentFailure'
  | 'PowerMeterFailure'
  | 'PowerSwitchFailure'
  | 'ReaderFailure'
  | 'UnderVoltage'
  | 'OverVoltage';

export interface FaultDefinition {
  /** Station-wide faults stop every connector. */
  readonly scope: 'connector' | 'station';
  readonly recovery: FaultRecovery;
  /** Wait this long after the condition cleared before charging may resume (config key). */
  readonly holdoff: 'none' | 'faultRetryDelay';
  /** Whether the CP shows state F when this fault stops a session. */
  readonly pilotStateF: boolean;
  readonly ocppErrorCode: OcppErrorCode;
  /** Vendor-specific code, as EVerest's error mapping gives one (MREC numbers where they exist). */
  readonly vendorErrorCode: string;
  /** What the driver reads on the display (≤ 20 characters). */
  readonly displayReason: string;
}

export const FAULTS = {
  ContactorWelded: {
    scope: 'connector', recovery: 'latched', holdoff: 'none', pilotStateF: true,
    ocppErrorCode: 'PowerSwitchFailure', vendorErrorCode: 'MREC17', displayReason: 'Contactor welded',
  },
  ContactorStuckOpen: {
    scope: 'connector', recovery: 'untilUnplug', holdoff: 'none', pilotStateF: true,
    ocppErrorCode: 'PowerSwitchFailure', vendorErrorCode: 'MREC17-OPEN', displayReason: 'Contactor fault',
  },
  ResidualCurrentAC: {
    scope: 'connector', recovery: 'auto', holdoff: 'faultRetryDelay', pilotStateF: true,
    ocppErrorCode: 'GroundFailure', vendorErrorCode: 'RCD-AC', displayReason: 'Residual current',
  },
  ResidualCurrentDC: {
    scope: 'connector', recovery: 'latched', holdoff: 'none', pilotStateF: true,
    ocppErrorCode: 'GroundFailure', vendorErrorCode: 'RCD-DC', displayReason: 'DC residual current',
  },
  ResidualCurrentSelfTestFailed: {
    scope: 'connector', recovery: 'latched', holdoff: 'none', pilotStateF: true,
    ocppErrorCode: 'GroundFailure', vendorErrorCode: 'RCD-SELFTEST', displayReason: 'RCD self-test failed',
  },
  OverTemperature: {
    scope: 'connector', recovery: 'auto', holdoff: 'none', pilotStateF: true,
    ocppErrorCode: 'HighTemperature', vendorErrorCode: 'MREC19', displayReason: 'Too hot',
  },
  EnclosureOverTemperature: {
    scope: 'station', recovery: 'auto', holdoff: 'none', pilotStateF: true,
    ocppErrorCode: 'HighTemperature', vendorErrorCode: 'MREC19-ENCL', displayReason: 'Charger too hot',
  },
  TemperatureSensorFailure: {
    scope: 'connector', recovery: 'auto', holdoff: 'none', pilotStateF: true,
    ocppErrorCode: 'HighTemperature', vendorErrorCode: 'TEMP-SENSOR', displayReason: 'Sensor fault',
  },
  GroundLoss: {
    scope: 'station', recovery: 'auto', holdoff: 'faultRetryDelay', pilotStateF: true,
    ocppErrorCode: 'GroundFailure', vendorErrorCode: 'MREC2', displayReason: 'Earth fault',
  },
  PilotShortToGround: {
    scope: 'connector', recovery: 'auto', holdoff: 'none', pilotStateF: true,
    ocppErrorCode: 'EVCommunicationError', vendorErrorCode: 'MREC14', displayReason: 'Pilot short',
  },
  PilotFault: {
    scope: 'connector', recovery: 'auto', holdoff: 'none', pilotStateF: true,
    ocppErrorCode: 'EVCommunicationError', vendorErrorCode: 'MREC14-LEVEL', displayReason: 'Pilot fault',
  },
  DiodeFault: {
    scope: 'connector', recovery: 'untilUnplug', holdoff: 'none', pilotStateF: true,
    ocppErrorCode: 'EVCommunicationError', vendorErrorCode: 'DIODE', displayReason: 'Vehicle diode fault',
  },
  VentilationNotAvailable: {
    scope: 'connector', recovery: 'auto', holdoff: 'none', pilotStateF: false,
    ocppErrorCode: 'OtherError', vendorErrorCode: 'VENT', displayReason: 'Needs ventilation',
  },
  /**
   * The cable's proximity contact went open or out of range while the contacts were closed: its
   * rating can no longer be trusted (reference A4: "Monitor PP for the whole session").
   */
  ProximityLost: {
    scope: 'connector', recovery: 'untilUnplug', holdoff: 'none', pilotStateF: true,
    ocppErrorCode: 'OtherError', vendorErrorCode: 'MREC23', displayReason: 'Cable fault',
  },
  CableInvalid: {
    scope: 'connector', recovery: 'auto', holdoff: 'none', pilotStateF: false,
    ocppErrorCode: 'OtherError', vendorErrorCode: 'PP-INVALID', displayReason: 'Cable not usable',
  },
  LockFailure: {
    scope: 'connector', recovery: 'untilUnplug', holdoff: 'none', pilotStateF: true,
    ocppErrorCode: 'ConnectorLockFailure', vendorErrorCode: 'LOCK', displayReason: 'Lock fault',
  },
  MeterFailure: {
    scope: 'connector', recovery: 'auto', holdoff: 'none', pilotStateF: true,
    ocppErrorCode: 'PowerMeterFailure', vendorErrorCode: 'METER', displayReason: 'Meter fault',
  },
  OverCurrent: {
    scope: 'connector', recovery: 'untilUnplug', holdoff: 'none', pilotStateF: true,
    ocppErrorCode: 'OverCurrentFailure', vendorErrorCode: 'MREC4', displayReason: 'Over-current',
  },
  /** A phase the connector uses above the installation's band (app/safety/mains-voltage-guard.ts). */
  MainsOverVoltage: {
    scope: 'connector', recovery: 'auto', holdoff: 'none', pilotStateF: true,
    ocppErrorCode: 'OverVoltage', vendorErrorCode: 'MREC5', displayReason: 'Mains voltage high',
  },
  MainsUnderVoltage: {
    scope: 'connector', recovery: 'auto', holdoff: 'none', pilotStateF: true,
    ocppErrorCode: 'UnderVoltage', vendorErrorCode: 'MREC6', displayReason: 'Mains voltage low',
  },
  /** The contactor gate found an interlock open at the instant the controller asked to close. */
  InterlockRefused: {
    scope: 'connector', recovery: 'untilUnplug', holdoff: 'none', pilotStateF: true,
    ocppErrorCode: 'InternalError', vendorErrorCode: 'GATE', displayReason: 'Safety check failed',
  },
  /** The safety co-processor's heartbeat stopped: it may no longer protect, and it drops power by itself. */
  SafetyControllerLost: {
    scope: 'station', recovery: 'auto', holdoff: 'none', pilotStateF: true,
    ocppErrorCode: 'InternalError', vendorErrorCode: 'COPROC', displayReason: 'Safety unit fault',
  },
  EmergencyStop: {
    scope: 'station', recovery: 'auto', holdoff: 'none', pilotStateF: true,
    ocppErrorCode: 'OtherError', vendorErrorCode: 'MREC8', displayReason: 'Emergency stop',
  },
} as const satisfies Record<string, FaultDefinition>;

export type FaultName = keyof typeof FAULTS;
export const FAULT_NAMES = Object.keys(FAULTS) as FaultName[];

export function faultDefinition(name: FaultName): FaultDefinition {
  return FAULTS[name];
}
