// The config and board profile validators, as compiled at build time (tools/build/compile-schemas.ts
// writes them next to this module in dist/): a start loads them instead of compiling the schemas.

import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { ErrorObject } from 'ajv';
import type { ChargerConfig } from './charger-config.js';

export interface CompiledValidator {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

/** dist/ was built without the step that compiles the schemas. */
export class BuildIncompleteError extends Error {
  override readonly name = 'BuildIncompleteError';
}

/** Loads a module the build step generates; without it the build is incomplete, and says so. */
export function loadCompiled<T>(path: string, from: string): T {
  try {
    return createRequire(from)(path) as T;
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' && (error as Error).message.includes(path.replace(/^\.\//, ''));
    if (!missing) throw error;
    throw new BuildIncompleteError(`${fileURLToPath(new URL(path, from))} is missing: build with make build (tsc, then tools/build/compile-schemas.ts)`);
  }
}

interface CompiledConfig {
  readonly validate: CompiledValidator;
  readonly defaults: ChargerConfig;
}

let config: CompiledConfig | undefined;
let boardProfile: { validate: CompiledValidator } | undefined;

/** The config file's validator and the defaults, from config/schema.ts. */
export function compiledConfig(): CompiledConfig {
  config ??= loadCompiled<CompiledConfig>('./compiled/config-schema.cjs', import.meta.url);
  return config;
}

/** The board profile validator, from config/board-profile-schema.ts. */
export function compiledBoardProfile(): CompiledValidator {
  boardProfile ??= loadCompiled<{ validate: CompiledValidator }>('./compiled/board-profile-schema.cjs', import.meta.url);
  return boardProfile.validate;
}
