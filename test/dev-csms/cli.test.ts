// The dev CSMS as a process (main.js) driven by its command line (cli.js).

import { strict as assert } from 'node:assert';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BOOT, Harness } from './helpers.js';

const MAIN = fileURLToPath(new URL('../../tools/dev-csms/main.js', import.meta.url));
const CLI = fileURLToPath(new URL('../../tools/dev-csms/cli.js', import.meta.url));

interface Result {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function cli(args: string[]): Promise<Result> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('dev CSMS: main process and CLI', function () {
  this.timeout(15_000);
  const h = new Harness();
  let dir = '';
  let child: ChildProcess | null = null;
  let ocppUrl = '';
  let apiUrl = '';
  let stderr = '';

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dev-csms-cli-'));
    child = spawn(process.execPath, [
      MAIN, '--port', '0', '--http-port', '0', '--tags', '04A1B2C3D4,CAFE01', '--record', join(dir, 'rec.jsonl'), '--log-level', 'warn',
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr!.on('data', (d) => (stderr += d));
    const deadline = Date.now() + 10_000;
    while (!/developer API: (\S+)/.test(stderr)) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`dev CSMS did not start: ${stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    ocppUrl = /central system URL: (\S+)/.exec(stderr)![1]!;
    apiUrl = /developer API: (\S+)/.exec(stderr)![1]!;
  });

  after(async () => {
    await h.cleanup();
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    await rm(dir, { recursive: true, force: true });
  });

  it('prints how to connect a charger and send commands', () => {
    assert.match(ocppUrl, /^ws:\/\/127\.0\.0\.1:\d+\/ocpp$/);
    assert.match(stderr, /accepted idTags: 04A1B2C3D4, CAFE01/);
    assert.match(stderr, /cli\.js --url http:\/\/127\.0\.0\.1:\d+ call CP-ID Reset/);
  });

  it('drives a connected charge point: charge-points, call, messages, boot-response, tag', async () => {
    const cp = h.client(ocppUrl, 'CP-1');
    await cp.connect();
    cp.handle('Reset', async ({ params }) => ({ status: params?.type === 'Soft' ? 'Accepted' : 'Rejected' }));
    assert.deepEqual(await cp.call('Authorize', { idTag: 'cafe01' }), { idTagInfo: { status: 'Accepted' } });

    const listed = await cli(['--url', apiUrl, 'charge-points']);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /^CP-1 {2}connected /);

    const reset = await cli(['--url', apiUrl, 'call', 'CP-1', 'Reset', '{"type":"Soft"}']);
    assert.equal(reset.code, 0, reset.stderr);
    assert.deepEqual(JSON.parse(reset.stdout), { status: 'Accepted' });

    const messages = await cli(['--url', apiUrl, 'messages', '--cp', 'CP-1', '--action', 'Reset', '--json']);
    assert.deepEqual(JSON.parse(messages.stdout).map((m: { messageType: string }) => m.messageType), ['CALL', 'CALLRESULT']);
    const text = await cli(['--url', apiUrl, 'messages', '--limit', '1']);
    assert.match(text.stdout, /^#4 \S+ CP-1 → CSMS CALLRESULT Reset /);

    assert.equal((await cli(['--url', apiUrl, 'boot-response', 'Pending', '--interval', '5'])).code, 0);
    const boot = (await cp.call('BootNotification', BOOT)) as { status: string; interval: number };
    assert.deepEqual([boot.status, boot.interval], ['Pending', 5]);

    assert.equal((await cli(['--url', apiUrl, 'tag', 'CAFE01', 'Blocked'])).code, 0);
    assert.deepEqual(await cp.call('Authorize', { idTag: 'CAFE01' }), { idTagInfo: { status: 'Blocked' } });
  });

  it('send-local-list and local-list-version: SendLocalList and GetLocalListVersion', async () => {
    const cp = h.client(ocppUrl, 'CP-LIST');
    await cp.connect();
    const received: unknown[] = [];
    cp.handle('SendLocalList', async ({ params }) => {
      received.push(params);
      return { status: 'Accepted' };
    });
    cp.handle('GetLocalListVersion', async () => ({ listVersion: 7 }));
    const full = await cli(['--url', apiUrl, 'send-local-list', 'CP-LIST', 'Full', '7', 'AAA', 'BBB:Blocked', 'CCC:Accepted:FLEET', '--expiry', '2030-01-01T00:00:00Z']);
    assert.equal(full.code, 0, full.stderr);
    assert.deepEqual(JSON.parse(full.stdout), { status: 'Accepted' });
    const diff = await cli(['--url', apiUrl, 'send-local-list', 'CP-LIST', 'Differential', '8', 'AAA:Delete']);
    assert.equal(diff.code, 0, diff.stderr);
    assert.deepEqual(received, [
      {
        listVersion: 7,
        updateType: 'Full',
        localAuthorizationList: [
          { idTag: 'AAA', idTagInfo: { status: 'Accepted', expiryDate: '2030-01-01T00:00:00Z' } },
          { idTag: 'BBB', idTagInfo: { status: 'Blocked', expiryDate: '2030-01-01T00:00:00Z' } },
          { idTag: 'CCC', idTagInfo: { status: 'Accepted', parentIdTag: 'FLEET', expiryDate: '2030-01-01T00:00:00Z' } },
        ],
      },
      { listVersion: 8, updateType: 'Differential', localAuthorizationList: [{ idTag: 'AAA' }] },
    ]);
    const version = await cli(['--url', apiUrl, 'local-list-version', 'CP-LIST']);
    assert.equal(version.code, 0, version.stderr);
    assert.deepEqual(JSON.parse(version.stdout), { listVersion: 7 });
  });

  it('exits 1 with a clear message on a CALLERROR or an unreachable CSMS', async () => {
    const callError = await cli(['--url', apiUrl, 'call', 'CP-1', 'UnlockConnector', '{"connectorId":1}']);
    assert.equal(callError.code, 1);
    assert.match(callError.stderr, /the charge point answered CALLERROR NotImplemented/);
    const away = await cli(['--url', 'http://127.0.0.1:1', 'charge-points']);
    assert.equal(away.code, 1);
    assert.match(away.stderr, /cannot reach the dev CSMS at http:\/\/127\.0\.0\.1:1 .*is it running\?/);
  });

  it('exits 2 on usage errors', async () => {
    for (const args of [[], ['call', 'CP-1'], ['call', 'CP-1', 'Reset', '{type:'], ['boot-response', 'Maybe'], ['frobnicate'], ['--bogus', 'charge-points'],
      ['send-local-list', 'CP-1', 'Partial', '1'], ['send-local-list', 'CP-1', 'Full', '0'], ['send-local-list', 'CP-1', 'Full', '1', 'AAA:Delete'],
      ['send-local-list', 'CP-1', 'Full', '1', 'AAA:Maybe'], ['local-list-version']]) {
      const result = await cli(['--url', apiUrl, ...args]);
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, /Usage: /);
    }
  });

  it('records to the file and stops cleanly on SIGTERM', async () => {
    child!.kill('SIGTERM');
    const [code] = await once(child!, 'exit');
    assert.equal(code, 0);
    const lines = (await readFile(join(dir, 'rec.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    assert.ok(lines.some((m) => m.action === 'Reset' && m.direction === 'out' && m.messageType === 'CALL'));
  });
});
