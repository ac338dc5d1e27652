import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { PersistenceProblem } from '../../app/persistence/durable-json-file.js';
import { SessionStore } from '../../app/persistence/session-store.js';
import { VirtualClock } from '../../hal/clock.js';

const T0 = '2024-05-06T10:00:00.000Z';
const T1 = '2024-05-06T11:00:00.000Z';
const T2 = '2024-05-06T12:00:00.000Z';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('persistence/session-store', () => {
  let root: string;
  let dir: string;
  let problems: PersistenceProblem[];
  const report = (p: PersistenceProblem): void => {
    problems.push(p);
  };
  const onDisk = async () => JSON.parse(await readFile(join(dir, 'sessions.json'), 'utf8'));

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'charger-sessions-'));
    dir = join(root, 'data', 'nested');
    problems = [];
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true, maxRetries: 3 });
  });

  it('creates the data dir and starts empty', async () => {
    const store = await SessionStore.open(dir, { report });
    assert.deepEqual(store.list(), []);
    assert.deepEqual(store.open(), []);
    assert.ok(existsSync(dir));
  });

  it('starts, updates and stops a session', async () => {
    const store = await SessionStore.open(dir, { report });
    const s = store.start({ connectorId: 2, idTag: '04A1B2C3D4', startedAt: T0, meterStartWh: 1000 });
    assert.match(s.sessionId, new RegExp(`^2-${Date.parse(T0)}-[0-9a-f]{4}$`));
    assert.deepEqual(s, {
      sessionId: s.sessionId, connectorId: 2, idTag: '04A1B2C3D4', startedAt: T0, stoppedAt: null,
      meterStartWh: 1000, meterStopWh: null, energyWh: 0, maxPowerW: 0, stopReason: null, stopFault: null,
    });
    assert.ok(Object.isFrozen(s));
    assert.deepEqual(store.open(), [s]);

    assert.equal(store.update(s.sessionId, { meterWh: 1500, powerW: 7000 })?.energyWh, 500);
    const u = store.update(s.sessionId, { meterWh: 2500, powerW: 6500 })!;
    assert.equal(u.energyWh, 1500);
    assert.equal(u.maxPowerW, 7000);
    assert.equal(store.update('nope', { meterWh: 1, powerW: 1 }), null);

    const stopped = store.stop(s.sessionId, { at: T1, meterStopWh: 3000, reason: 'Fault', fault: 'OverTemperature' })!;
    assert.equal(stopped.stoppedAt, T1);
    assert.equal(stopped.meterStopWh, 3000);
    assert.equal(stopped.energyWh, 2000);
    assert.equal(stopped.stopReason, 'Fault');
    assert.equal(stopped.stopFault, 'OverTemperature');
    assert.deepEqual(store.open(), []);
    assert.equal(store.stop(s.sessionId, { at: T2, meterStopWh: 9999, reason: 'Local' }), null);
    assert.equal(store.update(s.sessionId, { meterWh: 9999, powerW: 1 }), null);
    assert.deepEqual(store.list(), [stopped]);
    await store.flush();
  });

  it('keeps its history across a restart', async () => {
    const store = await SessionStore.open(dir, { report });
    const a = store.start({ connectorId: 1, idTag: null, startedAt: T0, meterStartWh: 0 });
    store.update(a.sessionId, { meterWh: 800, powerW: 3600 });
    store.stop(a.sessionId, { at: T1, meterStopWh: 1000, reason: 'EVDisconnected' });
    const b = store.start({ connectorId: 2, idTag: 'ABCD', startedAt: T1, meterStartWh: 50 });
    await store.flush();
    const before = store.list();

    const again = await SessionStore.open(dir, { report });
    assert.deepEqual(again.list(), before);
    assert.deepEqual(again.open().map((s) => s.sessionId), [b.sessionId]);
    assert.ok(again.list().every((s) => Object.isFrozen(s)));
    assert.deepEqual(problems, []);
  });

  it('recoverAfterRestart stops open sessions as PowerLoss at their last meter value', async () => {
    const store = await SessionStore.open(dir, { report, updatePersistIntervalMs: 0 });
    const a = store.start({ connectorId: 1, idTag: 'ABCD', startedAt: T0, meterStartWh: 10_000 });
    const b = store.start({ connectorId: 2, idTag: null, startedAt: T0, meterStartWh: 500 });
    store.update(a.sessionId, { meterWh: 12_345, powerW: 11_000 });
    store.stop(b.sessionId, { at: T1, meterStopWh: 600, reason: 'Local' });
    await store.flush();
    // Power is cut here: nothing else is written.

    const after = await SessionStore.open(dir, { report });
    const recovered = after.recoverAfterRestart(T2);
    assert.equal(recovered.length, 1);
    assert.deepEqual(recovered[0], {
      ...a, stoppedAt: T2, meterStopWh: 12_345, energyWh: 2345, maxPowerW: 11_000, stopReason: 'PowerLoss', stopFault: null,
    });
    assert.deepEqual(after.open(), []);
    assert.equal(after.list().find((s) => s.sessionId === b.sessionId)?.stopReason, 'Local');
    assert.deepEqual(after.recoverAfterRestart(T2), []);
    await after.flush();

    const third = await SessionStore.open(dir, { report });
    assert.equal(third.list().find((s) => s.sessionId === a.sessionId)?.stopReason, 'PowerLoss');
  });

  it('a session never updated recovers at its start meter value', async () => {
    const store = await SessionStore.open(dir, { report });
    store.start({ connectorId: 1, idTag: null, startedAt: T0, meterStartWh: 777 });
    await store.flush();
    const [r] = (await SessionStore.open(dir, { report })).recoverAfterRestart(T1);
    assert.equal(r!.meterStopWh, 777);
    assert.equal(r!.energyWh, 0);
  });

  it('a new session on a connector closes one left open there', async () => {
    const store = await SessionStore.open(dir, { report });
    const a = store.start({ connectorId: 1, idTag: null, startedAt: T0, meterStartWh: 0 });
    store.update(a.sessionId, { meterWh: 400, powerW: 1000 });
    const other = store.start({ connectorId: 2, idTag: null, startedAt: T0, meterStartWh: 0 });
    const b = store.start({ connectorId: 1, idTag: null, startedAt: T1, meterStartWh: 400 });
    assert.deepEqual(store.open().map((s) => s.sessionId), [other.sessionId, b.sessionId]);
    const closed = store.list()[0]!;
    assert.equal(closed.stopReason, 'Other');
    assert.equal(closed.meterStopWh, 400);
    assert.equal(closed.stoppedAt, T1);
    await store.flush();
  });

  it('session ids are unique', async () => {
    const store = await SessionStore.open(dir, { report });
    const ids = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const s = store.start({ connectorId: 1, idTag: null, startedAt: T0, meterStartWh: i });
      ids.add(s.sessionId);
    }
    assert.equal(ids.size, 200);
    await store.flush();
  });

  it('rejects a bad start', async () => {
    const store = await SessionStore.open(dir, { report });
    assert.throws(() => store.start({ connectorId: 0, idTag: null, startedAt: T0, meterStartWh: 0 }), RangeError);
    assert.throws(() => store.start({ connectorId: 1, idTag: null, startedAt: 'yesterday', meterStartWh: 0 }), RangeError);
    assert.throws(() => store.start({ connectorId: 1, idTag: null, startedAt: T0, meterStartWh: NaN }), RangeError);
    assert.deepEqual(store.list(), []);
  });

  it('the file is valid JSON with the latest data after many rapid updates', async () => {
    const store = await SessionStore.open(dir, { report, updatePersistIntervalMs: 0 });
    const s = store.start({ connectorId: 1, idTag: null, startedAt: T0, meterStartWh: 0 });
    for (let wh = 1; wh <= 2000; wh++) store.update(s.sessionId, { meterWh: wh, powerW: wh % 300 });
    await store.flush();
    const file = await onDisk();
    assert.equal(file.version, 1);
    assert.equal(file.sessions[0].energyWh, 2000);
    assert.equal(file.sessions[0].maxPowerW, 299);
    assert.deepEqual(await readdir(dir), ['sessions.json']);
  });

  it('meter updates are written at most every updatePersistIntervalMs; flush writes them at once', async () => {
    const store = await SessionStore.open(dir, { report, updatePersistIntervalMs: 60_000 });
    const s = store.start({ connectorId: 1, idTag: null, startedAt: T0, meterStartWh: 0 });
    await store.flush();
    store.update(s.sessionId, { meterWh: 100, powerW: 1 });
    await sleep(30);
    assert.equal((await onDisk()).sessions[0].energyWh, 0);
    await store.flush();
    assert.equal((await onDisk()).sessions[0].energyWh, 100);

    const quick = await SessionStore.open(join(root, 'quick'), { report, updatePersistIntervalMs: 40 });
    const q = quick.start({ connectorId: 1, idTag: null, startedAt: T0, meterStartWh: 0 });
    quick.update(q.sessionId, { meterWh: 5, powerW: 1 });
    quick.update(q.sessionId, { meterWh: 9, powerW: 1 });
    const quickEnergy = async (): Promise<number | null> =>
      readFile(join(root, 'quick', 'sessions.json'), 'utf8').then((t) => JSON.parse(t).sessions[0].energyWh, () => null);
    for (let waited = 0; (await quickEnergy()) !== 9 && waited < 5000; waited += 20) await sleep(20);
    assert.equal(await quickEnergy(), 9);
  });

  it('the deferred meter-update write is timed on the injected clock', async () => {
    const clock = new VirtualClock();
    const store = await SessionStore.open(dir, { report, updatePersistIntervalMs: 10_000, clock });
    const s = store.start({ connectorId: 1, idTag: null, startedAt: T0, meterStartWh: 0 });
    await store.flush();
    store.update(s.sessionId, { meterWh: 100, powerW: 1 });
    await clock.advance(9_000);
    assert.equal((await onDisk()).sessions[0].energyWh, 0, 'not before the interval');
    await clock.advance(1_000);
    for (let tries = 0; (await onDisk()).sessions[0].energyWh !== 100 && tries < 100; tries++) await sleep(10);
    assert.equal((await onDisk()).sessions[0].energyWh, 100, 'written once the interval is up on the clock');
  });

  it('a corrupt file is moved aside and reported; the store starts empty and works', async () => {
    const first = await SessionStore.open(dir, { report });
    await first.flush();
    await writeFile(join(dir, 'sessions.json'), '{"version":1,"sessions":[{"sessionId":"1-');
    const store = await SessionStore.open(dir, { report });
    assert.deepEqual(store.list(), []);
    assert.equal(problems.length, 1);
    assert.equal(problems[0]!.kind, 'corrupt');
    const names = await readdir(dir);
    const aside = names.find((n) => n.startsWith('sessions.json.corrupt-'));
    assert.ok(aside, `moved aside: ${names.join(', ')}`);
    assert.equal(await readFile(join(dir, aside), 'utf8'), '{"version":1,"sessions":[{"sessionId":"1-');

    store.start({ connectorId: 1, idTag: null, startedAt: T0, meterStartWh: 0 });
    await store.flush();
    assert.equal((await onDisk()).sessions.length, 1);
  });

  it('a well-formed file of the wrong shape counts as corrupt', async () => {
    const first = await SessionStore.open(dir, { report });
    await first.flush();
    await writeFile(join(dir, 'sessions.json'), JSON.stringify({ version: 1, sessions: [{ sessionId: 5 }] }));
    const store = await SessionStore.open(dir, { report });
    assert.deepEqual(store.list(), []);
    assert.match(problems[0]!.message, /sessions\[0\] has a bad sessionId/);
  });

  it('a stale .tmp does not break reading', async () => {
    const store = await SessionStore.open(dir, { report });
    const s = store.start({ connectorId: 1, idTag: null, startedAt: T0, meterStartWh: 0 });
    await store.flush();
    await writeFile(join(dir, 'sessions.json.tmp'), '{"version":1,"sess');
    const again = await SessionStore.open(dir, { report });
    assert.deepEqual(again.list().map((r) => r.sessionId), [s.sessionId]);
    assert.deepEqual(problems, []);
    assert.deepEqual(await readdir(dir), ['sessions.json']);
  });

  it('keeps at most the last 1000 sessions', async () => {
    const store = await SessionStore.open(dir, { report });
    const ids: string[] = [];
    for (let i = 0; i < 1005; i++) {
      const s = store.start({ connectorId: 1, idTag: null, startedAt: T0, meterStartWh: i });
      store.stop(s.sessionId, { at: T1, meterStopWh: i + 1, reason: 'EVDisconnected' });
      ids.push(s.sessionId);
    }
    assert.equal(store.list().length, 1000);
    assert.deepEqual(store.list().map((s) => s.sessionId), ids.slice(5));
    await store.flush();
    assert.equal((await SessionStore.open(dir, { report })).list().length, 1000);
  });

  it('open sessions are never dropped to make room', async () => {
    const store = await SessionStore.open(dir, { report, maxSessions: 2 });
    const open1 = store.start({ connectorId: 1, idTag: null, startedAt: T0, meterStartWh: 0 });
    const done = store.start({ connectorId: 2, idTag: null, startedAt: T0, meterStartWh: 0 });
    store.stop(done.sessionId, { at: T1, meterStopWh: 1, reason: 'Local' });
    const open2 = store.start({ connectorId: 2, idTag: null, startedAt: T1, meterStartWh: 1 });
    assert.deepEqual(store.list().map((s) => s.sessionId), [open1.sessionId, open2.sessionId]);
    await store.flush();
  });
});
