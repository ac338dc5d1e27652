// The charger's config, declared once: for every field its type, its bounds, its default and what it
// means. From this come the TypeScript type (./charger-config.ts), the validator and the defaults
// (compiled at build time, tools/build/compile-schemas.ts), and the error messages (a pattern's
// `hint`, the bounds; ./schema-messages.ts).
//
// A config FILE may leave out any field that has a default: defaults fill the gaps first, then this
// schema checks the whole (so it lists those fields as required; a file never needs to). The bounds
// are the safety envelope: no value inside them can make the charger unsafe. Sources for the
// figures: the IEC 61851 reference sheet (section named per line, "A5" = reference A5). Checks
// that span several fields (connector ids, temperature order, disabled interlocks, board profile)
// are in ./load-config.ts.
//
// Build time and types only: the firmware loads the compiled form (config/compiled-schemas.ts).

import { Type } from '@sinclair/typebox';
import { FAULT_NAMES } from '../state-machines/faults.js';
import { CABLE_RATINGS_A } from './config-values.js';
import { choice, integer as int, number as num, object, patterned } from './schema-builders.js';

/** Upper-case hex card UID, 2 to 10 bytes. */
export const cardUid = patterned('^[0-9A-F]{4,20}$', 'upper-case hex, 4 to 20 digits (e.g. "04A1B2C3D4")');
/** A file name in config/boards/ without ".json". */
export const boardName = (options = {}) =>
  patterned('^[a-z0-9][a-z0-9_-]*$', 'a board profile name (lower-case letters, digits, "-" and "_")', options);

const identityString = (fallback: string) => Type.String({ minLength: 1, maxLength: 20, default: fallback });

export const CONNECTOR_SCHEMA = object({
  /** 1-based, as OCPP numbers connectors. */
  connectorId: int(1, 8),
  /** What the connector's own wiring, contactor and socket are rated for, per phase. */
  maxCurrentA: num(6, 80),
  phases: choice([1, 3], { type: 'integer' }),
  kind: choice(['socket', 'tethered'], { type: 'string' }),
  /** Rating of a tethered cable (a socket reads its cable's rating from the proximity pilot). */
  cableRatingA: Type.Optional(choice(CABLE_RATINGS_A, { type: 'integer' })),
});

/**
 * Interlock settings. Each has hard bounds that keep it safe; none can be switched off except on
 * the simulated board (`disabledInterlocks`).
 */
export const SAFETY_SCHEMA = object({
  /** After every open command the mirror contact must report open within this time, else: welded. */
  contactorFeedbackTimeoutMs: int(100, 1000, { default: 500 }), // A5: OpenEVSE checks AC sense 1 s after opening; we are stricter
  /** After a close command the mirror contact must report closed within this time. */
  contactorCloseTimeoutMs: int(100, 3000, { default: 500 }), // IEC 61851-1: close within 3 s
  /** How long the CP shows state F after a fault before returning to steady +12 V. */
  stateFDurationMs: int(300, 5000, { default: 300 }), // A3: EVerest state_F_after_fault_ms, "≥300 ms"
  /**
   * A CP level change shorter than this is a glitch and does not end the session.
   * A1: filtering may add at most 50 ms (A3: OpenEVSE 25 ms); the board's C→B budget may allow less
   * (config/reaction-budget.ts); 30 fits every reference board's (docs/reaction-budgets.md).
   */
  pilotDebounceMs: int(10, 50, { default: 30 }),
  /** Minimum time between two PWM duty changes. */
  pwmMinUpdateIntervalMs: int(5000, 60000, { default: 5000 }), // A3: at most one update every 5 s (EVerest IEC_PWM_MAX_UPDATE_INTERVAL)
  /** Over-current: the EV may draw offered × (1 + ratio) + marginA, for at most graceMs. */
  overcurrentToleranceRatio: num(0, 0.2, { default: 0.1 }), // A5: EVerest (I_PWM + 0.5 A) × 1.10
  overcurrentMarginA: num(0, 5, { default: 0.5 }),
  overcurrentGraceMs: int(1000, 10000, { default: 7000 }), // A5: EVerest 7 s (min 6 s)
  /** Socket/plug temperature steps, °C: derate to ½, derate to ¼, stop; restore below restoreC. Never above the reference figures. */
  temperatureDerateHalfC: num(40, 65, { default: 65 }), // A5: OpenEVSE 65 °C → ½ current
  temperatureDerateQuarterC: num(45, 68, { default: 68 }), // A5: OpenEVSE 68 °C → ¼ current
  temperatureStopC: num(50, 71, { default: 71 }), // A5: OpenEVSE 71 °C → stop
  temperatureRestoreC: num(30, 62, { default: 62 }), // A5: OpenEVSE ≤62 °C → restore
  /** Lock feedback must confirm within this time. */
  lockTimeoutMs: int(200, 5000, { default: 1000 }),
  /**
   * Mains voltage band per phase, as fractions of site.nominalVoltageV below and above it; beyond
   * it the connector stops (MainsUnderVoltage / MainsOverVoltage). Never wider than IEC 60038's
   * ±10 % (EN 50160: 230 V, 207–253 V); wide enough for the guard's 4 % recovery hysteresis.
   */
  mainsUnderVoltageRatio: num(0.05, 0.1, { default: 0.1 }),
  mainsOverVoltageRatio: num(0.05, 0.1, { default: 0.1 }),
  /** Consecutive failed meter reads before the meter is declared lost. */
  meterFailuresBeforeFault: int(1, 10, { default: 3 }),
  /** A self-recovering fault that happens this often within the window latches. */
  repeatedFaultLimit: int(1, 10, { default: 6 }), // A5: OpenEVSE hard-faults after more than 6 retries
  repeatedFaultWindowMs: int(60000, 86400000, { default: 3_600_000 }),
  /** Holdoff before a recovered residual-current or ground fault lets charging resume. */
  faultRetryDelayMs: int(10000, 3600000, { default: 300_000 }), // A5: OpenEVSE retries GFI / ground faults after 5 min
  /**
   * A passed RCD self-test vouches for the module this long; then it is tested again before the
   * next close, and while idle. Never above 24 h (A5: Tinkerforge tests the RCD every 24 h;
   * OpenEVSE before every close); at least 1 h between tests.
   */
  rcdSelfTestIntervalMs: int(3_600_000, 86_400_000, { default: 86_400_000 }),
  /** The emergency stop stays latched after release until a technician reset (else it clears on release; energy needs a new driver action either way). */
  emergencyStopLatches: Type.Boolean({ default: false }),
  /** Interlocks switched off; allowed only on the simulated board, for development. */
  disabledInterlocks: Type.Array(choice(FAULT_NAMES, { type: 'string' }), { uniqueItems: true, default: [] }),
});

