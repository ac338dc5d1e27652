import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { VirtualClock } from '../../../hal/clock.js';
import { AUTHORIZATION_CACHE_FILE, AuthorizationCache } from '../../../app/ocpp/authorization/authorization-cache.js';
import { OcppAuthorizer } from '../../../app/ocpp/authorization/ocpp-authorizer.js';
import { LocalList } from '../../../app/local-list/local-list.js';
import { ConfigurationStore } from '../../../app/ocpp/configuration/configuration-store.js';
import type { BooleanKey } from '../../../app/ocpp/configuration/keys.js';
import type { PersistenceProblem } from '../../../app/persistence/durable-json-file.js';
import { FakeCaller } from './fake-caller.js';

export const HOUR_MS = 3_600_000;

export type AuthSettings = Partial<Record<Extract<BooleanKey, 'AuthorizationCacheEnabled' | 'LocalPreAuthorize' | 'LocalAuthorizeOffline' | 'AllowOfflineTxForUnknownId' | 'LocalAuthListEnabled'>, boolean>>;

/** A temporary data dir, a virtual clock and the problems reported; fresh for every test. */
export function cacheFixture() {
  const fx = {
    dir: '',
    clock: new VirtualClock(),
    problems: [] as PersistenceProblem[],
    file: () => join(fx.dir, AUTHORIZATION_CACHE_FILE),
    openCache: (maxEntries?: number) =>
      AuthorizationCache.open(fx.dir, { clock: fx.clock, report: (p) => void fx.problems.push(p), ...(maxEntries ? { maxEntries } : {}) }),
    /** Every later write of the cache fails: a directory stands where its temp file goes. */
    breakWrites: () => mkdir(`${fx.file()}.tmp`),
    /** An ISO date `ms` from now on the virtual clock. */
    inMs: (ms: number) => new Date(fx.clock.now() + ms).toISOString(),
  };
  beforeEach(async () => {
    fx.dir = await mkdtemp(join(tmpdir(), 'charger-ocpp-auth-'));
    fx.clock = new VirtualClock();
    fx.problems = [];
  });
  afterEach(async () => {
    await rm(fx.dir, { recursive: true, force: true, maxRetries: 3 });
  });
  return fx;
}

/** The fixture plus a configured authorizer on a fake Central System (cache enabled unless told). */
export function authorizerFixture() {
  const fx = cacheFixture();
  const rig = {
    fx,
    caller: new FakeCaller(),
    cache: undefined as unknown as AuthorizationCache,
    localList: undefined as unknown as LocalList,
    configuration: undefined as unknown as ConfigurationStore,
    authorizer: undefined as unknown as OcppAuthorizer,
    logs: [] as string[],
    async setup(settings: AuthSettings = {}): Promise<OcppAuthorizer> {
      rig.configuration = await ConfigurationStore.open(fx.dir, { numberOfConnectors: 1, report: () => undefined });
      for (const [key, value] of Object.entries({ AuthorizationCacheEnabled: true, ...settings })) {
        if ((await rig.configuration.change(key, String(value))) !== 'Accepted') throw new Error(`could not set ${key}`);
      }
      rig.cache = await fx.openCache();
      rig.localList = await LocalList.open(fx.dir, { clock: fx.clock, limits: () => ({ maxEntries: 10_000, maxChanges: 10_000 }), report: () => undefined });
      rig.authorizer = new OcppAuthorizer({
        caller: rig.caller,
        cache: rig.cache,
        localList: rig.localList,
        configuration: rig.configuration,
        clock: fx.clock,
        log: (message) => void rig.logs.push(message),
      });
      return rig.authorizer;
    },
  };
  beforeEach(() => {
    rig.caller = new FakeCaller();
    rig.logs = [];
  });
  return rig;
}

/** Settles `promise` if it can without time passing or I/O; 'pending' otherwise. */
export async function withoutWaiting<T>(promise: Promise<T>): Promise<T | 'pending'> {
  return Promise.race([promise, new Promise<'pending'>((resolve) => setImmediate(() => resolve('pending')))]);
}
