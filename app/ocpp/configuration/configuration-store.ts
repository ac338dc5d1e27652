// The OCPP configuration keys' values (keys.ts), answering GetConfiguration (§5.8) and
// ChangeConfiguration (§5.3), persisted in `<dataDir>/ocpp-configuration.json`.
//
// Values come from, in rising precedence: the key table's defaults, the charger config
// (`initial`, e.g. AuthorizationKey, SupportedFeatureProfiles), and what ChangeConfiguration
// stored. Only writable keys are stored. A monotonic key (SecurityProfile) takes the highest.
//
// `change` is serialised and resolves only once the new value is on disk (or Rejected when the
// write failed): an Accepted change survives a power cut. Listeners run after that.
//
// A stored file that fails its check (its checksum or shape: moved aside whole by the adapter)
// or holds a value that does (an unknown or read-only key, an invalid value) is kept whole as
// `ocpp-configuration.json.corrupt-<time>` and reported before the file is rewritten with what
// is usable, so a technician can recover the backend's values from it.

import { join } from 'node:path';
import type { Low } from 'lowdb';

import { openDurableDb, type PersistenceProblem } from '../../persistence/durable-json-file.js';
import { keepAside } from '../../persistence/files.js';
import { findKey, KEY_DEFINITIONS, type BooleanKey, type IntegerKey, type KeyDefinition, type ListKey } from './keys.js';
import { checkValue, listItems, type ValueContext } from './values.js';

export const CONFIGURATION_FILE = 'ocpp-configuration.json';

export type ConfigurationStatus = 'Accepted' | 'Rejected' | 'RebootRequired' | 'NotSupported';

/** §7.29 KeyValue. */
export interface KeyValue {
  readonly key: string;
  readonly readonly: boolean;
  readonly value?: string;
}

/** §6.24 GetConfiguration.conf. */
export interface GetConfigurationResult {
  readonly configurationKey: KeyValue[];
  readonly unknownKey?: string[];
}

/** More keys asked for than GetConfigurationMaxKeys: answer with this CallError code. */
export class TooManyKeysError extends Error {
  readonly rpcErrorCode = 'OccurenceConstraintViolation'; // sic, OCPP-J 1.6 §4.2.3
  constructor(
    readonly requested: number,
    readonly max: number,
  ) {
    super(`GetConfiguration asked for ${requested} keys; GetConfigurationMaxKeys is ${max}`);
  }
}

export interface ConfigurationIssue {
  /** unknown-key / invalid-value: dropped, the previous value (default) is kept. */
  readonly kind: 'unknown-key' | 'invalid-value' | 'listener-failed';
  readonly source: 'stored' | 'initial' | 'listener';
  readonly key: string;
  /** One line for a log; never holds a write-only value. */
  readonly message: string;
}

export type ConfigurationProblem = PersistenceProblem | ConfigurationIssue;

export interface ConfigurationStoreOptions {
  readonly numberOfConnectors: number;
  /** Values from the charger config; checked like any value, unknown or invalid ones reported and ignored. */
  readonly initial?: Readonly<Record<string, string>>;
  /** Told about a corrupt file, a failed write, a dropped value or a failing listener. Default: console.error. */
  readonly report?: (problem: ConfigurationProblem) => void;
  /**
   * Certificate prerequisites of SecurityProfile 2 and 3 (whitepaper A05.FR.03/04): a valid
   * CentralSystemRootCertificate (2, 3) and ChargePointCertificate (3) installed. Default: not met.
   */
  readonly securityProfilePrerequisites?: (profile: number) => boolean;
  /** For the time in a kept file's name. Default: the system time. */
  readonly now?: () => Date;
}

export type ChangeListener = (key: string, value: string) => void;

interface ConfigurationFile {
  version: 1;
  values: Record<string, unknown>;
}

function validateFile(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not an OCPP configuration file';
  const file = value as Record<string, unknown>;
  if (file['version'] !== 1) return `unknown version ${JSON.stringify(file['version'])}`;
  const values = file['values'];
  return typeof values === 'object' && values !== null && !Array.isArray(values) ? null : '"values" is not an object';
}

