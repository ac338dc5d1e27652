// The real firmware process for the process-level OCPP tests: spawned by its documented command
// (`node dist/app/main.js --config FILE --data-dir DIR`) with a config that points it at a dev
// CSMS running in the test process; driven through the diagnostics API and its /sim routes;
// stopped with SIGKILL (a power cut) or SIGTERM.

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DevCsms } from '../../../tools/dev-csms/csms.js';

const MAIN = fileURLToPath(new URL('../../../app/main.js', import.meta.url));
export const CP_ID = 'CP-PROC-001';
export const TOKEN = 'process-test-token-0123456789';
export const CARDS = ['04A1B2C3D4', '0BADC0DE'] as const;

export interface ConfigOptions {
  readonly csmsUrl: string;
  /** OCPP configuration keys (ocpp.configuration). */
  readonly keys?: Record<string, string>;
  /** ocpp.tls: PEM files. */
  readonly tls?: { readonly caFile?: string; readonly certFile?: string; readonly keyFile?: string };
}

/** Two connectors (a socket and a tethered cable) on a 64 A site, two cards on the allow list, OCPP to `csmsUrl`. */
export async function writeConfig(dir: string, options: ConfigOptions): Promise<string> {
  const file = join(dir, 'charger.json');
  await writeFile(file, JSON.stringify({
    identity: { chargePointId: CP_ID },
    board: 'sim',
    connectors: [
      { connectorId: 1, maxCurrentA: 32, phases: 3, kind: 'socket' },
      { connectorId: 2, maxCurrentA: 32, phases: 1, kind: 'tethered', cableRatingA: 32 },
    ],
    // Room for both connectors at their full 32 A: a session starts at once, not after the other EV
    // has followed a lowered PWM (site sharing, app/metering/site-share.ts), which these tests do not cover.
    site: { maxCurrentA: 64 },
    authorization: { mode: 'allowList', allowList: [...CARDS], cardDebounceMs: 0 },
    metering: { pollIntervalMs: 200 },
    diagnostics: { host: '127.0.0.1', port: 0, token: TOKEN },
    ocpp: { csmsUrl: options.csmsUrl, callTimeoutS: 10, configuration: options.keys ?? {}, tls: options.tls ?? {} },
  }, null, 2));
  return file;
}

