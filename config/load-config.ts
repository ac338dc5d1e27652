// Reads the config file: defaults fill what it leaves out, the schema checks every value
// against its safety bounds, then rules that span several fields. Any problem stops the
// charger from starting, with a message that names the field and what it may be.

import { readFileSync } from 'node:fs';

import type { ChargerConfig, ConnectorConfig } from './charger-config.js';
import { compiledConfig } from './compiled-schemas.js';
import { CABLE_RATINGS_A } from './config-values.js';
import { DEFAULT_CONFIG } from './defaults.js';
import { describeValue, schemaProblems, type SchemaProblem } from './schema-messages.js';
import { BOARDS_DIR, listBoardProfiles, loadBoardProfile, realSafetyDevices, type BoardProfile } from './board-profile.js';
import { C_TO_B_BUDGET_MS, C_TO_B_OPEN_LIMIT_MS, REACTION_MARGIN_MS, cToBPath, maxPilotDebounceMs } from './reaction-budget.js';

export type ConfigProblem = SchemaProblem;

export class ConfigError extends Error {
  /** The field of the first (most important) problem. */
  readonly field: string;
  readonly problems: readonly ConfigProblem[];
  /** The file name, or "config" for a config not read from a file. */
  readonly source: string;

  constructor(source: string, problems: readonly ConfigProblem[]) {
    super(problems.map((p) => `${source}: ${p.message}`).join('\n'));
    this.name = 'ConfigError';
    this.source = source;
    this.problems = problems;
    this.field = problems[0]?.field ?? '';
  }
}

/** Reads, checks and completes a config file. Throws ConfigError. */
export function loadConfigFile(path: string, boardsDir: string = BOARDS_DIR): ChargerConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const reason = e.code === 'ENOENT' ? 'no such file' : e.message;
    throw new ConfigError(path, [{ field: '', message: `cannot read the config file (${reason})` }]);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // BOM from some editors
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(path, [{ field: '', message: describeJsonError(text, err as Error) }]);
  }
  return resolveConfig(raw, path, boardsDir);
}

/**
 * Completes a parsed config with the defaults and checks it, against the board profile it names
 * too (read from `boardsDir`). Returns a deeply frozen config.
 * Throws ConfigError listing every problem, one per line, the most important first.
 */
export function resolveConfig(raw: unknown, source = 'config', boardsDir: string = BOARDS_DIR): ChargerConfig {
  if (!isPlainObject(raw)) {
    throw new ConfigError(source, [{ field: '', message: `the config must be a JSON object (got ${describeValue(raw)})` }]);
  }
  const merged = deepMerge(DEFAULT_CONFIG, raw);
  const { validate } = compiledConfig();
  const schema = validate(merged) ? [] : schemaProblems(validate.errors ?? []);
  const cross = crossFieldProblems(merged as Record<string, unknown>, schema.map((p) => p.field), boardsDir);
  const problems = byImportance([...schema, ...cross]);
  if (problems.length > 0) throw new ConfigError(source, problems);
  return deepFreeze(merged) as unknown as ChargerConfig;
}

// ---------------------------------------------------------------------------------------
// Merging

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Own-property assignment, so a key such as "__proto__" stays data (and is reported as unknown). */
function put(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function clone(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(clone);
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) put(out, k, clone(v));
    return out;
  }
  return value;
}

/** Objects are merged key by key; anything else (arrays included) from `override` replaces. */
function deepMerge(base: unknown, override: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(override)) return clone(override);
  const out = clone(base) as Record<string, unknown>;
  for (const [k, v] of Object.entries(override)) {
    put(out, k, Object.prototype.hasOwnProperty.call(out, k) ? deepMerge(out[k], v) : clone(v));
  }
  return out;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

// ---------------------------------------------------------------------------------------
// Schema errors → messages

/**
 * The first problem is the one most worth fixing first: a safety setting, then the
 * electrical ones (connectors, site), then the rest, each in the file's field order.
 */
function importance(field: string): number {
  if (field.startsWith('safety')) return 0;
  if (field.startsWith('connectors')) return 1;
  if (field.startsWith('site')) return 2;
  if (field.startsWith('board')) return 3;
  return 4;
}

// ---------------------------------------------------------------------------------------
// Rules across fields. They run next to the schema, on the fields the schema found no
// fault with, so one pass reports everything.

function byImportance(problems: readonly ConfigProblem[]): ConfigProblem[] {
  return problems
    .map((p, i) => ({ p, i }))
    .sort((a, b) => importance(a.p.field) - importance(b.p.field) || a.i - b.i)
    .map(({ p }) => p);
}

