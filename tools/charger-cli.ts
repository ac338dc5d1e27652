#!/usr/bin/env node
// charger-cli: the technician's command line over the charger's diagnostics API.
// Run `charger-cli help` for usage. Exit codes: 0 ok, 1 failure, 2 usage error.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DIAGNOSTICS_TOKEN_FILE } from '../app/diagnostics/credential.js';
import type { ChargerStatus, ConnectorStatus, FaultLogEntry, SessionRecord } from '../app/records.js';
import {
  OVERDRAW_PHASES,
  SIM_FAULT_NAMES,
  isSimFaultName,
  type EvParameters,
  type OverdrawPhase,
  type SimFaultParams,
  type SimulationSnapshot,
} from '../hal/sim/simulation-control.js';
import { CliError, DiagnosticsClient } from './cli/client.js';
import {
  formatCleared,
  formatConnector,
  formatFaultLog,
  formatSessions,
  formatSimulation,
  formatStatus,
} from './cli/format-status.js';

const DEFAULT_URL = 'http://127.0.0.1:8180';

const OPTIONS = {
  url: { type: 'string' },
  token: { type: 'string' },
  'data-dir': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  limit: { type: 'string' },
  cable: { type: 'string' },
  'cable-ohms': { type: 'string' },
  soc: { type: 'string' },
  'target-soc': { type: 'string' },
  'max-current': { type: 'string' },
  phases: { type: 'string' },
  'capacity-wh': { type: 'string' },
  'follow-delay-ms': { type: 'string' },
  'wake-delay-ms': { type: 'string' },
  'ignore-pwm': { type: 'boolean' },
  ventilation: { type: 'boolean' },
  diode: { type: 'boolean' },
  overdraw: { type: 'string' },
  'overdraw-phase': { type: 'string' },
  temperature: { type: 'string' },
  location: { type: 'string' },
  'duration-ms': { type: 'string' },
  'glitch-level': { type: 'string' },
} as const;

type OptionName = keyof typeof OPTIONS;
type Values = { [K in OptionName]?: (typeof OPTIONS)[K]['type'] extends 'boolean' ? boolean : string };

const GLOBAL_OPTIONS: readonly OptionName[] = ['url', 'token', 'data-dir', 'json', 'help'];
const EV_OPTIONS: readonly OptionName[] = [
  'soc', 'target-soc', 'max-current', 'phases', 'capacity-wh', 'follow-delay-ms', 'wake-delay-ms',
  'ignore-pwm', 'ventilation', 'diode', 'overdraw', 'overdraw-phase',
];
const FAULT_OPTIONS: readonly OptionName[] = ['temperature', 'location', 'duration-ms', 'overdraw', 'overdraw-phase', 'glitch-level'];

const USAGE = `Usage: charger-cli [--url URL] [--token TOKEN | --data-dir DIR] [--json] COMMAND

Connection:
  --url URL          diagnostics API (default ${DEFAULT_URL}, env CHARGER_URL)
  --token TOKEN      bearer token (env CHARGER_TOKEN)
  --data-dir DIR     read the token from DIR/${DIAGNOSTICS_TOKEN_FILE} (the charger's data directory)
  --json             print the raw JSON answer

Commands:
  status                          the whole charger: display, station faults, every connector
  connector N                     one connector
  faults [--limit N]              the fault log (newest N, 1–2000)
  sessions                        the charging sessions
  reset [N]                       technician reset of latched faults (all connectors, or N)

Simulated board only:
  sim show                        the simulated hardware
  sim plug N [--cable 13|20|32|63] [--cable-ohms OHMS] [EV options]
  sim unplug N
  sim ev N EV options             change the EV behind connector N
  sim pause N | sim resume N      the EV stops / resumes asking for power
  sim card UID                    present an RFID card (4–20 hex digits)
  sim mains V1 V2 V3              set the mains voltages
  sim fault inject (N|station) FAULT [--temperature C] [--location socket|enclosure]
                                  [--duration-ms MS] [--overdraw A] [--overdraw-phase 1|2|3|all]
                                  [--glitch-level V]
  sim fault clear (N|station) FAULT
  help

EV options: --soc %  --target-soc %  --max-current A  --phases 1|3  --capacity-wh WH
            --follow-delay-ms MS  --wake-delay-ms MS  --overdraw A  --overdraw-phase 1|2|3|all
            --[no-]ignore-pwm  --[no-]ventilation  --[no-]diode
Faults: ${SIM_FAULT_NAMES.join(', ')}
Negative numbers: --temperature=-10
`;

const usageError = (message: string) => new CliError(`${message}\nRun "charger-cli help" for usage.`, 2);