/** The OCPP 1.6J client. Without `csmsUrl` the charger runs standalone. */
export const OCPP_SCHEMA = object({
  /** ws:// or wss:// endpoint of the CSMS, without the charge point id (the client appends "/<chargePointId>"). */
  csmsUrl: Type.Optional(patterned('^wss?://[^\\s/?#]+(/[^\\s?#]*)?$', 'a ws:// or wss:// URL without query (e.g. "ws://csms.example.com:9000/ocpp")', { maxLength: 512 })),
  /**
   * Initial values of OCPP configuration keys (e.g. SecurityProfile, AuthorizationKey,
   * HeartbeatInterval); a value the backend set with ChangeConfiguration wins over these. Keys and
   * values are checked against the OCPP key table when the client starts (unknown or bad ones are
   * reported and ignored).
   */
  configuration: Type.Unsafe<Record<string, string>>({ type: 'object', additionalProperties: { type: 'string', maxLength: 500 } }),
  /** PEM files: the CA that signs the CSMS's certificate (profiles 2, 3), the charger's certificate and key (profile 3). */
  tls: object({
    caFile: Type.Optional(Type.String({ minLength: 1 })),
    certFile: Type.Optional(Type.String({ minLength: 1 })),
    keyFile: Type.Optional(Type.String({ minLength: 1 })),
  }),
  /** idTag sent in StartTransaction for a session started without a card (free charging). OCPP 1.6 IdToken: CiString20, printable. */
  freeChargingIdTag: patterned('^[\\x21-\\x7E]{1,20}$', '1 to 20 printable characters without spaces', { default: 'FREECHARGING' }),
  /** Transaction messages sent per second while a backlog drains after a reconnect; 0 = as fast as the backend answers. */
  queueDrainPerSecond: num(0, 1000, { default: 0 }),
  /** How long to wait for the backend's answer to a CALL. */
  callTimeoutS: int(5, 300, { default: 30 }),
});

export const CONFIG_SCHEMA = object(
  {
    identity: object({
      /** Printable ASCII, no spaces and no '/' (it becomes part of the OCPP URL). */
      chargePointId: patterned('^[\\x21-\\x2E\\x30-\\x7E]+$', 'printable ASCII without spaces or "/"', { minLength: 1, maxLength: 48, default: 'CP-SIM-001' }),
      vendor: identityString('OpenCharger'),
      model: identityString('Sim-AC22'),
      serialNumber: identityString('SIM-0001'),
    }),
    /** Name of a board profile in config/boards/ ("sim" is the simulated board). */
    board: boardName({ minLength: 1, maxLength: 64, default: 'sim' }),
    /** A list replaces the default list as a whole, so each connector is complete. */
    connectors: Type.Array(CONNECTOR_SCHEMA, { minItems: 1, maxItems: 8, default: [{ connectorId: 1, maxCurrentA: 32, phases: 3, kind: 'socket' }] }),
    site: object({
      /** The installation's supply limit per phase, shared by all connectors. */
      maxCurrentA: num(6, 500, { default: 32 }),
      /** Whether the site is ventilated, so an EV asking for state D may charge. */
      ventilationAvailable: Type.Boolean({ default: false }),
      /** Nominal mains voltage, phase to neutral. */
      nominalVoltageV: num(100, 277, { default: 230 }),
    }),
    authorization: object({
      mode: choice(['free', 'allowList'], { type: 'string', default: 'allowList' }),
      /** Card UIDs allowed to charge in allowList mode, upper-case hex. */
      allowList: Type.Array(cardUid, { maxItems: 10000, uniqueItems: true, default: [] }),
      /** The same card read again within this time counts once. */
      cardDebounceMs: int(0, 10000, { default: 2000 }),
    }),
    metering: object({
      // The meter feeds over-current and mains-voltage detection: an EV ignoring a lowered PWM must be
      // stopped within 10 s (5 s follow time + one poll + 2 s grace, app/safety/overcurrent-monitor.ts).
      pollIntervalMs: int(200, 2000, { default: 1000 }),
    }),
    diagnostics: object({
      host: Type.String({ minLength: 1, maxLength: 255, default: '127.0.0.1' }),
      /** 0 = an ephemeral port (tests). */
      port: int(0, 65535, { default: 8180 }),
      /** Bearer token for the diagnostics API; when absent, one is generated at first start and kept in the data directory. */
      token: Type.Optional(Type.String({ minLength: 16, maxLength: 256 })),
    }),
    safety: SAFETY_SCHEMA,
    ocpp: OCPP_SCHEMA,
  },
  { $schema: 'http://json-schema.org/draft-07/schema#', title: 'EV charger configuration' },
);
