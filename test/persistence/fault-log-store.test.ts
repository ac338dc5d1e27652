import { strict as assert } from 'node:assert';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { PersistenceProblem } from '../../app/persistence/durable-json-file.js';
import { FaultLogStore } from '../../app/persistence/fault-log-store.js';
import type { FaultLogEntry } from '../../app/records.js';

const entry = (i: number): FaultLogEntry => ({
  at: new Date(Date.UTC(2024, 0, 1) + i * 1000).toISOString(),
  connectorId: i % 2 === 0 ? 1 : null,
  fault: i % 2 === 0 ? 'OverTemperature' : 'GroundLoss',
  event: 'raised',
  ocppErrorCode: i % 2 === 0 ? 'HighTemperature' : 'GroundFailure',
  values: { temperatureC: 72 + i, latched: false, note: null },
});

describe('persistence/fault-log-store', () => {
  let root: string;
  let dir: string;
  let problems: PersistenceProblem[];
  const report = (p: PersistenceProblem): void => {
    problems.push(p);
  };

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'charger-faultlog-'));
    dir = join(root, 'data');
    problems = [];
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true, maxRetries: 3 });
  });

  it('appends, lists and keeps entries across a restart', async () => {
    const store = await FaultLogStore.open(dir, { report });
    assert.deepEqual(store.list(), []);
    store.append(entry(0));
    store.append({ ...entry(1), event: 'cleared' });
    assert.equal(store.list().length, 2);
    await store.flush();

    const again = await FaultLogStore.open(dir, { report });
    assert.deepEqual(again.list(), [entry(0), { ...entry(1), event: 'cleared' }]);
    assert.deepEqual(problems, []);
    const file = JSON.parse(await readFile(join(dir, 'fault-log.json'), 'utf8'));
    assert.equal(file.entries.length, 2);
  });

  it('stores a frozen copy of each entry', async () => {
    const store = await FaultLogStore.open(dir, { report });
    const values: Record<string, number> = { currentA: 40 };
    const stored = store.append({ ...entry(0), values });
    values['currentA'] = 1;
    assert.equal(store.list()[0]!.values['currentA'], 40);
    assert.ok(Object.isFrozen(stored) && Object.isFrozen(stored.values));
    assert.ok(Object.isFrozen(store.list()));
    await store.flush();
  });

  it('keeps the last 2000 entries, and the file stays valid under rapid appends', async () => {
    const store = await FaultLogStore.open(dir, { report });
    for (let i = 0; i < 2010; i++) store.append(entry(i));
    const list = store.list();
    assert.equal(list.length, 2000);
    assert.deepEqual(list[0], entry(10));
    assert.deepEqual(list[1999], entry(2009));
    await store.flush();
    assert.deepEqual(await readdir(dir), ['fault-log.json']);
    const again = await FaultLogStore.open(dir, { report });
    assert.equal(again.list().length, 2000);
    assert.deepEqual(again.list()[1999], entry(2009));
  });

  it('a corrupt file is moved aside and reported; the log starts empty', async () => {
    const first = await FaultLogStore.open(dir, { report });
    first.append(entry(0));
    await first.flush();
    await writeFile(join(dir, 'fault-log.json'), '\u0000\u0000\u0000');
    const store = await FaultLogStore.open(dir, { report });
    assert.deepEqual(store.list(), []);
    assert.equal(problems.length, 1);
    assert.equal(problems[0]!.kind, 'corrupt');
    assert.ok((await readdir(dir)).some((n) => n.startsWith('fault-log.json.corrupt-')));
    store.append(entry(1));
    await store.flush();
    assert.equal((await FaultLogStore.open(dir, { report })).list().length, 1);
  });

  it('a stale .tmp does not break reading', async () => {
    const store = await FaultLogStore.open(dir, { report });
    store.append(entry(0));
    await store.flush();
    await writeFile(join(dir, 'fault-log.json.tmp'), '{"version":1,"entr');
    const again = await FaultLogStore.open(dir, { report });
    assert.equal(again.list().length, 1);
    assert.deepEqual(problems, []);
  });
});