function crossFieldProblems(config: Record<string, unknown>, schemaFields: readonly string[], boardsDir: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const within = (field: string, prefix: string): boolean =>
    prefix === '' || field === prefix || field.startsWith(`${prefix}.`) || field.startsWith(`${prefix}[`);
  /** Whether the schema found a fault in this field, inside it, or in a field that holds it. */
  const faulty = (path: string): boolean => schemaFields.some((f) => within(f, path) || within(path, f));
  const board = config['board'];
  const safety = isPlainObject(config['safety']) ? config['safety'] : {};

  // Temperature steps: restore < ½ < ¼ < stop, or the derating would skip steps or oscillate.
  const stepNames = ['temperatureRestoreC', 'temperatureDerateHalfC', 'temperatureDerateQuarterC', 'temperatureStopC'] as const;
  if (!stepNames.some((name) => faulty(`safety.${name}`))) {
    for (let i = 1; i < stepNames.length; i++) {
      const prevName = stepNames[i - 1]!;
      const name = stepNames[i]!;
      const prev = safety[prevName] as number;
      const value = safety[name] as number;
      if (!(prev < value)) {
        problems.push({
          field: `safety.${name}`,
          message:
            `safety.${name} must be above safety.${prevName} (got ${value} ≤ ${prev}); the temperature steps must be ` +
            `ordered temperatureRestoreC < temperatureDerateHalfC < temperatureDerateQuarterC < temperatureStopC`,
        });
        break;
      }
    }
  }

  // The board profile: what the board is made of decides the rules below, not what it is called.
  let profile: BoardProfile | null = null;
  if (typeof board === 'string' && !faulty('board')) {
    const boards = listBoardProfiles(boardsDir);
    if (!boards.includes(board)) {
      problems.push({
        field: 'board',
        message: `board must name a profile in config/boards/; available: ${boards.join(', ') || '(none)'} (got ${JSON.stringify(board)})`,
      });
    } else {
      try {
        profile = loadBoardProfile(board, boardsDir);
      } catch (err) {
        problems.push({ field: 'board', message: `board ${JSON.stringify(board)}: ${(err as Error).message}` });
      }
    }
  }

  // C→B: the board's sampling, the debounce, the reaction and the contactor's drop-out must fit the budget.
  if (profile && !faulty('safety.pilotDebounceMs')) {
    const debounce = safety['pilotDebounceMs'] as number;
    const max = maxPilotDebounceMs(profile);
    if (max !== null && debounce > max) {
      const path = cToBPath(profile, debounce);
      problems.push({
        field: 'safety.pilotDebounceMs',
        message:
          `safety.pilotDebounceMs must be at most ${max} on board ${JSON.stringify(profile.name)} (got ${debounce}): its pilot sampling ` +
          `(${path.samplingMs} ms), the debounce, the software reaction (${path.reactionMs} ms) and the contactor drop-out (${path.dropOutMs} ms) ` +
          `must open the contactor within ${C_TO_B_BUDGET_MS} ms of C→B (IEC 61851-1: ${C_TO_B_OPEN_LIMIT_MS} ms, less a ${REACTION_MARGIN_MS} ms margin)`,
      });
    }
  }

  // Switching interlocks off is for development on a board where nothing real can be hurt.
  const disabled = safety['disabledInterlocks'];
  if (Array.isArray(disabled) && disabled.length > 0) {
    const real = profile ? realSafetyDevices(profile) : null;
    if (real === null || real.length > 0) {
      const why = real === null
        ? `the drivers of board ${describeValue(board)} are unknown`
        : `board ${describeValue(board)} loads real drivers (driver "${profile!.driver}": ${real.join(', ')})`;
      problems.push({
        field: 'safety.disabledInterlocks',
        message: `safety.disabledInterlocks is allowed only when every safety device is simulated (board driver "sim"); ${why}`,
      });
    }
  }

  const connectors = config['connectors'];
  if (Array.isArray(connectors) && !faulty('connectors')) {
    const list = connectors as ConnectorConfig[];
    // Connector ids: unique and exactly 1..N.
    const n = list.length;
    const firstIndex = new Map<number, number>();
    list.forEach((c, i) => {
      const prev = firstIndex.get(c.connectorId);
      if (prev !== undefined) {
        problems.push({
          field: `connectors[${i}].connectorId`,
          message: `connectors[${i}].connectorId ${c.connectorId} is already used by connectors[${prev}]; ids must be unique`,
        });
      } else {
        firstIndex.set(c.connectorId, i);
      }
    });
    if (firstIndex.size === n) {
      list.forEach((c, i) => {
        if (c.connectorId > n) {
          problems.push({
            field: `connectors[${i}].connectorId`,
            message: `connectors[${i}].connectorId must be between 1 and ${n}: with ${n} connector(s) the ids must be exactly 1..${n} (got ${c.connectorId})`,
          });
        }
      });
    }
    list.forEach((c, i) => {
      if (c.kind === 'tethered' && c.cableRatingA === undefined) {
        problems.push({
          field: `connectors[${i}].cableRatingA`,
          message: `connectors[${i}].cableRatingA is required for a tethered connector (one of ${CABLE_RATINGS_A.join(', ')})`,
        });
      }
      if (c.kind === 'socket' && c.cableRatingA !== undefined) {
        problems.push({
          field: `connectors[${i}].cableRatingA`,
          message: `connectors[${i}].cableRatingA must not be set for a socket (the cable's rating is read from its proximity pilot) (got ${c.cableRatingA})`,
        });
      }
    });
  }

  const ocpp = isPlainObject(config['ocpp']) ? config['ocpp'] : {};
  const tls = isPlainObject(ocpp['tls']) ? ocpp['tls'] : {};
  if ((tls['certFile'] === undefined) !== (tls['keyFile'] === undefined) && !faulty('ocpp.tls')) {
    const missing = tls['certFile'] === undefined ? 'certFile' : 'keyFile';
    problems.push({
      field: `ocpp.tls.${missing}`,
      message: `ocpp.tls.${missing} is required with ocpp.tls.${missing === 'certFile' ? 'keyFile' : 'certFile'}: the client certificate and its key go together`,
    });
  }


  return problems;
}

