import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  ConfigurationStore,
  type ConfigurationProblem,
  type ConfigurationStoreOptions,
} from '../../../app/ocpp/configuration/configuration-store.js';

/** 20 bytes, hex. */
export const KEY_40 = '0123456789abcdef0123456789ABCDEF01234567';

/** A temporary data directory, a problem log, and a way to open stores on it. */
export function storeFixture() {
  const fx = {
    dir: '',
    problems: [] as ConfigurationProblem[],
    open(options: Partial<ConfigurationStoreOptions> = {}): Promise<ConfigurationStore> {
      return ConfigurationStore.open(fx.dir, {
        numberOfConnectors: 2,
        report: (p) => fx.problems.push(p),
        ...options,
      });
    },
  };
  beforeEach(async () => {
    fx.dir = await mkdtemp(join(tmpdir(), 'charger-ocpp-config-'));
    fx.problems = [];
  });
  afterEach(async () => {
    await rm(fx.dir, { recursive: true, force: true, maxRetries: 3 });
  });
  return fx;
}
