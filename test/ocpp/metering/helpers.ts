import { createRequire } from 'node:module';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import ocppRpc from 'ocpp-rpc';

import { ConfigurationStore, type ConfigurationStoreOptions } from '../../../app/ocpp/configuration/configuration-store.js';

/** A real ConfigurationStore in a fresh temporary directory per test. */
export function configurationFixture() {
  const fx = {
    dir: '',
    open(options: Partial<ConfigurationStoreOptions> = {}): Promise<ConfigurationStore> {
      return ConfigurationStore.open(fx.dir, { numberOfConnectors: 2, report: () => undefined, ...options });
    },
  };
  beforeEach(async () => {
    fx.dir = await mkdtemp(join(tmpdir(), 'charger-ocpp-metering-'));
  });
  afterEach(async () => {
    await rm(fx.dir, { recursive: true, force: true, maxRetries: 3 });
  });
  return fx;
}

// The OCPP 1.6 JSON schemas ocpp-rpc ships, checked by ocpp-rpc's own validator (its ajv and
// formats), as the backend link checks what we send.
const schemas = createRequire(import.meta.url)('ocpp-rpc/lib/schemas/ocpp1_6.json') as object[];
const validator = ocppRpc.createValidator('ocpp1.6', schemas);

/** The schema's complaint about a request payload, '' when it is valid. */
export function schemaErrors(action: 'MeterValues' | 'StopTransaction', payload: unknown): string {
  try {
    validator.validate(`urn:${action}.req`, payload);
    return '';
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}
