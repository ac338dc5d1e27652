// The config and board profile validators, as compiled at build time (tools/build/compile-schemas.ts
// writes them next to this module in dist/): a start loads them instead of compiling the schemas.

import { createRequire } from 'node:module';
import type { ErrorObject } from 'ajv';
import type { ChargerConfig } from './charger-config.js';

export interface CompiledValidator {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

/** Loads a module the build step generates; without it the build is incomplete, and says so. */
export function loadCompiled<T>(path: string, from: string): T {
  try {
    return createRequire(from)(path) as T;
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' && (error as Error).message.includes(path.replace(/^\.\//, ''));
    if (!missing) throw error;
    throw new Error(`${path} (relative to ${from}) is missing: the build compiles it after tsc (make build)`);
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