export class ConfigurationStore {
  private readonly values = new Map<string, string>();
  /** Values at start-up: a reboot key differing from its boot value is RebootRequired. */
  private readonly bootValues: ReadonlyMap<string, string>;
  private readonly listeners = new Set<ChangeListener>();
  private tail: Promise<unknown> = Promise.resolve();
  private readonly ctx: ValueContext;
  /** Stored keys that failed their check at open. */
  private readonly rejectedStoredKeys: string[] = [];

  private constructor(
    private readonly db: Low<ConfigurationFile>,
    private readonly options: ConfigurationStoreOptions,
    private readonly report: (problem: ConfigurationProblem) => void,
  ) {
    this.ctx = {
      numberOfConnectors: options.numberOfConnectors,
      maxItems: (key) => (this.values.has(key) ? Number(this.values.get(key)) : undefined),
    };
    for (const def of KEY_DEFINITIONS as readonly KeyDefinition[]) {
      const d = def.default;
      if (d !== undefined) this.values.set(def.name, typeof d === 'function' ? d(options.numberOfConnectors) : d);
    }
    // Read-only first: the *MaxLength keys bound the lists.
    const initial = Object.entries(options.initial ?? {}).sort(([a], [b]) => Number(!findKey(a)?.readonly) - Number(!findKey(b)?.readonly));
    for (const [key, value] of initial) this.load('initial', key, value);
    const stored = db.data.values;
    db.data.values = {};
    for (const [key, value] of Object.entries(stored)) {
      const name = this.load('stored', key, value);
      if (name) db.data.values[name] = this.values.get(name)!;
      else this.rejectedStoredKeys.push(key);
    }
    this.bootValues = new Map(this.values);
  }