function number(option: string, text: string, integer = false): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
    throw usageError(`--${option} must be ${integer ? 'a whole number' : 'a number'}, got "${text}"`);
  }
  return value;
}

function connectorArg(text: string | undefined, allowStation = false): number | null {
  if (allowStation && text === 'station') return null;
  if (text === undefined || !/^[0-9]{1,6}$/.test(text)) {
    throw usageError(`expected a connector number${allowStation ? ' or "station"' : ''}, got "${text ?? ''}"`);
  }
  return Number(text);
}

function overdrawPhase(text: string): OverdrawPhase {
  const phase = OVERDRAW_PHASES.find((p) => String(p) === text);
  if (phase === undefined) throw usageError(`--overdraw-phase must be one of ${OVERDRAW_PHASES.join(', ')}, got "${text}"`);
  return phase;
}

function evParameters(v: Values): Partial<EvParameters> {
  const ev: { -readonly [K in keyof EvParameters]?: EvParameters[K] } = {};
  if (v.soc !== undefined) ev.socPercent = number('soc', v.soc);
  if (v['target-soc'] !== undefined) ev.targetSocPercent = number('target-soc', v['target-soc']);
  if (v['max-current'] !== undefined) ev.maxCurrentA = number('max-current', v['max-current']);
  if (v.phases !== undefined) {
    if (v.phases !== '1' && v.phases !== '3') throw usageError(`--phases must be 1 or 3, got "${v.phases}"`);
    ev.phases = v.phases === '1' ? 1 : 3;
  }
  if (v['capacity-wh'] !== undefined) ev.batteryCapacityWh = number('capacity-wh', v['capacity-wh']);
  if (v['follow-delay-ms'] !== undefined) ev.followDelayMs = number('follow-delay-ms', v['follow-delay-ms'], true);
  if (v['wake-delay-ms'] !== undefined) ev.wakeDelayMs = number('wake-delay-ms', v['wake-delay-ms'], true);
  if (v.overdraw !== undefined) ev.overdrawA = number('overdraw', v.overdraw);
  if (v['overdraw-phase'] !== undefined) ev.overdrawPhase = overdrawPhase(v['overdraw-phase']);
  if (v['ignore-pwm'] !== undefined) ev.ignorePwm = v['ignore-pwm'];
  if (v.ventilation !== undefined) ev.requestsVentilation = v.ventilation;
  if (v.diode !== undefined) ev.hasDiode = v.diode;
  return ev;
}

function faultParams(v: Values): SimFaultParams | undefined {
  const p: { -readonly [K in keyof SimFaultParams]?: SimFaultParams[K] } = {};
  if (v.temperature !== undefined) p.temperatureC = number('temperature', v.temperature);
  if (v.location !== undefined) {
    if (v.location !== 'socket' && v.location !== 'enclosure') {
      throw usageError(`--location must be socket or enclosure, got "${v.location}"`);
    }
    p.location = v.location;
  }
  if (v['duration-ms'] !== undefined) p.durationMs = number('duration-ms', v['duration-ms'], true);
  if (v.overdraw !== undefined) p.overdrawA = number('overdraw', v.overdraw);
  if (v['overdraw-phase'] !== undefined) p.overdrawPhase = overdrawPhase(v['overdraw-phase']);
  if (v['glitch-level'] !== undefined) p.glitchLevelV = number('glitch-level', v['glitch-level']);
  return Object.keys(p).length > 0 ? p : undefined;
}

function faultArg(text: string | undefined): string {
  if (!isSimFaultName(text)) throw usageError(`unknown fault "${text ?? ''}"; one of: ${SIM_FAULT_NAMES.join(', ')}`);
  return text;
}

interface Output {
  readonly json: unknown;
  readonly text: string;
}

interface Command {
  /** Positional arguments after the command words: [required, optional]. */
  readonly args: readonly [number, number];
  readonly options: readonly OptionName[];
  run(client: DiagnosticsClient, args: readonly string[], v: Values): Promise<Output>;
}

const simMutation = (verb: (args: readonly string[]) => string) =>
  (snapshot: SimulationSnapshot, args: readonly string[]): Output => ({
    json: snapshot,
    text: `${verb(args)}\n${formatSimulation(snapshot)}`,
  });

const faultTarget = (id: number | null) => (id === null ? 'the station' : `connector ${id}`);

