// JSON Schema (draft-07) for the charger's config FILE. Every field is optional (the
// defaults in ./defaults.ts fill the gaps), but whatever a file sets is typed and bounded.
// The bounds are the safety envelope: no value inside them can make the charger unsafe.
// Sources for the figures: the IEC 61851 reference sheet (reference A3 pilot, A5 interlocks).
// Checks that span several fields (connector ids, temperature order, disabled interlocks,
// board profile) are in ./load-config.ts.

import { FAULT_NAMES } from '../state-machines/faults.js';

/** Upper-case hex card UID, 2 to 10 bytes. */
export const CARD_UID_PATTERN = '^[0-9A-F]{4,20}$';
/** Printable ASCII, no spaces and no '/' (it becomes part of the OCPP URL). */
export const CHARGE_POINT_ID_PATTERN = '^[\\x21-\\x2E\\x30-\\x7E]+$';
/** A file name in config/boards/ without ".json". */
export const BOARD_NAME_PATTERN = '^[a-z0-9][a-z0-9_-]*$';

/** What a value that fails a `pattern` must look like, for error messages. */
/** A WebSocket URL. */
export const CSMS_URL_PATTERN = '^wss?://[^\\s/?#]+(/[^\\s?#]*)?$';
/** OCPP 1.6 IdToken: CiString20, printable. */
export const ID_TAG_PATTERN = '^[\\x21-\\x7E]{1,20}$';

export const PATTERN_HINTS: Readonly<Record<string, string>> = {
  [CSMS_URL_PATTERN]: 'a ws:// or wss:// URL without query (e.g. "ws://csms.example.com:9000/ocpp")',
  [ID_TAG_PATTERN]: '1 to 20 printable characters without spaces',
  [CARD_UID_PATTERN]: 'upper-case hex, 4 to 20 digits (e.g. "04A1B2C3D4")',
  [CHARGE_POINT_ID_PATTERN]: 'printable ASCII without spaces or "/"',
  [BOARD_NAME_PATTERN]: 'a board profile name (lower-case letters, digits, "-" and "_")',
};

const identityString = { type: 'string', minLength: 1, maxLength: 20 } as const;
const int = (minimum: number, maximum: number) => ({ type: 'integer', minimum, maximum }) as const;
const num = (minimum: number, maximum: number) => ({ type: 'number', minimum, maximum }) as const;

export const CONFIG_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'EV charger configuration',
  type: 'object',
  additionalProperties: false,
  properties: {
    identity: {
      type: 'object',
      additionalProperties: false,
      properties: {
        chargePointId: { type: 'string', minLength: 1, maxLength: 48, pattern: CHARGE_POINT_ID_PATTERN },
        vendor: identityString,
        model: identityString,
        serialNumber: identityString,
      },
    },
    board: { type: 'string', minLength: 1, maxLength: 64, pattern: BOARD_NAME_PATTERN },
    connectors: {
      type: 'array',
      minItems: 1,
      maxItems: 8,
      items: {
        type: 'object',
        additionalProperties: false,
        // A list replaces the default list as a whole, so each connector is complete.
        required: ['connectorId', 'maxCurrentA', 'phases', 'kind'],
        properties: {
          connectorId: int(1, 8),
          maxCurrentA: num(6, 80),
          phases: { type: 'integer', enum: [1, 3] },
          kind: { type: 'string', enum: ['socket', 'tethered'] },
          cableRatingA: { type: 'integer', enum: [13, 20, 32, 63] },
        },
      },
    },
    site: {
      type: 'object',
      additionalProperties: false,
      properties: {
        maxCurrentA: num(6, 500),
        ventilationAvailable: { type: 'boolean' },
        nominalVoltageV: num(100, 277),
      },
    },
    authorization: {
      type: 'object',
      additionalProperties: false,
      properties: {
        mode: { type: 'string', enum: ['free', 'allowList'] },
        allowList: {
          type: 'array',
          maxItems: 10000,
          uniqueItems: true,
          items: { type: 'string', pattern: CARD_UID_PATTERN },
        },
        cardDebounceMs: int(0, 10000),
      },
    },
    metering: {
      type: 'object',
      additionalProperties: false,
      properties: {
        // The meter feeds over-current and mains-voltage detection: an EV ignoring a lowered PWM must be
        // stopped within 10 s (5 s follow time + one poll + 2 s grace, app/safety/overcurrent-monitor.ts).
        pollIntervalMs: int(200, 2000),
      },
    },
    diagnostics: {
      type: 'object',
      additionalProperties: false,
      properties: {
        host: { type: 'string', minLength: 1, maxLength: 255 },
        /** 0 = an ephemeral port (tests). */
        port: int(0, 65535),
        token: { type: 'string', minLength: 16, maxLength: 256 },
      },
    },
    safety: {
      type: 'object',
      additionalProperties: false,
      properties: {
        contactorFeedbackTimeoutMs: int(100, 1000),
        contactorCloseTimeoutMs: int(100, 3000), // IEC 61851-1: close within 3 s
        stateFDurationMs: int(300, 5000), // A3: state F ≥ 300 ms
        pilotDebounceMs: int(10, 50), // A1: filtering may add at most 50 ms; the board's C→B budget may allow less (config/reaction-budget.ts)
        pwmMinUpdateIntervalMs: int(5000, 60000),
        overcurrentToleranceRatio: num(0, 0.2),
        overcurrentMarginA: num(0, 5),
        overcurrentGraceMs: int(1000, 10000),
        // Never above the reference figures (A5: 65 / 68 / 71 / 62 °C).
        temperatureDerateHalfC: num(40, 65),
        temperatureDerateQuarterC: num(45, 68),
        temperatureStopC: num(50, 71),
        temperatureRestoreC: num(30, 62),
        lockTimeoutMs: int(200, 5000),
        // Never wider than IEC 60038's ±10 %; wide enough for the guard's 4 % recovery hysteresis.
        mainsUnderVoltageRatio: num(0.05, 0.1),
        mainsOverVoltageRatio: num(0.05, 0.1),
        meterFailuresBeforeFault: int(1, 10),
        repeatedFaultLimit: int(1, 10),
        repeatedFaultWindowMs: int(60000, 86400000),
        faultRetryDelayMs: int(10000, 3600000),
        // Never above 24 h (A5: Tinkerforge's RCD self-test every 24 h); at least 1 h between tests.
        rcdSelfTestIntervalMs: int(3_600_000, 86_400_000),
        emergencyStopLatches: { type: 'boolean' },
        disabledInterlocks: {
          type: 'array',
          uniqueItems: true,
          items: { type: 'string', enum: FAULT_NAMES },
        },
      },
    },
    ocpp: {
      type: 'object',
      additionalProperties: false,
      properties: {
        csmsUrl: { type: 'string', maxLength: 512, pattern: CSMS_URL_PATTERN },
        // Keys and values are checked against the OCPP key table when the client starts (unknown or bad ones are reported and ignored).
        configuration: { type: 'object', additionalProperties: { type: 'string', maxLength: 500 } },
        tls: {
          type: 'object',
          additionalProperties: false,
          properties: {
            caFile: { type: 'string', minLength: 1 },
            certFile: { type: 'string', minLength: 1 },
            keyFile: { type: 'string', minLength: 1 },
          },
        },
        freeChargingIdTag: { type: 'string', pattern: ID_TAG_PATTERN },
        queueDrainPerSecond: num(0, 1000),
        callTimeoutS: int(5, 300),
      },
    },
  },
} as const;

export type ConfigSchema = typeof CONFIG_SCHEMA;
