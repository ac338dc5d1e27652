// The config is declared once, in config/schema.ts: the defaults a file falls back to are the
// `default`s declared there, and every field the checked config must have is given one.

import { strict as assert } from 'node:assert';
import { DEFAULT_CONFIG } from '../../config/defaults.js';
import { resolveConfig } from '../../config/load-config.js';
import { CONFIG_SCHEMA } from '../../config/schema.js';
import { schemaDefaults } from '../../config/schema-builders.js';

interface Node {
  type?: string;
  default?: unknown;
  required?: string[];
  properties?: Record<string, Node>;
}

/** Paths of required fields that nothing fills in: neither a default nor (for an object) defaults of its own. */
function requiredWithoutDefault(node: Node, path: string): string[] {
  const missing: string[] = [];
  for (const [key, field] of Object.entries(node.properties ?? {})) {
    const at = path ? `${path}.${key}` : key;
    if (node.required?.includes(key) && field.default === undefined && field.type !== 'object') missing.push(at);
    if (field.type === 'object' && field.default === undefined) missing.push(...requiredWithoutDefault(field, at));
  }
  return missing;
}

describe('config/schema: each field declared once', () => {
  it("the defaults are the schema's declared defaults", () => {
    assert.deepEqual(DEFAULT_CONFIG, schemaDefaults(CONFIG_SCHEMA));
    assert.deepEqual(resolveConfig({}), DEFAULT_CONFIG);
  });

  it('a field the checked config requires has a default, so a file may leave out any field', () => {
    assert.deepEqual(requiredWithoutDefault(CONFIG_SCHEMA as Node, ''), []);
    assert.deepEqual(requiredWithoutDefault({ properties: { a: { type: 'integer' } }, required: ['a'] }, ''), ['a'], 'the check can fail');
  });
});
