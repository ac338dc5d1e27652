// The few TypeBox shapes the config and board profile schemas are built from, each giving the
// same draft-07 JSON a person would write by hand (so ajv's errors, and the messages made from
// them in ./schema-messages.ts, read the same).
// TypeBox is for the build and for types: the firmware loads the compiled validators
// (tools/build/compile-schemas.ts), never this.

import { Type, type SchemaOptions, type TObject, type TProperties, type TSchema, type Static } from '@sinclair/typebox';

/** A JSON object that allows no other fields. */
export const object = <T extends TProperties>(properties: T, options: SchemaOptions = {}): TObject<T> =>
  Type.Object(properties, { additionalProperties: false, ...options });

export const integer = (minimum: number, maximum: number, options: SchemaOptions = {}) => Type.Integer({ minimum, maximum, ...options });
export const number = (minimum: number, maximum: number, options: SchemaOptions = {}) => Type.Number({ minimum, maximum, ...options });

/** One of a fixed list of values; the TypeScript type is their union. */
export const choice = <const T extends readonly (string | number)[]>(values: T, options: SchemaOptions & { type?: 'string' | 'integer' } = {}) =>
  Type.Unsafe<T[number]>({ ...(options.type ? { type: options.type } : {}), enum: [...values], ...options });

/** A value that must be exactly `value`. */
export const constant = <const T extends string>(value: T) => Type.Unsafe<T>({ const: value });

/** `null`, or a value of `schema` ("oneOf", as a hand-written schema says it). */
export const nullable = <T extends TSchema>(schema: T) => Type.Unsafe<Static<T> | null>({ oneOf: [{ type: 'null' }, schema] });

/** A string that must match `pattern`; `hint` says in words what that is, for error messages. */
export const patterned = (pattern: string, hint: string | undefined, options: SchemaOptions = {}) =>
  Type.String({ pattern, ...(hint !== undefined ? { hint } : {}), ...options });

/** The keyword `patterned` adds: an annotation for messages, not a check. */
export const HINT_KEYWORD = 'hint';

/** T with every field and list read-only, all the way down: a checked config is frozen. */
export type DeepReadonly<T> = T extends readonly (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/**
 * What a schema's `default`s make when a document leaves everything out: an object gets the
 * default of each field that has one (and {} for one that has none); anything else its own default.
 */
export function schemaDefaults(schema: unknown): unknown {
  const node = schema as { default?: unknown; type?: unknown; properties?: Record<string, unknown> };
  if (node.default !== undefined) return structuredClone(node.default);
  if (node.type !== 'object') return undefined;
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(node.properties ?? {})) {
    const value = schemaDefaults(field);
    if (value !== undefined) out[key] = value;
  }
  return out;
}
