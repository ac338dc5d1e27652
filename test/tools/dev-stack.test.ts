// `make run` (tools/dev-stack.ts) end to end: the dev CSMS and the charger as real processes, on
// free ports; the charger boots Accepted, a remote start through the dev CSMS CLI starts a
// transaction, and SIGINT stops both without leaving a process behind.

import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const DIST = fileURLToPath(new URL('../../', import.meta.url));
const DEV_STACK = join(DIST, 'tools', 'dev-stack.js');
const CSMS_CLI = join(DIST, 'tools', 'dev-csms', 'cli.js');
const EXAMPLE = fileURLToPath(new URL('../../../config/example.sim.json', import.meta.url));
const CP = 'CP-SIM-EXAMPLE';
const TAG = '04A1B2C3D4';

const run = promisify(execFile);

async function until<T>(probe: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

interface RecordedMessage {
  messageType: string;
  action?: string;
  payload: Record<string, unknown>;
}

describe('tools/dev-stack (make run)', function () {
  this.timeout(60_000);

  let dir: string;
  let stack: ChildProcess | null = null;
  let stderr = '';
  /** Every process seen: the stack, and the pid of each pino line (charger and dev CSMS). */
  const pids = new Set<number>();

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dev-stack-test-'));
  });

  after(async () => {
    // A failed test must not leave processes behind either.
    if (stack && stack.exitCode === null && stack.signalCode === null) stack.kill('SIGKILL');
    for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  it('starts the dev CSMS and the charger, boots Accepted, remote-starts a transaction, and stops both on SIGINT', async () => {
    const dataDir = join(dir, 'data');
    stack = spawn(process.execPath, [
      DEV_STACK, '--config', EXAMPLE, '--data-dir', dataDir, '--csms-port', '0', '--csms-http-port', '0', '--diagnostics-port', '0',
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
      stack!.once('exit', (code, signal) => resolve({ code, signal })));
    pids.add(stack.pid!);
    const watch = (stream: NodeJS.ReadableStream, keep: boolean) =>
      createInterface({ input: stream }).on('line', (line) => {
        if (keep) stderr += `${line}\n`;
        const pid = /"pid":(\d+)/.exec(line)?.[1];
        if (pid) pids.add(Number(pid));
      });
    watch(stack.stdout!, false);
    watch(stack.stderr!, true);

    const csmsApi = await until(() => /^dev CSMS developer API: (\S+)/m.exec(stderr)?.[1], `the dev-stack instructions; stderr so far:\n${stderr}`, 20_000);
    const chargerApi = /^Charger diagnostics API: (\S+)\/api\/v1\/status/m.exec(stderr)?.[1];
    assert.ok(chargerApi, 'the instructions name the charger diagnostics API');
    assert.match(stderr, new RegExp(`dev-csms/cli.js --url ${csmsApi} call ${CP} RemoteStartTransaction`));
    assert.match(stderr, /charger-cli\.js --url \S+ --data-dir \S+ status/);
    assert.match(stderr, /Ctrl-C stops both/);
    const json = async (url: string, init?: RequestInit) => (await fetch(url, init)).json() as Promise<unknown>;
    const messages = (query: string) => json(`${csmsApi}/messages?chargePointId=${CP}&${query}`) as Promise<RecordedMessage[]>;

    // Booted Accepted at the CSMS.
    const boot = await until(async () => (await messages('action=BootNotification&messageType=CALLRESULT'))[0], 'the BootNotification answer');
    assert.equal(boot.payload['status'], 'Accepted');
    const cps = (await json(`${csmsApi}/charge-points`)) as Array<{ id: string }>;
    assert.deepEqual(cps.map((c) => c.id), [CP]);

    // An EV plugged in on connector 1 (charger diagnostics API), then a remote start from the dev CSMS CLI.
    const token = (await readFile(join(dataDir, 'diagnostics-token'), 'utf8')).trim();
    const plugged = await fetch(`${chargerApi}/api/v1/sim/connectors/1/plug`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{}',
    });
    assert.equal(plugged.status, 200);
    const { stdout } = await run(process.execPath, [CSMS_CLI, '--url', csmsApi, 'call', CP, 'RemoteStartTransaction', JSON.stringify({ connectorId: 1, idTag: TAG })]);
    assert.deepEqual(JSON.parse(stdout), { status: 'Accepted' });
    const start = await until(async () => (await messages('action=StartTransaction&messageType=CALL'))[0], 'a StartTransaction');
    assert.equal(start.payload['connectorId'], 1);
    assert.equal(start.payload['idTag'], TAG);

    // SIGINT stops both; nothing is left.
    stack.kill('SIGINT');
    const { code, signal } = await exited;
    assert.equal(signal, null);
    assert.equal(code, 0, `dev-stack exit code; stderr:\n${stderr.split('\n').filter((l) => !l.startsWith('{')).join('\n')}`);
    assert.ok(pids.size >= 3, `saw the stack, CSMS and charger pids (${[...pids].join(', ')})`);
    await until(() => ([...pids].some(alive) ? undefined : true), `every process to be gone (${[...pids].filter(alive).join(', ')} alive)`, 5000);
    assert.doesNotMatch(stderr, /did not stop within/, 'the charger and the CSMS stopped on SIGTERM, not by a kill');
  });
});
