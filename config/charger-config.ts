// The shape of a checked config: derived from its schema (./schema.ts), where each field is declared
// and documented once. Frozen after the check, hence read-only all the way down.

import type { Static } from '@sinclair/typebox';
import type { CONFIG_SCHEMA, CONNECTOR_SCHEMA, OCPP_SCHEMA, SAFETY_SCHEMA } from './schema.js';
import type { DeepReadonly } from './schema-builders.js';

export type ChargerConfig = DeepReadonly<Static<typeof CONFIG_SCHEMA>>;
export type ConnectorConfig = DeepReadonly<Static<typeof CONNECTOR_SCHEMA>>;
export type SafetyConfig = DeepReadonly<Static<typeof SAFETY_SCHEMA>>;
export type OcppConfig = DeepReadonly<Static<typeof OCPP_SCHEMA>>;
export type AuthorizationMode = ChargerConfig['authorization']['mode'];
