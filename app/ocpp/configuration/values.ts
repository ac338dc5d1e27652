// Checking a configuration value against its key's type, and writing it canonically.

import type { KeyDefinition, KeyType } from './keys.js';

/** ChangeConfiguration.req `value` is a CiString500Type (§6.3, §7.19). */
export const MAX_VALUE_LENGTH = 500;

export interface ValueContext {
  readonly numberOfConnectors: number;
  /** Current value of a *MaxLength key as a number, or undefined when the key has none. */
  maxItems(maxLengthKey: string): number | undefined;
}

/** A canonical value, or why the value is refused (never quoting it: it may be a secret). */
export type Checked = { readonly ok: true; readonly value: string } | { readonly ok: false; readonly reason: string };

const INTEGER = /^[+-]?\d{1,15}$/;
const INDEXED_ITEM = /^(\d{1,3})\.(.+)$/;

const ok = (value: string): Checked => ({ ok: true, value });
const bad = (reason: string): Checked => ({ ok: false, reason });

export function checkValue(def: KeyDefinition, raw: string, ctx: ValueContext): Checked {
  if (typeof raw !== 'string') return bad('not a string');
  if (raw.length > MAX_VALUE_LENGTH) return bad(`longer than ${MAX_VALUE_LENGTH} characters`);
  return checkType(def.type, raw, ctx);
}

function checkType(type: KeyType, raw: string, ctx: ValueContext): Checked {
  switch (type.kind) {
    case 'boolean': {
      const v = raw.trim().toLowerCase();
      return v === 'true' || v === 'false' ? ok(v) : bad('not "true" or "false"');
    }
    case 'integer': {
      const v = raw.trim();
      if (!INTEGER.test(v)) return bad('not an integer');
      const n = Number(v);
      if (n < type.min || n > type.max) return bad(`out of range ${type.min}..${type.max}`);
      return ok(String(n));
    }
    case 'string': {
      if (raw.length < type.minLength || raw.length > type.maxLength) {
        return bad(`length not within ${type.minLength}..${type.maxLength}`);
      }
      return type.pattern && !type.pattern.test(raw) ? bad('wrong format') : ok(raw);
    }
    case 'csl':
      return checkList(type, raw, ctx);
  }
}

function checkList(type: Extract<KeyType, { kind: 'csl' }>, raw: string, ctx: ValueContext): Checked {
  if (raw.trim() === '') return ok('');
  const items = raw.split(',').map((s) => s.trim());
  // §5.3: without a [KeyName]MaxLength key, 1 item is the safe assumption.
  const max = (type.maxLengthKey && ctx.maxItems(type.maxLengthKey)) || 1;
  if (items.length > max) return bad(`more than ${max} items`);
  const out: string[] = [];
  const seen = new Set<string>();
  for (const item of items) {
    let prefix = '';
    let name = item;
    let identity: string | undefined;
    if (type.indexed) {
      const m = INDEXED_ITEM.exec(item);
      if (!m) return bad('an item is not <connectorId>.<value>');
      const id = Number(m[1]);
      if (id > ctx.numberOfConnectors) return bad(`connectorId ${id} does not exist`);
      prefix = `${id}.`;
      name = m[2]!;
      identity = String(id);
    }
    const canonical = type.values.find((v) => v.toLowerCase() === name.toLowerCase());
    if (!canonical) return bad(`unsupported item ${JSON.stringify(name.slice(0, 40))}`);
    identity ??= canonical;
    if (seen.has(identity)) return bad(`duplicate item ${JSON.stringify(identity)}`);
    seen.add(identity);
    out.push(prefix + canonical);
  }
  return ok(out.join(','));
}

/** The items of a canonical list value. */
export function listItems(value: string | undefined): string[] {
  return value ? value.split(',') : [];
}