/** A TCP port nothing listens on now (for a CSMS that is "down" and comes back on it later). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `predicate` until it holds; throws after `ms` with `what` (and `debug()`). Never an assertion of timing. */
export async function until(what: string, predicate: () => boolean | Promise<boolean>, ms: number, debug?: () => string, abort?: () => boolean): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (abort?.()) throw new Error(`${what}: given up (aborted)`);
    let ok = false;
    try {
      ok = await predicate();
    } catch {
      ok = false;
    }
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms${debug ? `\n${debug()}` : ''}`);
    await sleep(25);
  }
}

export class Firmware {
  readonly child: ChildProcess;
  /** Date.now() at spawn and at exit. */
  readonly spawnedAt = Date.now();
  exitedAt: number | null = null;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private out = '';
  private err = '';
  private baseUrl: string | null = null;
  /** How much of `out` was searched for the diagnostics URL. */
  private scanned = 0;

  constructor(configFile: string, dataDir: string, env: Record<string, string> = {}) {
    this.child = spawn(process.execPath, [MAIN, '--config', configFile, '--data-dir', dataDir], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LOG_LEVEL: 'info', ...env },
    });
    this.child.stdout!.on('data', (d: Buffer) => {
      this.out += d.toString();
      // The latest: a Soft Reset starts the diagnostics server again (on a new port when it is 0).
      const end = this.out.lastIndexOf('\n');
      if (end <= this.scanned) return;
      for (const match of this.out.slice(this.scanned, end).matchAll(/"url":"(http:\/\/[^"]+)"[^\n]*"msg":"charger running"/g)) this.baseUrl = match[1]!;
      this.scanned = end;
    });
    this.child.stderr!.on('data', (d: Buffer) => (this.err += d.toString()));
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => {
      this.exitedAt = Date.now();
      resolve({ code, signal });
    }));
  }

  get stdout(): string {
    return this.out;
  }

  get stderr(): string {
    return this.err;
  }

  get alive(): boolean {
    return this.exitedAt === null;
  }

  /** The diagnostics URL, once the firmware logged "charger running". */
  get url(): string | null {
    return this.baseUrl;
  }

  /** Parsed JSON log lines. */
  logLines(): Array<Record<string, unknown>> {
    return this.out.split('\n').filter((l) => l.startsWith('{')).map((l) => {
      try {
        return JSON.parse(l) as Record<string, unknown>;
      } catch {
        return {};
      }
    });
  }

  async running(ms = 15_000): Promise<void> {
    await until('charger running', () => this.baseUrl !== null, ms, () => `stdout:\n${this.out.slice(-3000)}\nstderr:\n${this.err.slice(-3000)}`, () => !this.alive);
  }

  async api(method: string, path: string, body?: unknown): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
    if (!this.baseUrl) throw new Error('not running');
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(3000),
    });
    const json = await response.json();
    if (response.status !== 200) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
    return json;
  }

  /** A power cut: SIGKILL, and the process is gone. */
  async kill(): Promise<void> {
    if (this.alive) this.child.kill('SIGKILL');
    await this.exited;
  }

  /** A clean stop. */
  async terminate(): Promise<void> {
    if (this.alive) this.child.kill('SIGTERM');
    await this.exited;
  }
}

export interface StatusView {
  readonly ocpp: { connected: boolean; registration: string; queuedMessages: number };
  readonly supervision?: { bootLoop: boolean; recentStarts: number };
}

export async function status(fw: Firmware): Promise<StatusView> {
  return (await fw.api('GET', '/api/v1/status')) as StatusView;
}

/**
 * A whole session on a connector: plug, card, charge until `meterValues` periodic samples are
 * queued after the StartTransaction (with the CSMS away they pile up in the queue), then `stop`.
 * Resolves once the session is stopped and its StopTransaction queued; returns the queue size then.
 */
export async function chargeSession(fw: Firmware, connectorId: number, card: string, options: { meterValues: number; stop: 'unplug' | 'none' }): Promise<number> {
  const connector = async () => (await fw.api('GET', `/api/v1/connectors/${connectorId}`)).status as string;
  const queued = async () => (await status(fw)).ocpp.queuedMessages;
  const before = await queued();
  await fw.api('POST', `/api/v1/sim/connectors/${connectorId}/plug`, { ev: { wakeDelayMs: 0, socPercent: 20 } });
  await until(`connector ${connectorId} Preparing`, async () => (await connector()) === 'Preparing', 5000);
  await fw.api('POST', '/api/v1/sim/rfid', { uid: card });
  await until(`connector ${connectorId} Charging`, async () => (await connector()) === 'Charging', 8000, () => fw.stdout.slice(-2000));
  await until(`${options.meterValues} MeterValues queued`, async () => (await queued()) >= before + 1 + options.meterValues, 15_000);
  if (options.stop === 'none') return queued();
  await fw.api('POST', `/api/v1/sim/connectors/${connectorId}/unplug`);
  await until(`connector ${connectorId} Available`, async () => (await connector()) === 'Available', 5000);
  const sessions = async () => ((await fw.api('GET', '/api/v1/sessions')).sessions as Array<{ connectorId: number; stopReason: string | null }>).filter((s) => s.connectorId === connectorId);
  await until('session stopped', async () => (await sessions()).at(-1)?.stopReason !== null, 5000);
  // The StopTransaction is queued right after the stop is recorded (no sampling since): the size stops growing.
  let last = -1;
  await until('StopTransaction queued', async () => {
    const now = await queued();
    const settled = now === last && now >= before + 2 + options.meterValues;
    last = now;
    return settled;
  }, 5000);
  return last;
}

export interface ProcessTestFixture {
  /** A fresh temporary directory for the test running now. */
  readonly dir: string;
  /** A firmware process, killed after the test. */
  spawn(configFile: string, dataDir: string): Firmware;
  /** Closes `csms` after the test; returns it. */
  closeAfter(csms: DevCsms): DevCsms;
}

/**
 * The life of a process test, for a mocha `describe`: a temporary directory per test; after it,
 * every firmware spawned is killed, the CSMS handed over is closed and the directory removed.
 */
export function processTestFixture(prefix: string, env: Record<string, string> = {}): ProcessTestFixture {
  let dir = '';
  const children: Firmware[] = [];
  const servers: DevCsms[] = [];
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), prefix));
  });
  afterEach(async () => {
    for (const fw of children.splice(0)) await fw.kill();
    for (const csms of servers.splice(0)) await csms.close();
    await rm(dir, { recursive: true, force: true });
  });
  return {
    get dir() {
      return dir;
    },
    spawn(configFile, dataDir) {
      const fw = new Firmware(configFile, dataDir, env);
      children.push(fw);
      return fw;
    },
    closeAfter(csms) {
      servers.push(csms);
      return csms;
    },
  };
}