const COMMANDS: Record<string, Command> = {
  status: {
    args: [0, 0],
    options: [],
    async run(client) {
      const status = await client.request<ChargerStatus>('GET', '/api/v1/status');
      return { json: status, text: formatStatus(status) };
    },
  },
  connector: {
    args: [1, 0],
    options: [],
    async run(client, [n]) {
      const c = await client.request<ConnectorStatus>('GET', `/api/v1/connectors/${connectorArg(n)}`);
      return { json: c, text: formatConnector(c) };
    },
  },
  faults: {
    args: [0, 0],
    options: ['limit'],
    async run(client, _args, v) {
      const query = v.limit === undefined ? '' : `?limit=${number('limit', v.limit, true)}`;
      const answer = await client.request<{ entries: FaultLogEntry[] }>('GET', `/api/v1/faults${query}`);
      return { json: answer, text: formatFaultLog(answer.entries) };
    },
  },
  sessions: {
    args: [0, 0],
    options: [],
    async run(client) {
      const answer = await client.request<{ sessions: SessionRecord[] }>('GET', '/api/v1/sessions');
      return { json: answer, text: formatSessions(answer.sessions) };
    },
  },
  reset: {
    args: [0, 1],
    options: [],
    async run(client, [n]) {
      const connectorId = n === undefined ? null : connectorArg(n);
      const answer = await client.request<{ cleared: { connectorId: number | null; fault: string }[] }>(
        'POST', '/api/v1/faults/reset', { connectorId },
      );
      return { json: answer, text: formatCleared(answer.cleared) };
    },
  },
  'sim show': {
    args: [0, 0],
    options: [],
    async run(client) {
      const snapshot = await client.request<SimulationSnapshot>('GET', '/api/v1/sim');
      return { json: snapshot, text: formatSimulation(snapshot) };
    },
  },
  'sim plug': {
    args: [1, 0],
    options: ['cable', 'cable-ohms', ...EV_OPTIONS],
    async run(client, args, v) {
      const id = connectorArg(args[0]);
      const body: { cableRatingA?: number; cableOhms?: number; ev?: Partial<EvParameters> } = {};
      if (v.cable !== undefined) {
        const cable = number('cable', v.cable, true);
        if (![13, 20, 32, 63].includes(cable)) throw usageError(`--cable must be 13, 20, 32 or 63, got "${v.cable}"`);
        body.cableRatingA = cable;
      }
      if (v['cable-ohms'] !== undefined) body.cableOhms = number('cable-ohms', v['cable-ohms']);
      const ev = evParameters(v);
      if (Object.keys(ev).length > 0) body.ev = ev;
      const snapshot = await client.request<SimulationSnapshot>('POST', `/api/v1/sim/connectors/${id}/plug`, body);
      return simMutation(() => `Plugged connector ${id}.`)(snapshot, args);
    },
  },
  'sim unplug': {
    args: [1, 0],
    options: [],
    async run(client, args) {
      const id = connectorArg(args[0]);
      const snapshot = await client.request<SimulationSnapshot>('POST', `/api/v1/sim/connectors/${id}/unplug`);
      return simMutation(() => `Unplugged connector ${id}.`)(snapshot, args);
    },
  },
  'sim ev': {
    args: [1, 0],
    options: EV_OPTIONS,
    async run(client, args, v) {
      const id = connectorArg(args[0]);
      const ev = evParameters(v);
      if (Object.keys(ev).length === 0) throw usageError('sim ev needs at least one EV option, e.g. --soc 50');
      const snapshot = await client.request<SimulationSnapshot>('PATCH', `/api/v1/sim/connectors/${id}/ev`, ev);
      return simMutation(() => `Updated the EV on connector ${id}.`)(snapshot, args);
    },
  },
  'sim pause': {
    args: [1, 0],
    options: [],
    async run(client, args) {
      const id = connectorArg(args[0]);
      const snapshot = await client.request<SimulationSnapshot>('POST', `/api/v1/sim/connectors/${id}/pause`);
      return simMutation(() => `Paused the EV on connector ${id}.`)(snapshot, args);
    },
  },
  'sim resume': {
    args: [1, 0],
    options: [],
    async run(client, args) {
      const id = connectorArg(args[0]);
      const snapshot = await client.request<SimulationSnapshot>('POST', `/api/v1/sim/connectors/${id}/resume`);
      return simMutation(() => `Resumed the EV on connector ${id}.`)(snapshot, args);
    },
  },
  'sim card': {
    args: [1, 0],
    options: [],
    async run(client, args) {
      const uid = args[0]!;
      if (!/^[0-9A-Fa-f]{4,20}$/.test(uid)) throw usageError(`the card UID must be 4 to 20 hex digits, got "${uid}"`);
      const snapshot = await client.request<SimulationSnapshot>('POST', '/api/v1/sim/rfid', { uid });
      return simMutation(() => `Presented card ${uid.toUpperCase()}.`)(snapshot, args);
    },
  },
  'sim mains': {
    args: [3, 0],
    options: [],
    async run(client, args) {
      const voltages = args.map((a) => number('mains', a));
      const snapshot = await client.request<SimulationSnapshot>('PUT', '/api/v1/sim/mains', { voltages });
      return simMutation(() => `Mains set to ${voltages.join('/')} V.`)(snapshot, args);
    },
  },
  'sim fault inject': {
    args: [2, 0],
    options: FAULT_OPTIONS,
    async run(client, args, v) {
      const connectorId = connectorArg(args[0], true);
      const fault = faultArg(args[1]);
      const params = faultParams(v);
      const body = params === undefined ? { connectorId, fault } : { connectorId, fault, params };
      const snapshot = await client.request<SimulationSnapshot>('POST', '/api/v1/sim/faults', body);
      return simMutation(() => `Injected ${fault} on ${faultTarget(connectorId)}.`)(snapshot, args);
    },
  },
  'sim fault clear': {
    args: [2, 0],
    options: [],
    async run(client, args) {
      const connectorId = connectorArg(args[0], true);
      const fault = faultArg(args[1]);
      const snapshot = await client.request<SimulationSnapshot>('POST', '/api/v1/sim/faults/clear', { connectorId, fault });
      return simMutation(() => `Cleared ${fault} on ${faultTarget(connectorId)}.`)(snapshot, args);
    },
  },
};

