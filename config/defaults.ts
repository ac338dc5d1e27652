// What a config file leaves out: the `default`s declared in ./schema.ts, with their sources there.

import type { ChargerConfig, SafetyConfig } from './charger-config.js';
import { compiledConfig } from './compiled-schemas.js';

export const DEFAULT_CONFIG: ChargerConfig = compiledConfig().defaults;
export const DEFAULT_SAFETY: SafetyConfig = DEFAULT_CONFIG.safety;
