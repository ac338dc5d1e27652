import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDiagnosticsServer, type DiagnosticsServer } from '../../app/diagnostics/server.js';
import { FakeCharger, FakeSimulation, chargerStatus } from './fakes.js';

const CLI = fileURLToPath(new URL('../../tools/charger-cli.js', import.meta.url));
const TOKEN = 'cli-test-token';

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function runCli(args: readonly string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const base = { ...process.env };
    delete base.CHARGER_URL;
    delete base.CHARGER_TOKEN;
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('charger-cli', function () {
  this.timeout(20000);
  let sim: FakeSimulation;
  let charger: FakeCharger;
  let server: DiagnosticsServer;
  const cli = (...args: string[]) => runCli(['--url', server.url, '--token', TOKEN, ...args]);

  beforeEach(async () => {
    sim = new FakeSimulation();
    charger = new FakeCharger(sim);
    server = await startDiagnosticsServer({ api: charger, simulation: charger.simulation, host: '127.0.0.1', port: 0, token: TOKEN });
  });
  afterEach(async () => {
    await server.close();
  });

  it('status prints a readable summary', async () => {
    const run = await cli('status');
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, '');
    for (const text of [
      'CP-TEST', 'board sim', 'up 1h 02m', 'Charging  7.3 kW', '3.21 kWh',
      'Connector 1  Charging  (charging)', 'duty 53.3 %', '32 A allowed, limited by cable', 'Contactor closed',
      '3.214 kWh this session', '7.34 kW', 'Connector 2  Faulted', 'OverCurrent (OverCurrentFailure)',
    ]) {
      assert.ok(run.stdout.includes(text), `status output should include "${text}":\n${run.stdout}`);
    }
  });

  it('--json prints the raw answer', async () => {
    const run = await cli('--json', 'status');
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), chargerStatus());
  });

  it('sim plug sends the cable and EV parameters', async () => {
    const run = await cli('sim', 'plug', '1', '--cable', '20', '--soc', '30', '--phases', '3', '--max-current', '16', '--no-diode');
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Plugged connector 1\./);
    assert.match(run.stdout, /Mains 230\/230\/230 V/);
    assert.deepEqual(sim.calls, [
      { method: 'plug', args: [1, { cableRatingA: 20, ev: { socPercent: 30, phases: 3, maxCurrentA: 16, hasDiode: false } }] },
    ]);
  });

  it('sim fault inject/clear, card, ev, reset, faults, sessions, connector reach the API', async () => {
    const runs = await Promise.all([
      cli('sim', 'fault', 'inject', 'station', 'emergencyStop'),
      cli('sim', 'fault', 'inject', '1', 'overTemperature', '--temperature', '85', '--location', 'socket'),
      cli('sim', 'fault', 'clear', '1', 'overTemperature'),
      cli('sim', 'card', 'deadbeef'),
      cli('sim', 'ev', '1', '--target-soc', '90', '--ignore-pwm', '--follow-delay-ms', '200', '--overdraw-phase', 'all'),
      cli('sim', 'fault', 'inject', '2', 'evOverdraw', '--overdraw', '10', '--overdraw-phase', '3'),
    ]);
    for (const run of runs) assert.equal(run.code, 0, run.stderr);
    const byMethod = (method: string) => sim.calls.filter((c) => c.method === method).map((c) => c.args);
    assert.deepEqual(byMethod('injectFault').sort((a, b) => String(a[0]).localeCompare(String(b[0]))), [
      [1, 'overTemperature', { temperatureC: 85, location: 'socket' }],
      [2, 'evOverdraw', { overdrawA: 10, overdrawPhase: 3 }],
      [null, 'emergencyStop', undefined],
    ]);
    assert.deepEqual(byMethod('clearFault'), [[1, 'overTemperature']]);
    assert.deepEqual(byMethod('presentCard'), [['DEADBEEF']]);
    assert.deepEqual(byMethod('setEv'), [[1, { targetSocPercent: 90, ignorePwm: true, followDelayMs: 200, overdrawPhase: 'all' }]]);

    const reset = await cli('reset', '2');
    assert.equal(reset.code, 0, reset.stderr);
    assert.match(reset.stdout, /Cleared OverCurrent on connector 2/);
    const faults = await cli('faults', '--limit', '2');
    assert.equal(faults.stdout.trim().split('\n').length, 2);
    assert.match((await cli('sessions')).stdout, /s-1 {2}connector 1 {2}card DEADBEEF/);
    assert.match((await cli('connector', '2')).stdout, /Connector 2 {2}Faulted/);
  });

  it('exits 2 with a message on usage errors, without calling the charger', async () => {
    for (const args of [
      ['sim', 'plug'],
      ['sim', 'plug', 'one'],
      ['status', '--soc', '3'],
      ['frobnicate'],
      ['sim', 'fault', 'inject', '1', 'fire'],
      ['sim', 'plug', '1', '--phases', '2'],
      ['sim', 'ev', '1', '--overdraw-phase', 'L2'],
      ['--bogus', 'status'],
      [],
    ]) {
      const run = await cli(...args);
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, /^charger-cli: .+/);
      assert.equal(run.stdout, '');
    }
    assert.deepEqual(charger.calls, []);
    assert.deepEqual(sim.calls, []);
  });

  it('exits 2 without any token', async () => {
    const run = await runCli(['--url', server.url, 'status']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /no token/);
  });

  it('exits 1 with a message on a wrong token', async () => {
    const run = await runCli(['--url', server.url, '--token', 'wrong', 'status']);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /unauthorized: check --token/);
    assert.equal(run.stdout, '');
  });

  it('exits 1 with the charger\'s message when it refuses', async () => {
    const unknown = await cli('connector', '9');
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no connector 9/);
    sim.failWith = new Error('connector 1 is already plugged');
    const refused = await cli('sim', 'plug', '1');
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /connector 1 is already plugged/);
  });

  it('exits 1 when the board is not simulated', async () => {
    await server.close();
    server = await startDiagnosticsServer({ api: new FakeCharger(null), simulation: null, host: '127.0.0.1', port: 0, token: TOKEN });
    const run = await cli('sim', 'show');
    assert.equal(run.code, 1);
    assert.match(run.stderr, /real hardware/);
  });

  it('reads the token from --data-dir, and URL and token from the environment', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cli-token-'));
    try {
      await writeFile(join(dir, 'diagnostics-token'), `${TOKEN}\n`, { mode: 0o600 });
      const fromDir = await runCli(['--url', server.url, '--data-dir', dir, 'sim', 'show']);
      assert.equal(fromDir.code, 0, fromDir.stderr);
      assert.match(fromDir.stdout, /Connector 1 {2}plugged/);
      const missing = await runCli(['--url', server.url, '--data-dir', join(dir, 'nope'), 'status']);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /cannot read the token from .*diagnostics-token: ENOENT/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const fromEnv = await runCli(['status'], { CHARGER_URL: server.url, CHARGER_TOKEN: TOKEN });
    assert.equal(fromEnv.code, 0, fromEnv.stderr);
  });

  it('exits 1 when the charger cannot be reached', async () => {
    const url = server.url;
    await server.close();
    const run = await runCli(['--url', url, '--token', TOKEN, 'status']);
    assert.equal(run.code, 1);
    assert.equal(run.stderr.trim(), `charger-cli: cannot reach the charger at ${url}: ECONNREFUSED`);
    server = await startDiagnosticsServer({ api: charger, simulation: charger.simulation, host: '127.0.0.1', port: 0, token: TOKEN });
  });

  it('help prints the usage and exits 0', async () => {
    const run = await runCli(['help']);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /^Usage: charger-cli/);
    assert.match(run.stdout, /sim fault inject/);
  });
});