/** The longest command name the positionals start with, and the arguments after it. */
function findCommand(positionals: readonly string[]): { name: string; command: Command; args: string[] } {
  for (let words = 3; words >= 1; words--) {
    const name = positionals.slice(0, words).join(' ');
    const command = COMMANDS[name];
    if (command && positionals.length >= words) return { name, command, args: positionals.slice(words) };
  }
  const prefix = positionals.slice(0, positionals[0] === 'sim' && positionals[1] === 'fault' ? 2 : 1).join(' ');
  const known = Object.keys(COMMANDS).filter((c) => c.startsWith(`${prefix} `));
  if (known.length > 0) {
    throw usageError(`"${prefix}" needs a subcommand: ${known.map((c) => c.slice(prefix.length + 1)).join(', ')}`);
  }
  throw usageError(`unknown command "${positionals.join(' ')}"`);
}

async function resolveToken(v: Values): Promise<string> {
  if (v.token !== undefined && v.token.trim() !== '') return v.token.trim();
  if (v['data-dir'] !== undefined) {
    const file = join(v['data-dir'], DIAGNOSTICS_TOKEN_FILE);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new CliError(`cannot read the token from ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
    if (text.trim() === '') throw new CliError(`the token file ${file} is empty`);
    return text.trim();
  }
  const env = process.env.CHARGER_TOKEN?.trim();
  if (env) return env;
  throw usageError('no token: pass --token TOKEN, set CHARGER_TOKEN, or pass --data-dir DIR (the charger\'s data directory)');
}

function resolveUrl(v: Values): string {
  const url = v.url ?? process.env.CHARGER_URL ?? DEFAULT_URL;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw usageError(`--url is not a URL: "${url}"`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw usageError(`--url must be http(s), got "${url}"`);
  return url;
}

async function run(argv: readonly string[], out: (text: string) => void): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, allowNegative: true, strict: true });
  } catch (error) {
    throw usageError(error instanceof Error ? error.message : String(error));
  }
  const v = parsed.values as Values;
  const positionals = parsed.positionals;
  if (v.help || positionals[0] === 'help') {
    out(USAGE);
    return;
  }
  if (positionals.length === 0) throw usageError('no command given');

  const { name, command, args } = findCommand(positionals);
  const [required, optional] = command.args;
  if (args.length < required || args.length > required + optional) {
    throw usageError(`"${name}" takes ${optional > 0 ? `${required} to ${required + optional}` : required} argument(s), got ${args.length}`);
  }
  for (const option of Object.keys(v) as OptionName[]) {
    if (v[option] !== undefined && !GLOBAL_OPTIONS.includes(option) && !command.options.includes(option)) {
      throw usageError(`"${name}" does not take --${option}`);
    }
  }

  const url = resolveUrl(v);
  const client = new DiagnosticsClient({ url, token: await resolveToken(v) });
  const output = await command.run(client, args, v);
  out(v.json ? JSON.stringify(output.json, null, 2) : output.text);
}

run(process.argv.slice(2), (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`)).then(
  () => {
    process.exitCode = 0;
  },
  (error: unknown) => {
    if (error instanceof CliError) {
      process.stderr.write(`charger-cli: ${error.message}\n`);
      process.exitCode = error.exitCode;
    } else {
      process.stderr.write(`charger-cli: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    }
  },
);