  /** Opens (creating if needed) `<dataDir>/ocpp-configuration.json`. */
  static async open(dataDir: string, options: ConfigurationStoreOptions): Promise<ConfigurationStore> {
    const n = options.numberOfConnectors;
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`bad numberOfConnectors ${n}`);
    const report = options.report ?? ((p: ConfigurationProblem) => console.error(`[ocpp-configuration] ${p.message}`));
    const db = await openDurableDb<ConfigurationFile>(join(dataDir, CONFIGURATION_FILE), () => ({ version: 1, values: {} }), {
      report,
      validate: validateFile,
      fileMode: 0o600, // AuthorizationKey lives here
    });
    const before = JSON.stringify(db.data.values);
    const store = new ConfigurationStore(db, options, report);
    if (store.rejectedStoredKeys.length > 0) await keepRejected(join(dataDir, CONFIGURATION_FILE), store.rejectedStoredKeys, options.now?.() ?? new Date(), report);
    if (JSON.stringify(db.data.values) !== before) await db.write().catch(() => undefined); // reported by the adapter
    return store;
  }

  /** The value of a key (write-only ones too: the client needs AuthorizationKey), or undefined. */
  get(key: string): string | undefined {
    const def = findKey(key);
    return def && this.values.get(def.name);
  }

  boolean(key: BooleanKey): boolean {
    return this.required(key) === 'true';
  }

  integer(key: IntegerKey): number {
    return Number(this.required(key));
  }

  list(key: ListKey): string[] {
    return listItems(this.required(key));
  }

  /** §5.8. Throws TooManyKeysError when more than GetConfigurationMaxKeys keys are named. */
  getConfiguration(keys?: readonly string[]): GetConfigurationResult {
    if (!keys || keys.length === 0) return { configurationKey: (KEY_DEFINITIONS as readonly KeyDefinition[]).map((d) => this.keyValue(d)) };
    const max = this.integer('GetConfigurationMaxKeys');
    if (keys.length > max) throw new TooManyKeysError(keys.length, max);
    const known = new Map<string, KeyValue>();
    const unknown = new Set<string>();
    for (const key of keys) {
      const def = findKey(key);
      if (def) known.set(def.name, this.keyValue(def));
      else unknown.add(key);
    }
    const result = { configurationKey: [...known.values()] };
    return unknown.size ? { ...result, unknownKey: [...unknown] } : result;
  }

  /** §5.3. Resolves once an accepted value is on disk; changes are applied one at a time. */
  change(key: string, value: string): Promise<ConfigurationStatus> {
    const run = this.tail.then(() => this.changeNow(key, value));
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Called after a 'live' key changed (not for RebootRequired ones). Returns an unsubscribe. */
  onChange(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  private async changeNow(key: string, raw: string): Promise<ConfigurationStatus> {
    const def = findKey(key);
    if (!def) return 'NotSupported';
    if (def.readonly) return 'Rejected';
    const checked = checkValue(def, raw, this.ctx);
    if (!checked.ok) return 'Rejected';
    const value = checked.value;
    const current = this.values.get(def.name);
    if (def.monotonic && current !== undefined && Number(value) <= Number(current)) return 'Rejected';
    if (def.name === 'SecurityProfile' && !this.securityProfileAllowed(Number(value))) return 'Rejected';

    if (value !== current) {
      const stored = this.db.data.values;
      const previous = stored[def.name];
      stored[def.name] = value;
      try {
        await this.db.write();
      } catch {
        if (previous === undefined) delete stored[def.name];
        else stored[def.name] = previous;
        return 'Rejected'; // not set: the write failed (reported by the adapter)
      }
      this.values.set(def.name, value);
    }
    if (def.apply === 'reboot') return value === this.bootValues.get(def.name) ? 'Accepted' : 'RebootRequired';
    if (value !== current) this.emit(def.name, value);
    return 'Accepted';
  }

  /** Whitepaper A05.FR.02–04. */
  private securityProfileAllowed(profile: number): boolean {
    const hasPassword = this.values.get('AuthorizationKey') !== undefined;
    if ((profile === 1 || profile === 2) && !hasPassword) return false;
    if (profile >= 2) return this.options.securityProfilePrerequisites?.(profile) ?? false;
    return true;
  }

  private emit(key: string, value: string): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(key, value);
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        this.report({ kind: 'listener-failed', source: 'listener', key, message: `an OCPP configuration listener failed on ${key}: ${why}` });
      }
    }
  }

  /** Takes a value from the charger config or the file; returns the key's name if taken. */
  private load(source: 'stored' | 'initial', key: string, raw: unknown): string | undefined {
    const def = findKey(key);
    const where = source === 'stored' ? CONFIGURATION_FILE : 'the charger config';
    if (!def || (source === 'stored' && def.readonly)) {
      const what = def ? 'read-only key' : 'unknown key';
      this.report({ kind: 'unknown-key', source, key, message: `OCPP configuration: ${what} ${JSON.stringify(key)} in ${where} ignored` });
      return undefined;
    }
    const checked = checkValue(def, raw as string, this.ctx); // a non-string is refused
    if (!checked.ok) {
      const kept = def.writeOnly ? 'the previous value' : JSON.stringify(this.values.get(def.name) ?? null);
      const message = `OCPP configuration: ${def.name} in ${where} is invalid (${checked.reason}); keeping ${kept}`;
      this.report({ kind: 'invalid-value', source, key: def.name, message });
      return undefined;
    }
    const current = this.values.get(def.name);
    const keep = def.monotonic && current !== undefined && Number(current) > Number(checked.value);
    if (!keep) this.values.set(def.name, checked.value);
    return def.name;
  }

  private keyValue(def: KeyDefinition): KeyValue {
    const value = def.writeOnly ? undefined : this.values.get(def.name);
    return value === undefined ? { key: def.name, readonly: def.readonly } : { key: def.name, readonly: def.readonly, value };
  }

  private required(key: string): string {
    const value = this.values.get(key);
    if (value === undefined) throw new Error(`OCPP configuration key ${key} has no value`);
    return value;
  }
}

/** Keeps the stored file whole before it is rewritten without `keys`, and reports it. */
async function keepRejected(file: string, keys: readonly string[], at: Date, report: (problem: ConfigurationProblem) => void): Promise<void> {
  const what = `values that fail their check (${keys.map((k) => JSON.stringify(k)).join(', ')})`;
  let keptAt: string | null = null;
  let detail: string;
  try {
    keptAt = await keepAside(file, 'corrupt', at);
    detail = `kept whole as ${keptAt}`;
  } catch (err) {
    detail = `could not keep a copy (${(err as Error).message})`;
  }
  report({ kind: 'corrupt', file, movedTo: keptAt, error: new Error(what), message: `${file} holds ${what}; ${detail}; going on without them` });
}
