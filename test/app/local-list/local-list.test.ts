// The local authorization list store: updates persisted whole, lookups, and what a failed write,
// a damaged file or updates asked for together do.

import { strict as assert } from 'node:assert';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { VirtualClock } from '../../../hal/clock.js';
import { LOCAL_LIST_FILE, LocalList } from '../../../app/local-list/local-list.js';
import type { ListUpdate } from '../../../app/local-list/list-update.js';
import type { PersistenceProblem } from '../../../app/persistence/durable-json-file.js';

const LIMITS = { maxEntries: 10_000, maxChanges: 10_000 };

function full(version: number, count: number, group = `V${version}`): ListUpdate {
  return {
    kind: 'full',
    version,
    changes: Array.from({ length: count }, (_, i) => ({ idToken: `TAG${i}`, grant: { status: 'accepted' as const, group } })),
  };
}

describe('local-list/local-list', () => {
  let dir: string;
  let clock: VirtualClock;
  let problems: PersistenceProblem[];
  const open = () => LocalList.open(dir, { clock, limits: () => LIMITS, report: (p) => void problems.push(p) });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'charger-local-list-'));
    clock = new VirtualClock();
    problems = [];
  });
  afterEach(() => rm(dir, { recursive: true, force: true, maxRetries: 3 }));

  it('starts empty at version 0', async () => {
    const list = await open();
    assert.deepEqual([list.version, list.size, list.lookup('A')], [0, 0, undefined]);
  });

  it('keeps an update across a restart: version, entries, status, expiry and group', async () => {
    const list = await open();
    const update: ListUpdate = {
      kind: 'full',
      version: 12,
      changes: [
        { idToken: 'Card-A', grant: { status: 'accepted', group: 'FLEET', expiresAt: clock.now() + 60_000 } },
        { idToken: 'CARD-B', grant: { status: 'blocked' } },
      ],
    };
    assert.deepEqual(await list.update(update), { status: 'accepted', version: 12 });
    const again = await open();
    assert.equal(again.version, 12);
    assert.deepEqual(again.lookup('card-a'), { idToken: 'Card-A', status: 'accepted', group: 'FLEET', expiresAt: clock.now() + 60_000 });
    assert.equal(again.lookup('card-b')?.status, 'blocked');
    assert.equal(again.groupOf('CARD-A'), 'FLEET');
    assert.equal(again.groupOf('CARD-B'), undefined);
    assert.deepEqual(problems, []);
  });

  it('reads an entry past its expiry (by its clock) as expired, without changing the list', async () => {
    const list = await open();
    await list.update({ kind: 'full', version: 1, changes: [{ idToken: 'A', grant: { status: 'accepted', expiresAt: clock.now() + 1000 } }] });
    const onDisk = await readFile(join(dir, LOCAL_LIST_FILE), 'utf8');
    await clock.advance(1000);
    assert.equal(list.lookup('A')?.status, 'expired');
    assert.equal(await readFile(join(dir, LOCAL_LIST_FILE), 'utf8'), onDisk);
  });

  it('accepts 10 000 entries and finds each', async () => {
    const list = await open();
    assert.equal((await list.update(full(3, 10_000))).status, 'accepted');
    assert.equal(list.size, 10_000);
    for (const i of [0, 1, 4999, 9999]) assert.equal(list.lookup(`tag${i}`)?.group, 'V3');
    assert.equal(list.lookup('TAG10000'), undefined);
    assert.equal((await open()).size, 10_000);
  });

  it('refuses more than LocalAuthListMaxLength entries', async () => {
    const list = await open();
    assert.equal((await list.update(full(1, 10_001))).status, 'failed');
    assert.equal(list.size, 0);
  });

  it('a write that fails: failed, the old list kept in use and on disk', async () => {
    const list = await open();
    await list.update(full(1, 3));
    await mkdir(join(dir, `${LOCAL_LIST_FILE}.tmp`)); // every later write fails
    const result = await list.update(full(2, 5));
    assert.equal(result.status, 'failed');
    assert.deepEqual([list.version, list.size, list.lookup('TAG0')?.group], [1, 3, 'V1']);
    assert.equal(problems[0]?.kind, 'write-failed');
    await rm(join(dir, `${LOCAL_LIST_FILE}.tmp`), { recursive: true });
    const again = await open();
    assert.deepEqual([again.version, again.size], [1, 3]);
  });

  it('lookups while an update is written see the old list or the new one whole, never a mix', async () => {
    const list = await open();
    await list.update(full(1, 2000));
    let done = false;
    const writing = list.update(full(2, 3000)).then(() => (done = true));
    const seen = new Set<string>();
    while (!done) {
      const state = `${list.version}:${list.size}:${list.lookup('TAG0')?.group}:${list.lookup('TAG1999')?.group}:${list.lookup('TAG2999')?.group}`;
      seen.add(state);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await writing;
    seen.add(`${list.version}:${list.size}:${list.lookup('TAG0')?.group}:${list.lookup('TAG1999')?.group}:${list.lookup('TAG2999')?.group}`);
    for (const state of seen) assert.ok(['1:2000:V1:V1:undefined', '2:3000:V2:V2:V2'].includes(state), state);
  });

  it('updates asked for together apply one after the other, in order', async () => {
    const list = await open();
    await list.update(full(1, 1));
    const diff = (version: number, idToken: string): ListUpdate => ({ kind: 'differential', version, changes: [{ idToken, grant: { status: 'accepted' } }] });
    const results = await Promise.all([list.update(diff(2, 'X')), list.update(diff(3, 'Y')), list.update(diff(3, 'Z'))]);
    assert.deepEqual(results.map((r) => r.status), ['accepted', 'accepted', 'versionMismatch']);
    assert.deepEqual([list.version, list.size], [3, 3]);
    assert.equal((await open()).version, 3);
  });

  it('a damaged file is moved aside and reported; the list starts empty', async () => {
    const list = await open();
    await list.update(full(4, 3));
    const file = join(dir, LOCAL_LIST_FILE);
    await writeFile(file, (await readFile(file, 'utf8')).replace('TAG1', 'TAG9'));
    const again = await open();
    assert.deepEqual([again.version, again.size], [0, 0]);
    assert.equal(problems.length, 1);
    assert.equal(problems[0]!.kind, 'corrupt');
  });
});
