import { strict as assert } from 'node:assert';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Low } from 'lowdb';

import { DurableJsonFile, openDurableDb, unsealJson, type PersistenceProblem } from '../../app/persistence/durable-json-file.js';

interface Doc {
  n: number;
}

describe('persistence/durable-json-file', () => {
  let dir: string;
  let file: string;
  let problems: PersistenceProblem[];
  const report = (p: PersistenceProblem): void => {
    problems.push(p);
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'charger-durable-'));
    file = join(dir, 'data.json');
    problems = [];
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true, maxRetries: 3 });
  });

  it('reads null when there is no file', async () => {
    assert.equal(await new DurableJsonFile<Doc>(file, { report }).read(), null);
    assert.deepEqual(problems, []);
  });

  it('writes atomically and reads back; no .tmp is left', async () => {
    const adapter = new DurableJsonFile<Doc>(file, { report });
    await adapter.write({ n: 1 });
    await adapter.write({ n: 2 });
    assert.deepEqual(JSON.parse(unsealJson(await readFile(file, 'utf8'))), { n: 2 });
    assert.deepEqual(await readdir(dir), ['data.json']);
    assert.deepEqual(await new DurableJsonFile<Doc>(file, { report }).read(), { n: 2 });
  });

  it('works as a lowdb adapter', async () => {
    const db = new Low<Doc>(new DurableJsonFile<Doc>(file, { report }), { n: 0 });
    await db.read();
    db.data.n = 7;
    await db.write();
    const again = await openDurableDb<Doc>(file, () => ({ n: 0 }), { report });
    assert.equal(again.data.n, 7);
  });

  it('coalesces rapid writes into the latest data, serialised', async () => {
    const adapter = new DurableJsonFile<unknown>(file, { report });
    let serialised = 0;
    const doc = (n: number) => ({ n, toJSON: () => (serialised++, { n }) });
    const writes = Array.from({ length: 100 }, (_, i) => adapter.write(doc(i)));
    await Promise.all(writes);
    assert.equal(serialised, 2); // the first at once, the 99 others as one
    assert.deepEqual(JSON.parse(unsealJson(await readFile(file, 'utf8'))), { n: 99 });
    assert.deepEqual(await readdir(dir), ['data.json']);
  });

  it('a read waits for the write in flight', async () => {
    const adapter = new DurableJsonFile<Doc>(file, { report });
    const written = adapter.write({ n: 5 });
    assert.deepEqual(await adapter.read(), { n: 5 });
    await written;
  });

  it('ignores and removes a stale .tmp from a cut-off write', async () => {
    await writeFile(file, JSON.stringify({ n: 3 }));
    await writeFile(`${file}.tmp`, '{"n": 4, "trunc');
    assert.deepEqual(await new DurableJsonFile<Doc>(file, { report }).read(), { n: 3 });
    assert.deepEqual(await readdir(dir), ['data.json']);
    assert.deepEqual(problems, []);
  });

  it('a .tmp alone (first write cut off) reads as no data', async () => {
    await writeFile(`${file}.tmp`, '{"n": 4}');
    assert.equal(await new DurableJsonFile<Doc>(file, { report }).read(), null);
    assert.deepEqual(await readdir(dir), []);
  });

  it('moves a corrupt file aside, reports it and reads null', async () => {
    await writeFile(file, '{"n": 1,, garbage');
    const now = () => new Date('2024-05-06T07:08:09.010Z');
    const adapter = new DurableJsonFile<Doc>(file, { report, now });
    assert.equal(await adapter.read(), null);
    const moved = `${file}.corrupt-2024-05-06T07-08-09-010Z`;
    assert.deepEqual(await readdir(dir), ['data.json.corrupt-2024-05-06T07-08-09-010Z']);
    assert.equal(await readFile(moved, 'utf8'), '{"n": 1,, garbage');
    assert.equal(problems.length, 1);
    assert.equal(problems[0]!.kind, 'corrupt');
    assert.equal(problems[0]!.movedTo, moved);
    assert.match(problems[0]!.message, /data\.json is corrupt: not valid JSON .*moved aside to .*corrupt-2024-05-06T07-08-09-010Z; starting empty/);

    // A second corrupt file in the same millisecond does not overwrite the first.
    await writeFile(file, '');
    assert.equal(await adapter.read(), null);
    assert.ok((await readdir(dir)).includes('data.json.corrupt-2024-05-06T07-08-09-010Z-1'));
    assert.match(problems[1]!.message, /the file is empty/);
  });

  it('data that fails validation counts as corrupt', async () => {
    await writeFile(file, JSON.stringify({ m: 1 }));
    const validate = (v: unknown) => (typeof (v as Doc).n === 'number' ? null : 'no "n"');
    assert.equal(await new DurableJsonFile<Doc>(file, { report, validate }).read(), null);
    assert.equal(problems[0]!.kind, 'corrupt');
    assert.match(problems[0]!.message, /is corrupt: no "n"/);
  });

  it('a failed write rejects and is reported; the next one can succeed', async () => {
    const nested = join(dir, 'later', 'data.json');
    const adapter = new DurableJsonFile<Doc>(nested, { report });
    await assert.rejects(adapter.write({ n: 1 }), /ENOENT/);
    assert.equal(problems[0]!.kind, 'write-failed');
    await mkdir(join(dir, 'later'));
    await adapter.write({ n: 2 });
    assert.deepEqual(await adapter.read(), { n: 2 });
  });
});
