// The boot-loop guard on a virtual clock and a temp data directory: which starts count as died
// young, what is moved aside (and what never is), the back-off, and the status it exposes.

import { strict as assert } from 'node:assert';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { VirtualClock } from '../../hal/clock.js';
import {
  BOOT_HISTORY_FILE, BootLoopGuard, DEFAULT_LOOP_BACKOFF, bootLoopSettingsFromEnv, type BootLoopGuardOptions,
} from '../../app/supervision/boot-loop-guard.js';

interface Logged {
  level: string;
  message: string;
  fields?: Record<string, unknown>;
}

describe('supervision/boot-loop-guard', () => {
  let dir: string;
  let clock: VirtualClock;
  let logged: Logged[];
  const guards: BootLoopGuard[] = [];

  const start = async (extra: Partial<BootLoopGuardOptions> = {}): Promise<BootLoopGuard> => {
    const guard = await BootLoopGuard.start({
      dataDir: dir,
      clock,
      random: () => 0.5, // no jitter
      log: (level, message, fields) => void logged.push({ level, message, ...(fields ? { fields } : {}) }),
      ...extra,
    });
    guards.push(guard);
    return guard;
  };
  /** A start that is killed after `ms`: its timers die with it. */
  const dieAfter = async (ms: number, extra: Partial<BootLoopGuardOptions> = {}): Promise<BootLoopGuard> => {
    const guard = await start(extra);
    await clock.advance(ms);
    await guard.stop();
    return guard;
  };
  const history = async () => JSON.parse(await readFile(join(dir, BOOT_HISTORY_FILE), 'utf8')) as { version: number; starts: Array<{ at: string; stable: boolean; cleanStop: boolean }> };
  const errors = () => logged.filter((l) => l.level === 'error');

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'charger-bootloop-'));
    clock = new VirtualClock(Date.UTC(2026, 2, 1, 8, 0, 0));
    logged = [];
  });
  afterEach(async () => {
    for (const guard of guards.splice(0)) await guard.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('records each start durably at once, and marks it stable after stableAfterMs (default 60 s)', async () => {
    const guard = await start();
    let h = await history();
    assert.equal(h.version, 1);
    assert.deepEqual(h.starts, [{ at: '2026-03-01T08:00:00.000Z', stable: false, cleanStop: false }]);
    assert.equal(guard.stable, false);
    await clock.advance(59_999);
    assert.equal((await history()).starts[0]!.stable, false);
    await clock.advance(1);
    await guard.stop();
    h = await history();
    assert.equal(h.starts[0]!.stable, true);
    assert.equal(guard.stable, true);
    assert.deepEqual(guard.status, { bootLoop: false, recentStarts: 0 });
    assert.equal(guard.connectDelayMs, 0);
  });

  it('is no boot loop while fewer than N starts in a row died young', async () => {
    for (let i = 0; i < 4; i++) await dieAfter(1000);
    const guard = await start();
    assert.deepEqual(guard.status, { bootLoop: false, recentStarts: 4 });
    assert.equal(guard.connectDelayMs, 0);
    assert.deepEqual(errors(), []);
  });

  it('after N young deaths: reports the loop in one error line (how many, since when, the delay), moves the optional state aside, never the records', async () => {
    await writeFile(join(dir, 'ocpp-authorization-cache.json'), '{"version":1,"entries":[]}');
    await writeFile(join(dir, 'ocpp-availability.json'), '{"version":1,"inoperative":[1]}');
    const records = ['sessions.json', 'fault-log.json', 'ocpp-configuration.json', 'diagnostics-token'];
    for (const name of records) await writeFile(join(dir, name), `${name} content`);
    await mkdir(join(dir, 'ocpp-queue'));
    await writeFile(join(dir, 'ocpp-queue', 'seg-0000000001.log'), 'journal');

    const firstAt = new Date(clock.now()).toISOString();
    for (let i = 0; i < 5; i++) await dieAfter(2000);
    const guard = await start();

    assert.deepEqual(guard.status, { bootLoop: true, recentStarts: 5 });
    assert.equal(guard.connectDelayMs, DEFAULT_LOOP_BACKOFF.initialMs);
    assert.equal(errors().length, 1, JSON.stringify(logged));
    const line = errors()[0]!;
    assert.match(line.message, /^boot loop: the last 5 starts \(since 2026-03-01T08:00:00\.000Z\) all died within 60 s/);
    assert.ok(line.message.includes(firstAt));
    assert.match(line.message, /moved aside ocpp-authorization-cache\.json, ocpp-availability\.json/);
    assert.match(line.message, /connecting to the CSMS delayed by 60 s/);
    assert.equal(line.fields?.['recentStarts'], 5);

    const files = await readdir(dir);
    assert.ok(!files.includes('ocpp-authorization-cache.json') && !files.includes('ocpp-availability.json'), files.join(' '));
    const stamp = new Date(clock.now()).toISOString().replace(/[:.]/g, '-');
    assert.ok(files.includes(`ocpp-authorization-cache.json.bootloop-${stamp}`), files.join(' '));
    assert.equal(await readFile(join(dir, `ocpp-availability.json.bootloop-${stamp}`), 'utf8'), '{"version":1,"inoperative":[1]}');
    assert.deepEqual(guard.movedAside.map((m) => m.file), ['ocpp-authorization-cache.json', 'ocpp-availability.json']);
    for (const name of records) assert.equal(await readFile(join(dir, name), 'utf8'), `${name} content`, `${name} kept`);
    assert.equal(await readFile(join(dir, 'ocpp-queue', 'seg-0000000001.log'), 'utf8'), 'journal');
  });

  it('backs off longer with every further young death, with jitter, up to the cap', async () => {
    const backoff = { initialMs: 1000, maxMs: 5000 };
    for (let i = 0; i < 5; i++) await dieAfter(100, { backoff });
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) delays.push((await dieAfter(100, { backoff })).connectDelayMs);
    assert.deepEqual(delays, [1000, 2000, 4000, 5000]);
    const low = await dieAfter(100, { backoff: { initialMs: 1000, maxMs: 100_000 }, random: () => 0 });
    const high = await dieAfter(100, { backoff: { initialMs: 1000, maxMs: 100_000 }, random: () => 1 });
    assert.equal(low.connectDelayMs, 0.75 * 1000 * 2 ** 4); // the 10th start: 9 young deaths before it
    assert.equal(high.connectDelayMs, 1.25 * 1000 * 2 ** 5);
    assert.deepEqual(high.status, { bootLoop: true, recentStarts: 10 });
  });

  it('a stable start ends the streak; so does a clean stop', async () => {
    for (let i = 0; i < 4; i++) await dieAfter(1000);
    await dieAfter(60_000); // this one became stable
    for (let i = 0; i < 4; i++) await dieAfter(1000);
    assert.deepEqual((await start()).status, { bootLoop: false, recentStarts: 4 });
    await guards.at(-1)!.stop();

    const cleanly = await start();
    await clock.advance(1000);
    await cleanly.stoppedCleanly();
    assert.equal((await history()).starts.at(-1)!.cleanStop, true);
    assert.deepEqual((await start()).status, { bootLoop: false, recentStarts: 0 });
  });

  it('counts the current start as stable again once it has run long enough after a loop', async () => {
    for (let i = 0; i < 5; i++) await dieAfter(100);
    const recovering = await start();
    assert.equal(recovering.status.bootLoop, true);
    await clock.advance(60_000);
    await recovering.stop();
    assert.deepEqual((await start()).status, { bootLoop: false, recentStarts: 0 });
  });

  it('keeps the connect delay across a soft reset: what is left of it', async () => {
    for (let i = 0; i < 5; i++) await dieAfter(100);
    const guard = await start();
    assert.equal(guard.remainingConnectDelayMs(), 60_000);
    await clock.advance(45_000);
    assert.equal(guard.remainingConnectDelayMs(), 15_000);
    await clock.advance(20_000);
    assert.equal(guard.remainingConnectDelayMs(), 0);
  });

  it('keeps a bounded history, and a corrupt one is moved aside and reported, not fatal', async () => {
    for (let i = 0; i < 30; i++) await dieAfter(60_000);
    assert.equal((await history()).starts.length, 20);
    await writeFile(join(dir, BOOT_HISTORY_FILE), '{ not json');
    const guard = await start();
    assert.deepEqual(guard.status, { bootLoop: false, recentStarts: 0 });
    assert.ok(errors().some((l) => /boot-history\.json is corrupt/.test(l.message)), JSON.stringify(errors()));
    assert.ok((await readdir(dir)).some((f) => f.startsWith(`${BOOT_HISTORY_FILE}.corrupt-`)));
    assert.equal((await history()).starts.length, 1);
    // Handed once to the start, which records it as a security event (the log opens after the guard).
    const damage = guard.takeDamageFound();
    assert.equal(damage.length, 1);
    assert.match(damage[0]!, /boot-history\.json is corrupt/);
    assert.deepEqual(guard.takeDamageFound(), []);
  });

  it('starts without protection, saying so, when its file cannot be written', async () => {
    await mkdir(join(dir, BOOT_HISTORY_FILE)); // a directory in the way
    const guard = await start();
    assert.deepEqual(guard.status, { bootLoop: false, recentStarts: 0 });
    assert.ok(errors().some((l) => /starting without boot-loop protection/.test(l.message)), JSON.stringify(errors()));
  });

  it('reads its test settings from the environment, ignoring junk', () => {
    assert.deepEqual(bootLoopSettingsFromEnv({ CHARGER_BOOT_STABLE_AFTER_MS: '5000', CHARGER_BOOT_LOOP_BACKOFF_MS: '200', CHARGER_BOOT_LOOP_STARTS: '3' }), {
      stableAfterMs: 5000, loopStarts: 3, backoff: { initialMs: 200, maxMs: 6000 },
    });
    assert.deepEqual(bootLoopSettingsFromEnv({ CHARGER_BOOT_STABLE_AFTER_MS: 'x', CHARGER_BOOT_LOOP_STARTS: '0', CHARGER_BOOT_LOOP_BACKOFF_MS: '' }), {});
  });
});
