// Board profiles: what hardware the firmware drives, one JSON file per board in
// config/boards/. The config names one with `board`.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BoardProfile } from './board-profile-types.js';
import { compiledBoardProfile } from './compiled-schemas.js';
import { schemaProblems } from './schema-messages.js';

export type * from './board-profile-types.js';

export class BoardProfileError extends Error {
  constructor(
    message: string,
    readonly file: string,
  ) {
    super(message);
    this.name = 'BoardProfileError';
  }
}

/**
 * config/boards/ of the project: the nearest directory above this module that holds a
 * package.json is the project root. Works from source (config/) and compiled (dist/config/).
 */
function findBoardsDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (let dir = here; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, 'config', 'boards');
    if (dirname(dir) === dir) break;
  }
  // No package.json above (an unusual install): assume the compiled layout.
  return join(here, '..', '..', 'config', 'boards');
}

export const BOARDS_DIR: string = findBoardsDir();

/** Names of the board profiles available, sorted. */
export function listBoardProfiles(dir: string = BOARDS_DIR): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

/** Reads and checks config/boards/<name>.json. */
export function loadBoardProfile(name: string, dir: string = BOARDS_DIR): BoardProfile {
  if (!/^[a-z0-9][a-z0-9_-]*$/.test(name)) {
    throw new BoardProfileError(`board profile name ${JSON.stringify(name)} is not valid`, dir);
  }
  const file = join(dir, `${name}.json`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    const available = listBoardProfiles(dir);
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT'
      ? `no such board profile; available: ${available.join(', ') || '(none)'}`
      : (err as Error).message;
    throw new BoardProfileError(`${file}: ${reason}`, file);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new BoardProfileError(`${file}: must be a JSON object`, file);
  }
  const profile = raw as Record<string, unknown>;
  if (profile['name'] !== name) {
    throw new BoardProfileError(`${file}: "name" must be ${JSON.stringify(name)} (got ${JSON.stringify(profile['name'])})`, file);
  }
  const validate = compiledBoardProfile();
  if (!validate(profile)) {
    // "if/then" and "oneOf" wrappers add nothing a person needs; the errors under them say what is wrong.
    const errors = (validate.errors ?? []).filter((e) => e.keyword !== 'if' && e.keyword !== 'oneOf');
    const problems = schemaProblems(errors, 'the profile');
    throw new BoardProfileError(problems.map((p) => `${file}: ${p.message}`).join('\n'), file);
  }
  return deepFreeze(structuredClone(profile)) as unknown as BoardProfile;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/**
 * The safety-relevant devices a profile drives with real drivers (hal/load-board.ts builds the
 * simulated board only for driver "sim"); empty when every one of them is simulated. What the
 * board is called says nothing: a profile named "sim" may load real drivers.
 */
export function realSafetyDevices(profile: BoardProfile): string[] {
  switch (profile.driver) {
    case 'sim':
      return [];
    case 'direct':
      return ['contactor', 'control pilot', 'residual current monitor', 'emergency stop', 'earth monitor', 'temperature sensors', 'lock'];
    case 'coprocessor':
      return ['safety co-processor (contactor, control pilot, residual current monitor, lock)', 'emergency stop', 'earth monitor', 'temperature sensors'];
  }
}

/**
 * On a board whose contactors the firmware drives itself (direct), the warning to log at start
 * unless the profile declares the RCD trip and the e-stop wired in series with the coils; null
 * when there is nothing to warn of (declared, or a co-processor or the simulation drives them).
 */
export function coilInterlockWarning(profile: BoardProfile): string | null {
  if (profile.driver !== 'direct') return null;
  const missing = [
    ...(profile.coilInterlocks?.residualCurrentTrip ? [] : ['the RCD trip output']),
    ...(profile.coilInterlocks?.emergencyStop ? [] : ['the emergency stop']),
  ];
  if (missing.length === 0) return null;
  return `board profile ${profile.name}: ${missing.join(' and ')} not declared wired in series with the contactor coils ` +
    '(coilInterlocks): the firmware is then the only line between a trip and the coil. Wire them in series and declare it ' +
    '(README, Boards); a co-processor board is the recommended design';
}
