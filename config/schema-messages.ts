// Turns ajv's errors into messages a person can act on: the field as a dotted path, and what
// the schema allows there, e.g. "connectors[0].phases must be one of 1, 3 (got 2)".
// Shared by the config file and the board profiles.

import type { ErrorObject } from 'ajv';

export interface SchemaProblem {
  /** Dotted/indexed path of the field, e.g. "connectors[0].phases"; "" for the whole document. */
  readonly field: string;
  /** The problem, starting with the field. */
  readonly message: string;
}

interface SchemaNode {
  type?: string;
  enum?: readonly unknown[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  /** What a value matching `pattern` looks like, in words (config/schema-builders.ts `patterned`). */
  hint?: string;
  properties?: Record<string, SchemaNode>;
}

/** "/connectors/0/phases" → "connectors[0].phases". */
export function formatPath(pointer: string): string {
  if (pointer === '') return '';
  let out = '';
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(seg)) out += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

function joinPath(parent: string, key: string): string {
  return formatPath(`${parent}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`);
}

export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function list(values: readonly unknown[]): string {
  return values.map((v) => JSON.stringify(v)).join(', ');
}

const TYPE_NAMES: Record<string, string> = {
  integer: 'an integer',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  object: 'an object',
  array: 'a list',
};

/** What a schema node allows, e.g. "one of 1, 3" or "an integer between 100 and 1000". */
function describeAllowed(node: SchemaNode | undefined): string {
  if (!node) return 'a value';
  if (node.enum) return `one of ${list(node.enum)}`;
  const typeName = TYPE_NAMES[node.type ?? ''] ?? 'a value';
  if (node.minimum !== undefined && node.maximum !== undefined) {
    return `${typeName} between ${node.minimum} and ${node.maximum}`;
  }
  if (node.pattern && node.hint) return `${typeName}, ${node.hint}`;
  return typeName;
}

function lengthRange(min: number | undefined, max: number | undefined, unit: string): string {
  if (min !== undefined && max !== undefined) return `${min} to ${max} ${unit}`;
  if (min !== undefined) return `at least ${min} ${unit}`;
  return `at most ${max ?? '?'} ${unit}`;
}

function schemaProblem(error: ErrorObject, whole: string): SchemaProblem {
  const field = formatPath(error.instancePath);
  const node = (error.parentSchema ?? {}) as SchemaNode;
  const got = `(got ${describeValue(error.data)})`;
  const at = field === '' ? whole : field;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params['additionalProperty']);
      const allowed = Object.keys(node.properties ?? {}).join(', ');
      const where = field === '' ? 'at the top level' : `in ${field}`;
      return { field: joinPath(error.instancePath, key), message: `unknown field ${JSON.stringify(key)} ${where}; allowed: ${allowed}` };
    }
    case 'required': {
      const key = String(params['missingProperty']);
      const path = joinPath(error.instancePath, key);
      return { field: path, message: `${path} is required (${describeAllowed(node.properties?.[key])})` };
    }
    case 'type':
      return { field, message: `${at} must be ${describeAllowed(node)} ${got}` };
    case 'enum':
      return { field, message: `${at} must be one of ${list(node.enum ?? [])} ${got}` };
    case 'minimum':
    case 'maximum':
      return node.minimum !== undefined && node.maximum !== undefined
        ? { field, message: `${at} must be between ${node.minimum} and ${node.maximum} ${got}` }
        : { field, message: `${at} ${error.message ?? 'is out of range'} ${got}` };
    case 'minLength':
    case 'maxLength': {
      const length = typeof error.data === 'string' ? error.data.length : 0;
      return { field, message: `${at} must be ${lengthRange(node.minLength, node.maxLength, 'characters')} long (got ${length})` };
    }
    case 'minItems':
    case 'maxItems': {
      const count = Array.isArray(error.data) ? error.data.length : 0;
      return { field, message: `${at} must have ${lengthRange(node.minItems, node.maxItems, 'entries')} (got ${count})` };
    }
    case 'pattern': {
      const hint = node.hint ?? `text matching ${String(params['pattern'])}`;
      return { field, message: `${at} must be ${hint} ${got}` };
    }
    case 'uniqueItems': {
      const items = Array.isArray(error.data) ? error.data : [];
      const j = Number(params['j']);
      return { field, message: `${at} lists ${describeValue(items[j])} more than once; each entry must be unique` };
    }
    default:
      return { field, message: `${at} ${error.message ?? 'is not valid'}` };
  }
}

/** One problem per field, in ajv's order; `whole` names the document for top-level problems. */
export function schemaProblems(errors: readonly ErrorObject[], whole = 'the config'): SchemaProblem[] {
  const seen = new Set<string>();
  const problems: SchemaProblem[] = [];
  for (const error of errors) {
    const problem = schemaProblem(error, whole);
    // One problem per field: ajv reports e.g. both "type" and "minimum" for 2.5; the first is clearest.
    if (seen.has(problem.field)) continue;
    seen.add(problem.field);
    problems.push(problem);
  }
  return problems;
}

