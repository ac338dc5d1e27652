#!/usr/bin/env node
// `make run`: the dev CSMS and the charger (simulated board) connected to it, in two processes.
//
//   node dist/tools/dev-stack.js [--config FILE] [--data-dir DIR]
//                                [--csms-port N] [--csms-http-port N] [--diagnostics-port N]
//
// Starts dist/tools/dev-csms/main.js (accepting the config's allow-list cards as idTags), then the
// firmware with `ocpp.csmsUrl` pointing at it, and prints (stderr) how to drive both. The charger's
// JSON log lines go to stdout as they come; everything else goes to stderr. SIGINT (Ctrl-C) or
// SIGTERM stops the charger, then the CSMS; a second Ctrl-C kills both at once.
//
// When the CSMS URL or the diagnostics port differ from the config file (port 0, another port), the
// charger runs a copy of the config with only those fields changed: DATA_DIR/dev-stack.config.json.
// Exit codes: 0 stopped by a signal, 1 one of the two failed, 2 usage or config error.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfigFile } from '../config/load-config.js';

const USAGE = `Usage: node dist/tools/dev-stack.js [options]
  --config FILE            charger config (default config/example.sim.json)
  --data-dir DIR           charger data directory (default run-data)
  --csms-port PORT         dev CSMS OCPP port (default: the port of the config's ocpp.csmsUrl, else 9000; 0 = any)
  --csms-http-port PORT    dev CSMS developer HTTP API port (default 9001, 0 = any)
  --diagnostics-port PORT  charger diagnostics API port (default: the config's, 8180; 0 = any)`;

const CSMS_MAIN = fileURLToPath(new URL('./dev-csms/main.js', import.meta.url));
const FIRMWARE_MAIN = fileURLToPath(new URL('../app/main.js', import.meta.url));
/** As the README runs the firmware. */
const FIRMWARE_NODE_FLAGS = ['--max-semi-space-size=1'];
const DEFAULT_CSMS_PORT = 9000;
const DEFAULT_CSMS_HTTP_PORT = 9001;
const CLI_DEFAULT_CSMS_API = 'http://127.0.0.1:9001';
const CLI_DEFAULT_CHARGER_API = 'http://127.0.0.1:8180';
/** How long each process gets to stop on SIGTERM before it is killed. */
const STOP_GRACE_MS = 3000;
const START_TIMEOUT_MS = 20_000;
const HOST = '127.0.0.1';

class UsageError extends Error {}

interface Options {
  config: string;
  dataDir: string;
  csmsPort: number | undefined;
  csmsHttpPort: number;
  diagnosticsPort: number | undefined;
}

function port(text: string | undefined, name: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) > 65535) throw new UsageError(`${name} must be a port number (0-65535), not ${JSON.stringify(text)}`);
  return Number(text);
}

function parse(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string', default: 'config/example.sim.json' },
      'data-dir': { type: 'string', default: 'run-data' },
      'csms-port': { type: 'string' },
      'csms-http-port': { type: 'string' },
      'diagnostics-port': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  return {
    config: values.config,
    dataDir: values['data-dir'],
    csmsPort: port(values['csms-port'], '--csms-port'),
    csmsHttpPort: port(values['csms-http-port'], '--csms-http-port') ?? DEFAULT_CSMS_HTTP_PORT,
    diagnosticsPort: port(values['diagnostics-port'], '--diagnostics-port'),
  };
}

/** The port of a loopback ws:// csmsUrl (where a dev CSMS can listen), else undefined. */
function loopbackPort(csmsUrl: string | undefined): number | undefined {
  if (!csmsUrl) return undefined;
  const url = new URL(csmsUrl);
  if (url.protocol !== 'ws:' || !['127.0.0.1', 'localhost'].includes(url.hostname)) return undefined;
  return url.port === '' ? 80 : Number(url.port);
}

/** A path as the user should type it from the current directory. */
function shown(path: string): string {
  const rel = relative(process.cwd(), resolve(path));
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : resolve(path);
}

