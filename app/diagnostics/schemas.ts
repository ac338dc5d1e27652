// JSON schemas of the request bodies (validated by fastify's built-in ajv, no coercion).

import { OVERDRAW_PHASES, SIM_FAULT_NAMES } from '../../hal/sim/simulation-control.js';

export const CABLE_RATINGS_A = [13, 20, 32, 63] as const;

const connectorIdOrNull = { type: ['integer', 'null'] } as const;

/** Partial<EvParameters>, each field with its type and a plausible range. */
export const evParametersSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    phases: { enum: [1, 3] },
    maxCurrentA: { type: 'number', minimum: 0, maximum: 80 },
    batteryCapacityWh: { type: 'number', exclusiveMinimum: 0, maximum: 1_000_000 },
    socPercent: { type: 'number', minimum: 0, maximum: 100 },
    targetSocPercent: { type: 'number', minimum: 0, maximum: 100 },
    followDelayMs: { type: 'integer', minimum: 0, maximum: 600_000 },
    ignorePwm: { type: 'boolean' },
    requestsVentilation: { type: 'boolean' },
    hasDiode: { type: 'boolean' },
    overdrawA: { type: 'number', minimum: 0, maximum: 100 },
    overdrawPhase: { enum: OVERDRAW_PHASES },
    wakeDelayMs: { type: 'integer', minimum: 0, maximum: 600_000 },
  },
} as const;

export const resetBodySchema = {
  type: ['object', 'null'],
  additionalProperties: false,
  properties: { connectorId: connectorIdOrNull },
} as const;

export const plugBodySchema = {
  type: ['object', 'null'],
  additionalProperties: false,
  properties: {
    cableRatingA: { enum: CABLE_RATINGS_A },
    /** Sockets only: the PP resistor in ohms, overriding the rating's nominal value. */
    cableOhms: { type: 'number', exclusiveMinimum: 0, maximum: 1_000_000 },
    ev: evParametersSchema,
  },
} as const;

export const evPatchBodySchema = { ...evParametersSchema, minProperties: 1 } as const;

export const rfidBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['uid'],
  properties: { uid: { type: 'string', pattern: '^[0-9A-Fa-f]{4,20}$', description: '4 to 20 hex digits' } },
} as const;

export const simFaultParamsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    temperatureC: { type: 'number', minimum: -60, maximum: 250 },
    location: { enum: ['socket', 'enclosure'] },
    overdrawA: { type: 'number', minimum: 0, maximum: 100 },
    overdrawPhase: { enum: OVERDRAW_PHASES },
    durationMs: { type: 'integer', minimum: 0, maximum: 3_600_000 },
    glitchLevelV: { type: 'number', minimum: -15, maximum: 15 },
  },
} as const;

export const injectFaultBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['connectorId', 'fault'],
  properties: {
    connectorId: connectorIdOrNull,
    fault: { enum: SIM_FAULT_NAMES },
    params: simFaultParamsSchema,
  },
} as const;

export const clearFaultBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['connectorId', 'fault'],
  properties: {
    connectorId: connectorIdOrNull,
    fault: { enum: SIM_FAULT_NAMES },
  },
} as const;

export const mainsBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['voltages'],
  properties: {
    voltages: {
      type: 'array',
      minItems: 3,
      maxItems: 3,
      items: { type: 'number', minimum: 0, maximum: 500 },
    },
  },
} as const;
