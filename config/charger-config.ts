// The shape of the charger's config file. `config/schema.ts` checks a file against it;
// `config/defaults.ts` fills in what a file leaves out.

import type { CableRatingA, ConnectorKind } from '../hal/interfaces.js';

export type AuthorizationMode = 'free' | 'allowList';

export interface ConnectorConfig {
  /** 1-based, as OCPP numbers connectors. */
  readonly connectorId: number;
  /** What the connector's own wiring, contactor and socket are rated for, per phase. */
  readonly maxCurrentA: number;
  readonly phases: 1 | 3;
  readonly kind: ConnectorKind;
  /** Rating of a tethered cable (a socket reads its cable's rating from the proximity pilot). */
  readonly cableRatingA?: CableRatingA;
}

/**
 * Interlock settings. Each has hard bounds in the schema that keep it safe; none can be
 * switched off except on the simulated board (`disabledInterlocks`).
 */
export interface SafetyConfig {
  /** After every open command the mirror contact must report open within this time, else: welded. */
  readonly contactorFeedbackTimeoutMs: number;
  /** After a close command the mirror contact must report closed within this time. */
  readonly contactorCloseTimeoutMs: number;
  /** How long the CP shows state F after a fault before returning to steady +12 V. */
  readonly stateFDurationMs: number;
  /** A CP level change shorter than this is a glitch and does not end the session. */
  readonly pilotDebounceMs: number;
  /** Minimum time between two PWM duty changes. */
  readonly pwmMinUpdateIntervalMs: number;
  /** Over-current: the EV may draw offered × (1 + ratio) + marginA, for at most graceMs. */
  readonly overcurrentToleranceRatio: number;
  readonly overcurrentMarginA: number;
  readonly overcurrentGraceMs: number;
  /** Socket/plug temperature steps, °C: derate to ½, derate to ¼, stop; restore below restoreC. */
  readonly temperatureDerateHalfC: number;
  readonly temperatureDerateQuarterC: number;
  readonly temperatureStopC: number;
  readonly temperatureRestoreC: number;
  /** Lock feedback must confirm within this time. */
  readonly lockTimeoutMs: number;
  /**
   * Mains voltage band per phase, as fractions of site.nominalVoltageV below and above it; beyond
   * it the connector stops (MainsUnderVoltage / MainsOverVoltage).
   */
  readonly mainsUnderVoltageRatio: number;
  readonly mainsOverVoltageRatio: number;
  /** Consecutive failed meter reads before the meter is declared lost. */
  readonly meterFailuresBeforeFault: number;
  /** A self-recovering fault that happens this often within the window latches. */
  readonly repeatedFaultLimit: number;
  readonly repeatedFaultWindowMs: number;
  /** Holdoff before a recovered residual-current or ground fault lets charging resume. */
  readonly faultRetryDelayMs: number;
  /** A passed RCD self-test vouches for the module this long; then it is tested again before the next close, and while idle. */
  readonly rcdSelfTestIntervalMs: number;
  /** The emergency stop stays latched after release until a technician reset (else it clears on release; energy needs a new driver action either way). */
  readonly emergencyStopLatches: boolean;
  /** Interlocks switched off; allowed only on the simulated board, for development. */
  readonly disabledInterlocks: readonly string[];
}

export interface ChargerConfig {
  readonly identity: {
    readonly chargePointId: string;
    readonly vendor: string;
    readonly model: string;
    readonly serialNumber: string;
  };
  /** Name of a board profile in config/boards/ ("sim" is the simulated board). */
  readonly board: string;
  readonly connectors: readonly ConnectorConfig[];
  readonly site: {
    /** The installation's supply limit per phase, shared by all connectors. */
    readonly maxCurrentA: number;
    /** Whether the site is ventilated, so an EV asking for state D may charge. */
    readonly ventilationAvailable: boolean;
    /** Nominal mains voltage, phase to neutral. */
    readonly nominalVoltageV: number;
  };
  readonly authorization: {
    readonly mode: AuthorizationMode;
    /** Card UIDs allowed to charge in allowList mode, upper-case hex. */
    readonly allowList: readonly string[];
    /** The same card read again within this time counts once. */
    readonly cardDebounceMs: number;
  };
  readonly metering: {
    readonly pollIntervalMs: number;
  };
  readonly diagnostics: {
    readonly host: string;
    readonly port: number;
    /** Bearer token for the diagnostics API; when absent, one is generated at first start and kept in the data directory. */
    readonly token?: string;
  };
  readonly safety: SafetyConfig;
  readonly ocpp: OcppConfig;
}

/** The OCPP 1.6J client. Without `csmsUrl` the charger runs standalone. */
export interface OcppConfig {
  /** ws:// or wss:// endpoint of the CSMS, without the charge point id (the client appends "/<chargePointId>"). */
  readonly csmsUrl?: string;
  /**
   * Initial values of OCPP configuration keys (e.g. SecurityProfile, AuthorizationKey,
   * HeartbeatInterval); a value the backend set with ChangeConfiguration wins over these.
   */
  readonly configuration: Readonly<Record<string, string>>;
  /** PEM files: the CA that signs the CSMS's certificate (profiles 2, 3), the charger's certificate and key (profile 3). */
  readonly tls: { readonly caFile?: string; readonly certFile?: string; readonly keyFile?: string };
  /** idTag sent in StartTransaction for a session started without a card (free charging). */
  readonly freeChargingIdTag: string;
  /** Transaction messages sent per second while a backlog drains after a reconnect; 0 = as fast as the backend answers. */
  readonly queueDrainPerSecond: number;
  /** How long to wait for the backend's answer to a CALL. */
  readonly callTimeoutS: number;
}