function quote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** Calls `onLine` for each line of a stream, and copies it (line-buffered, so processes do not interleave mid-line). */
function followLines(stream: NodeJS.ReadableStream, copyTo: NodeJS.WritableStream, onLine: (line: string) => void): void {
  createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
    copyTo.write(`${line}\n`);
    try {
      onLine(line);
    } catch {
      // a line we could not make sense of is only copied
    }
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function signal(pid: number | undefined, name: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

function timeout(ms: number): Promise<'timeout'> {
  return new Promise((resolveTimeout) => setTimeout(() => resolveTimeout('timeout'), ms).unref());
}

/**
 * One child and every process that takes its place: the firmware's hard reset (OCPP Reset Hard)
 * respawns it as a new, detached process that inherits its stdout. The pid in each pino line says
 * which process is the charger now; the stdout pipe closes when the last of them is gone.
 */
class Tracked {
  readonly pids = new Set<number>();
  readonly gone: Promise<void>;
  current: number | undefined;

  constructor(readonly name: string, readonly child: ChildProcess) {
    this.current = child.pid;
    if (child.pid !== undefined) this.pids.add(child.pid);
    // 'close': the process exited and every holder of its stdio pipes (a respawned charger too) closed them.
    this.gone = new Promise((resolveGone) => child.once('close', () => resolveGone()));
  }

  adopt(pid: number): void {
    if (this.pids.has(pid)) return;
    this.pids.add(pid);
    this.current = pid;
  }

  /** SIGTERM, then SIGKILL after the grace period. Resolves once gone (true) or when it cannot tell (false). */
  async stop(): Promise<boolean> {
    signal(this.current, 'SIGTERM');
    if ((await Promise.race([this.gone, timeout(STOP_GRACE_MS)])) !== 'timeout') return true;
    process.stderr.write(`dev-stack: ${this.name} did not stop within ${STOP_GRACE_MS} ms of SIGTERM: killing it\n`);
    this.kill();
    if ((await Promise.race([this.gone, timeout(STOP_GRACE_MS)])) !== 'timeout') return true;
    const left = [...this.pids].filter(alive);
    if (left.length > 0) process.stderr.write(`dev-stack: ${this.name} process(es) ${left.join(', ')} may still run\n`);
    return left.length === 0;
  }

  kill(): void {
    for (const pid of this.pids) signal(pid, 'SIGKILL');
  }
}

function instructions(o: {
  chargePointId: string; configShown: string; dataDir: string; csmsUrl: string; csmsApi: string; chargerApi: string; tag: string; tokenFile: string | null;
}): string {
  const chargerCli = `node dist/tools/charger-cli.js${o.chargerApi === CLI_DEFAULT_CHARGER_API ? '' : ` --url ${o.chargerApi}`} ${o.tokenFile ? `--data-dir ${quote(o.dataDir)}` : '--token TOKEN'}`;
  const csmsCli = `node dist/tools/dev-csms/cli.js${o.csmsApi === CLI_DEFAULT_CSMS_API ? '' : ` --url ${o.csmsApi}`}`;
  const cp = quote(o.chargePointId);
  const remoteStart = { connectorId: 1, idTag: o.tag };
  return [
    '',
    `Dev stack running: charger ${o.chargePointId} (${o.configShown}, data in ${o.dataDir}) connected to the dev CSMS at ${o.csmsUrl}`,
    `Charger diagnostics API: ${o.chargerApi}/api/v1/status`,
    `  ${chargerCli} status`,
    `  ${chargerCli} sim plug 1`,
    `  ${chargerCli} sim card ${o.tag}`,
    `  ${chargerCli} sim unplug 1`,
    `dev CSMS developer API: ${o.csmsApi}`,
    `  ${csmsCli} charge-points`,
    `  ${csmsCli} call ${cp} RemoteStartTransaction '${JSON.stringify(remoteStart)}'`,
    `  ${csmsCli} call ${cp} RemoteStopTransaction '{"transactionId":1}'`,
    `  ${csmsCli} call ${cp} GetConfiguration '{}'`,
    `  ${csmsCli} call ${cp} ChangeConfiguration '{"key":"MeterValueSampleInterval","value":"10"}'`,
    `  ${csmsCli} call ${cp} Reset '{"type":"Soft"}'`,
    `  ${csmsCli} messages --cp ${cp} --limit 20`,
    `  curl -s -XPOST ${o.csmsApi}/charge-points/${encodeURIComponent(o.chargePointId)}/call -H 'content-type: application/json' -d '${JSON.stringify({ action: 'RemoteStartTransaction', payload: remoteStart })}'`,
    'Ctrl-C stops both.',
    '',
  ].join('\n');
}

async function main(): Promise<number> {
  let options: Options;
  try {
    options = parse(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`dev-stack: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }

  let config;
  let raw: Record<string, unknown>;
  try {
    config = loadConfigFile(resolve(options.config));
    raw = JSON.parse(await readFile(resolve(options.config), 'utf8')) as Record<string, unknown>;
  } catch (error) {
    process.stderr.write(`dev-stack: ${error instanceof ConfigError ? '' : `${options.config}: `}${(error as Error).message}\n`);
    return 2;
  }
  const csmsPort = options.csmsPort ?? loopbackPort(config.ocpp.csmsUrl) ?? DEFAULT_CSMS_PORT;
  const diagnosticsPort = options.diagnosticsPort ?? config.diagnostics.port;
  const fixed: Array<[string, number]> = [['dev CSMS OCPP', csmsPort], ['dev CSMS HTTP API', options.csmsHttpPort], ['charger diagnostics', diagnosticsPort]];
  for (let i = 0; i < fixed.length; i++) {
    for (let j = i + 1; j < fixed.length; j++) {
      if (fixed[i]![1] !== 0 && fixed[i]![1] === fixed[j]![1]) {
        process.stderr.write(`dev-stack: the ${fixed[i]![0]} port and the ${fixed[j]![0]} port are both ${fixed[i]![1]}\n${USAGE}\n`);
        return 2;
      }
    }
  }
  const tags = config.authorization.allowList;
  const dataDir = resolve(options.dataDir);
  const dataShown = shown(options.dataDir);

  // The dev CSMS first: the charger needs its URL.
  const csmsChild = spawn(process.execPath, [
    CSMS_MAIN, '--host', HOST, '--port', String(csmsPort), '--http-port', String(options.csmsHttpPort),
    ...(tags.length > 0 ? ['--tags', tags.join(',')] : []),
  ], { stdio: ['ignore', 'inherit', 'pipe'] });
  const csms = new Tracked('dev CSMS', csmsChild);
  let charger: Tracked | null = null;
  let stopping = false;
  let exitCode = 0;

  const stopAll = async (code: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    exitCode = code;
    // The charger first, so it does not spend its last moments reconnecting to a CSMS that left.
    if (charger) await charger.stop();
    await csms.stop();
    process.exit(exitCode);
  };
  const onSignal = (name: string) => () => {
    if (stopping) {
      process.stderr.write(`dev-stack: ${name} again: killing both\n`);
      charger?.kill();
      csms.kill();
      return;
    }
    process.stderr.write(`dev-stack: ${name}: stopping the charger, then the dev CSMS\n`);
    void stopAll(0);
  };
  process.on('SIGINT', onSignal('SIGINT'));
  process.on('SIGTERM', onSignal('SIGTERM'));

  const csmsReady = new Promise<{ url: string; api: string }>((resolveReady, rejectReady) => {
    let url: string | undefined;
    followLines(csmsChild.stderr!, process.stderr, (line) => {
      url ??= /charger central system URL: (\S+)/.exec(line)?.[1];
      const api = /^developer API: (\S+)/.exec(line)?.[1];
      if (url && api) resolveReady({ url, api });
    });
    void csms.gone.then(() => rejectReady(new Error(`the dev CSMS exited (code ${csmsChild.exitCode ?? csmsChild.signalCode})`)));
  });
  void csms.gone.then(() => {
    if (stopping) return;
    process.stderr.write('dev-stack: the dev CSMS exited: stopping the charger\n');
    void stopAll(1);
  });

  let endpoints: { url: string; api: string };
  try {
    const ready = await Promise.race([csmsReady, timeout(START_TIMEOUT_MS)]);
    if (ready === 'timeout') throw new Error(`the dev CSMS did not start within ${START_TIMEOUT_MS} ms`);
    endpoints = ready;
  } catch (error) {
    process.stderr.write(`dev-stack: ${(error as Error).message}\n`);
    await stopAll(1);
    return 1;
  }

  // The charger, with ocpp.csmsUrl at this CSMS.
  await mkdir(dataDir, { recursive: true });
  const ocpp = (raw['ocpp'] ?? {}) as Record<string, unknown>;
  const diagnostics = (raw['diagnostics'] ?? {}) as Record<string, unknown>;
  let configFile = resolve(options.config);
  let configShown = shown(options.config);
  if (config.ocpp.csmsUrl !== endpoints.url || config.diagnostics.port !== diagnosticsPort) {
    configFile = join(dataDir, 'dev-stack.config.json');
    configShown = `${shown(options.config)} with ocpp.csmsUrl ${endpoints.url} and diagnostics.port ${diagnosticsPort}, as ${shown(configFile)}`;
    const derived = { ...raw, ocpp: { ...ocpp, csmsUrl: endpoints.url }, diagnostics: { ...diagnostics, port: diagnosticsPort } };
    await writeFile(configFile, `${JSON.stringify(derived, null, 2)}\n`);
  }
  const chargerChild = spawn(process.execPath, [...FIRMWARE_NODE_FLAGS, FIRMWARE_MAIN, '--config', configFile, '--data-dir', dataDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tracked = new Tracked('charger', chargerChild);
  charger = tracked;
  let announced = false;
  followLines(chargerChild.stderr!, process.stderr, () => undefined);
  followLines(chargerChild.stdout!, process.stdout, (line) => {
    if (!line.startsWith('{')) return;
    const entry = JSON.parse(line) as { pid?: number; msg?: string; url?: string; tokenFile?: string };
    if (typeof entry.pid === 'number') tracked.adopt(entry.pid);
    if (entry.msg === 'charger running' && entry.url && !announced) {
      announced = true; // once: a soft reset says it again
      process.stderr.write(instructions({
        chargePointId: config.identity.chargePointId,
        configShown,
        dataDir: dataShown,
        csmsUrl: endpoints.url,
        csmsApi: endpoints.api,
        chargerApi: entry.url,
        tag: tags[0] ?? 'DEADBEEF',
        tokenFile: entry.tokenFile ?? null,
      }));
    }
  });
  void tracked.gone.then(() => {
    if (stopping) return;
    const code = chargerChild.exitCode ?? chargerChild.signalCode;
    process.stderr.write(`dev-stack: the charger exited (code ${code}): stopping the dev CSMS\n`);
    void stopAll(1);
  });
  return -1; // runs until a signal or a child's end
}

main().then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    process.stderr.write(`dev-stack: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
