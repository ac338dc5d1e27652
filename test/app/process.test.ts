// The firmware as a process: started by its documented command, refused with a bad config,
// killed without warning and started again over the same data directory.

import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../app/main.js', import.meta.url));
const CARD = '04A1B2C3D4';

interface Running {
  readonly child: ChildProcess;
  readonly url: string;
  readonly token: string;
  readonly stderr: () => string;
}

async function writeConfig(dir: string, extra: Record<string, unknown> = {}): Promise<string> {
  const file = join(dir, 'charger.json');
  await writeFile(file, JSON.stringify({
    board: 'sim',
    authorization: { mode: 'allowList', allowList: [CARD] },
    diagnostics: { host: '127.0.0.1', port: 0 },
    ...extra,
  }));
  return file;
}

function run(args: string[]): { child: ChildProcess; stdout: () => string; stderr: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LOG_LEVEL: 'info' } });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

async function start(configFile: string, dataDir: string): Promise<Running> {
  const p = run(['--config', configFile, '--data-dir', dataDir]);
  const deadline = Date.now() + 15_000;
  for (;;) {
    const match = /"url":"(http:\/\/[^"]+)"[^\n]*"msg":"charger running"/.exec(p.stdout());
    if (match) {
      const token = (await readFile(join(dataDir, 'diagnostics-token'), 'utf8')).trim();
      return { child: p.child, url: match[1]!, token, stderr: p.stderr };
    }
    if (p.child.exitCode !== null || Date.now() > deadline) throw new Error(`charger did not start:\n${p.stderr()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function api(r: Running, method: string, path: string, body?: unknown) {
  const response = await fetch(`${r.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${r.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as any };
}

async function until(predicate: () => Promise<boolean>, ms: number, debug?: () => string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`condition not met in time: ${predicate.toString()}\n${debug?.() ?? ""}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the firmware process', function () {
  this.timeout(60_000);
  let dir: string;
  const children: ChildProcess[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'charger-proc-'));
  });
  afterEach(async () => {
    for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses an invalid config, naming the field and what is allowed', async () => {
    const config = await writeConfig(dir, { connectors: [{ connectorId: 1, maxCurrentA: 32, phases: 2, kind: 'socket' }] });
    const p = run(['--config', config, '--data-dir', join(dir, 'data')]);
    assert.equal(await p.exited, 2);
    assert.match(p.stderr(), /refusing to start: .*connectors\[0\]\.phases must be one of 1, 3/);
  });

  it('on a real board whose devices are missing, refuses to start naming the device, its path and why', async () => {
    for (const [board, pattern] of [
      ['direct-ref', /refusing to start: cannot open connector 1 control pilot PWM at \/sys\/class\/pwm\/pwmchip0: no such PWM chip/],
      ['coprocessor-ref', /refusing to start: cannot open safety co-processor at can0: no network interface "can0"/],
    ] as const) {
      const config = await writeConfig(dir, { board });
      const p = run(['--config', config, '--data-dir', join(dir, 'data')]);
      assert.equal(await p.exited, 2, p.stderr());
      assert.match(p.stderr(), pattern);
    }
  });

  it('refuses to start without its arguments', async () => {
    const p = run([]);
    assert.equal(await p.exited, 2);
    assert.match(p.stderr(), /usage: node dist\/app\/main\.js --config FILE --data-dir DIR/);
  });

  it('generates a diagnostics credential at first start and refuses requests without it', async () => {
    const dataDir = join(dir, 'data');
    const r = await start(await writeConfig(dir), dataDir);
    children.push(r.child);
    assert.match(r.token, /^[0-9a-f]{64}$/);
    assert.equal((await fetch(`${r.url}/api/v1/status`)).status, 401);
    assert.equal((await api(r, 'GET', '/api/v1/status')).status, 200);
    assert.match(r.stderr(), /Technician CLI: +node dist\/tools\/charger-cli\.js --url http:\/\/127\.0\.0\.1:\d+ --data-dir /);
  });

  it('killed while charging, it closes the session with PowerLoss at restart and keeps the history', async () => {
    const config = await writeConfig(dir);
    const dataDir = join(dir, 'data');
    let r = await start(config, dataDir);
    children.push(r.child);

    // A first session, finished normally.
    await api(r, 'POST', '/api/v1/sim/connectors/1/plug', { ev: { wakeDelayMs: 0 } });
    await until(async () => (await api(r, 'GET', '/api/v1/connectors/1')).json.status === 'Preparing', 5000);
    await api(r, 'POST', '/api/v1/sim/rfid', { uid: CARD });
    await until(async () => (await api(r, 'GET', '/api/v1/connectors/1')).json.status === 'Charging', 5000);
    await api(r, 'POST', '/api/v1/sim/connectors/1/unplug');
    await until(async () => (await api(r, 'GET', '/api/v1/sessions')).json.sessions[0]?.stopReason === 'EVDisconnected', 5000);

    // A second one, cut off by a kill -9 while charging. (The same card within 2 s would count as the same tap.)
    await new Promise((res) => setTimeout(res, 2100));
    await api(r, 'POST', '/api/v1/sim/connectors/1/plug', { ev: { wakeDelayMs: 0 } });
    await until(async () => (await api(r, 'GET', '/api/v1/connectors/1')).json.status === 'Preparing', 5000);
    await api(r, 'POST', '/api/v1/sim/rfid', { uid: CARD });
    await until(async () => (await api(r, 'GET', '/api/v1/connectors/1')).json.status === 'Charging', 5000);
    await until(async () => (await api(r, 'GET', '/api/v1/sessions')).json.sessions.length === 2, 5000);
    await new Promise((res) => setTimeout(res, 1500));
    r.child.kill('SIGKILL');
    await new Promise((res) => r.child.once('exit', res));

    r = await start(config, dataDir);
    children.push(r.child);
    const sessions = (await api(r, 'GET', '/api/v1/sessions')).json.sessions;
    assert.equal(sessions.length, 2, 'both sessions are kept');
    assert.equal(sessions[0].stopReason, 'EVDisconnected');
    assert.equal(sessions[1].stopReason, 'PowerLoss');
    assert.notEqual(sessions[1].stoppedAt, null);
    assert.ok(sessions[1].meterStopWh >= sessions[1].meterStartWh);
    // The connector reports its real state after the restart: the simulated world restarted with no EV.
    assert.equal((await api(r, 'GET', '/api/v1/connectors/1')).json.status, 'Available');
  });

  it('a software fault while charging (a broken CP driver) ends the process with exit 70 after it logged the fault', async () => {
    const r = await start(await writeConfig(dir), join(dir, 'data'));
    children.push(r.child);
    const exited = new Promise<number | null>((resolve) => r.child.once('exit', (code) => resolve(code)));
    let stdout = '';
    r.child.stdout!.on('data', (d) => (stdout += d));
    await api(r, 'POST', '/api/v1/sim/connectors/1/plug', { ev: { wakeDelayMs: 0 } });
    await until(async () => (await api(r, 'GET', '/api/v1/connectors/1')).json.status === 'Preparing', 5000);
    await api(r, 'POST', '/api/v1/sim/rfid', { uid: CARD });
    await until(async () => (await api(r, 'GET', '/api/v1/connectors/1')).json.status === 'Charging', 5000);
    await api(r, 'POST', '/api/v1/sim/faults', { connectorId: 1, fault: 'outputWriteFails' });
    await api(r, 'POST', '/api/v1/sim/connectors/1/pause').catch(() => null); // C→B: the machine writes the CP and opens the coil

    assert.equal(await exited, 70, 'sysexits.h EX_SOFTWARE'); // the service manager restarts the firmware
    const line = stdout.split('\n').find((l) => l.includes('"failSafe":true'));
    assert.ok(line, `no fail-safe line in the log:\n${stdout.slice(-2000)}`);
    const record = JSON.parse(line!);
    assert.equal(record.level, 60);
    assert.equal(record.source, 'actor');
    assert.match(record.where, /connector 1/);
    assert.match(record.error, /OutputWriteError/);
  });
});