// ---------------------------------------------------------------------------------------
// JSON syntax errors: where exactly (Node's message does not always give the position)

function describeJsonError(text: string, err: Error): string {
  const found = locateJsonError(text);
  if (!found) return `invalid JSON: ${err.message}`;
  const before = text.slice(0, found.offset);
  const line = before.split('\n').length;
  const column = found.offset - (before.lastIndexOf('\n') + 1) + 1;
  return `invalid JSON at line ${line}, column ${column} (position ${found.offset}): ${found.reason}`;
}

/** Finds the first syntax error in `text`; null when it is valid JSON. */
export function locateJsonError(text: string): { offset: number; reason: string } | null {
  let pos = 0;
  class Stop {
    constructor(
      readonly offset: number,
      readonly reason: string,
    ) {}
  }
  const fail = (reason: string): never => {
    throw new Stop(pos, pos >= text.length ? 'unexpected end of input' : `${reason}, found ${JSON.stringify(text[pos])}`);
  };
  const ws = (): void => {
    while (pos < text.length && ' \t\n\r'.includes(text[pos]!)) pos++;
  };
  const literal = (word: string): void => {
    for (const ch of word) {
      if (text[pos] !== ch) fail(`expected ${JSON.stringify(word)}`);
      pos++;
    }
  };
  const string = (): void => {
    pos++; // opening quote
    for (;;) {
      if (pos >= text.length) fail('unterminated string');
      const ch = text[pos]!;
      if (ch === '"') {
        pos++;
        return;
      }
      if (ch.charCodeAt(0) < 0x20) fail('control character in string');
      if (ch === '\\') {
        pos++;
        const esc = text[pos];
        if (esc === 'u') {
          pos++;
          for (let k = 0; k < 4; k++) {
            if (!/[0-9a-fA-F]/.test(text[pos] ?? '')) fail('expected a hex digit');
            pos++;
          }
          continue;
        }
        if (esc === undefined || !'"\\/bfnrt'.includes(esc)) fail('invalid escape');
      }
      pos++;
    }
  };
  const number = (): void => {
    const re = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    re.lastIndex = pos;
    const m = re.exec(text);
    if (!m || m[0] === '-' || m[0] === '') fail('expected a number');
    pos += m![0].length;
  };
  const value = (): void => {
    ws();
    const ch = text[pos];
    if (ch === '{') {
      pos++;
      ws();
      if (text[pos] === '}') {
        pos++;
        return;
      }
      for (;;) {
        ws();
        if (text[pos] !== '"') fail('expected a double-quoted field name');
        string();
        ws();
        if (text[pos] !== ':') fail("expected ':' after the field name");
        pos++;
        value();
        ws();
        if (text[pos] === ',') {
          pos++;
          continue;
        }
        if (text[pos] === '}') {
          pos++;
          return;
        }
        fail("expected ',' or '}'");
      }
    } else if (ch === '[') {
      pos++;
      ws();
      if (text[pos] === ']') {
        pos++;
        return;
      }
      for (;;) {
        value();
        ws();
        if (text[pos] === ',') {
          pos++;
          continue;
        }
        if (text[pos] === ']') {
          pos++;
          return;
        }
        fail("expected ',' or ']'");
      }
    } else if (ch === '"') string();
    else if (ch === 't') literal('true');
    else if (ch === 'f') literal('false');
    else if (ch === 'n') literal('null');
    else if (ch === '-' || (ch !== undefined && ch >= '0' && ch <= '9')) number();
    else fail('expected a value');
  };
  try {
    value();
    ws();
    if (pos < text.length) fail('unexpected text after the end of the JSON value');
    return null;
  } catch (e) {
    if (e instanceof Stop) return { offset: e.offset, reason: e.reason };
    throw e;
  }
}
