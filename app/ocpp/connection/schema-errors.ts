// Which OCPP-J 1.6 §4.2.3 error code (Table 7) a schema violation in a CALL's payload gets, and a
// short description of it that quotes nothing of the payload but the field's path.

import type { RpcErrorCode } from '../ocpp-types.js';

/** The parts of an Ajv error object used here. */
export interface SchemaError {
  readonly keyword: string;
  readonly instancePath: string;
  readonly message?: string;
  readonly params?: Record<string, unknown>;
}

/**
 * Table 7, by what the schema check found:
 * - TypeConstraintViolation "violates data type constraints (e.g. "somestring": 12)": a wrong JSON type;
 * - OccurenceConstraintViolation "violates occurence constraints": a required field missing, too
 *   many or too few list items;
 * - PropertyConstraintViolation "at least one field contains an invalid value": an enumeration
 *   value not in the list, a string too long (e.g. a 21-character IdToken), a date-time that is not
 *   one, a number out of range;
 * - FormationViolation "not conform the PDU structure for Action": a field the Action does not
 *   have, and anything else.
 */
const CODE_BY_KEYWORD: Readonly<Record<string, RpcErrorCode>> = {
  type: 'TypeConstraintViolation',
  required: 'OccurenceConstraintViolation',
  minItems: 'OccurenceConstraintViolation',
  maxItems: 'OccurenceConstraintViolation',
  minProperties: 'OccurenceConstraintViolation',
  maxProperties: 'OccurenceConstraintViolation',
  enum: 'PropertyConstraintViolation',
  const: 'PropertyConstraintViolation',
  maxLength: 'PropertyConstraintViolation',
  minLength: 'PropertyConstraintViolation',
  pattern: 'PropertyConstraintViolation',
  format: 'PropertyConstraintViolation',
  minimum: 'PropertyConstraintViolation',
  maximum: 'PropertyConstraintViolation',
  exclusiveMinimum: 'PropertyConstraintViolation',
  exclusiveMaximum: 'PropertyConstraintViolation',
  multipleOf: 'PropertyConstraintViolation',
  additionalProperties: 'FormationViolation',
};

/** Field paths longer than this are cut: a path can be as deep as the payload. */
const MAX_PATH_CHARS = 80;

export function schemaErrorCode(error: SchemaError | undefined): RpcErrorCode {
  return (error && CODE_BY_KEYWORD[error.keyword]) ?? 'FormationViolation';
}

/** E.g. "payload/type must be equal to one of the allowed values". */
export function schemaErrorDescription(error: SchemaError | undefined): string {
  if (!error) return 'payload breaks the OCPP 1.6 schema';
  const path = error.instancePath.length > MAX_PATH_CHARS ? `${error.instancePath.slice(0, MAX_PATH_CHARS)}...` : error.instancePath;
  const extra = error.keyword === 'additionalProperties' ? excerpt(error.params?.['additionalProperty']) : undefined;
  return `payload${path} ${error.message ?? `breaks the schema (${error.keyword})`}${extra !== undefined ? `: ${extra}` : ''}`;
}

function excerpt(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  return value.length > 40 ? `${value.slice(0, 40)}...` : value;
}
