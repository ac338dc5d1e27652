import { strict as assert } from 'node:assert';
import { appendFile, mkdtemp, readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { decodeFrame, encodeFrame, Journal, type JournalProblem } from '../../../app/ocpp/queue/journal.js';
import { useSeededRandom } from '../../support/seeded-random.js';

const body = (s: string): Buffer => Buffer.from(s, 'utf8');

describe('ocpp/queue/journal', () => {
  let dir: string;
  const random = useSeededRandom();
  let problems: JournalProblem[];
  const report = (p: JournalProblem): void => {
    problems.push(p);
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'charger-journal-'));
    problems = [];
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true, maxRetries: 3 });
  });

  /** Opens the journal and returns it with every replayed body as text. */
  async function openJournal(segmentBytes = 4096, marks: (text: string) => number | undefined = () => undefined) {
    const seen: string[] = [];
    const journal = await Journal.open(dir, { segmentBytes, report, checkpoint: () => [body('H')] }, (b) => {
      seen.push(b.toString('utf8'));
      return marks(b.toString('utf8'));
    });
    return { journal, seen };
  }

  it('frames with length and CRC; a zero-filled or flipped frame does not decode', () => {
    const frame = encodeFrame(body('hello'));
    assert.equal(decodeFrame(frame, 0)?.toString(), 'hello');
    assert.equal(decodeFrame(Buffer.alloc(64), 0), null);
    for (let i = 0; i < frame.length; i++) {
      const bad = Buffer.from(frame);
      bad[i]! ^= 0x10;
      assert.equal(decodeFrame(bad, 0), null, `flip at ${i}`);
    }
    assert.equal(decodeFrame(frame.subarray(0, frame.length - 1), 0), null);
  });

  it('replays what was appended, checkpoint first, and reads records back by location', async () => {
    const { journal } = await openJournal();
    const locations: Array<{ segment: number; offset: number; length: number }> = [];
    await journal.append(['a', 'b', 'c'].map((s) => ({ body: body(s), onWritten: (at) => void locations.push(at) })));
    assert.deepEqual(locations.map((at) => journal.read(at).toString()), ['a', 'b', 'c']);
    await journal.close();
    const again = await openJournal();
    assert.deepEqual(again.seen, ['H', 'a', 'b', 'c']);
    await again.journal.close();
  });

  it('group-commits: appends made while a sync is in flight share the next one', async () => {
    const { journal } = await openJournal(1 << 20);
    await Promise.all(Array.from({ length: 200 }, (_, i) => journal.append([{ body: body(`r${i}`) }])));
    assert.ok(journal.stats.syncs <= 3, `${journal.stats.syncs} syncs for 200 appends`);
    await journal.close();
  });

  it('coalesces a pending record into the next one with the same key', async () => {
    const { journal } = await openJournal();
    await Promise.all([1, 2, 3].map((n) => journal.append([{ body: body(`ack${n}`), coalesceKey: 'ack' }])));
    await journal.close();
    const again = await openJournal();
    assert.ok(again.seen.includes('ack3'));
    assert.ok(again.seen.length < 5, again.seen.join());
    await again.journal.close();
  });

  it('rotates segments at the size limit and deletes released ones, never the newest', async () => {
    const { journal } = await openJournal(4096, (t) => (t.startsWith('m') ? Number(t.slice(1, 6)) : undefined));
    for (let i = 0; i < 200; i++) await journal.append([{ body: body(`m${String(i).padStart(5, '0')}${'.'.repeat(60)}`), mark: i }]);
    const files = (await readdir(dir)).sort();
    assert.ok(files.length >= 3, `${files.length} segments`);
    for (const f of files) assert.ok((await stat(join(dir, f))).size <= 4096);
    journal.releaseThrough(99);
    await journal.idle();
    const left = (await readdir(dir)).sort();
    assert.ok(left.length < files.length && left.length > 1);
    journal.releaseThrough(1e9);
    await journal.idle();
    assert.equal((await readdir(dir)).length, 1);
    await journal.close();
    const again = await openJournal();
    assert.equal(again.seen[0], 'H');
    await again.journal.close();
  });

  it('truncates a torn tail of the newest segment and appends after it', async () => {
    const { journal } = await openJournal();
    await journal.append([{ body: body('one') }, { body: body('two') }]);
    await journal.close();
    const [file] = await readdir(dir);
    const path = join(dir, file!);
    const size = (await stat(path)).size;
    await truncate(path, size - 2);
    const a = await openJournal();
    assert.deepEqual(a.seen, ['H', 'one']);
    assert.equal(problems[0]?.kind, 'torn-tail');
    await a.journal.append([{ body: body('three') }]);
    await a.journal.close();
    const b = await openJournal();
    assert.deepEqual(b.seen, ['H', 'one', 'three']);
    await b.journal.close();
  });

  it('skips and reports damage inside an older segment, keeping what follows', async () => {
    const { journal } = await openJournal(4096);
    for (let i = 0; i < 120; i++) await journal.append([{ body: body(`rec${i}-${'x'.repeat(50)}`), mark: i }]);
    await journal.close();
    const [first] = (await readdir(dir)).sort();
    const path = join(dir, first!);
    const bytes = await readFile(path);
    const at = bytes.indexOf('rec5-');
    bytes[at + 2] ^= 0xff;
    await writeFile(path, bytes);
    const again = await openJournal(4096, (t) => (t.startsWith('rec') ? 0 : undefined));
    const segments = (await readdir(dir)).filter((n) => n.endsWith('.log'));
    assert.equal(again.seen.length, 1 + 119 + (segments.length - 1)); // checkpoints + records
    assert.ok(!again.seen.some((s) => s.startsWith('rec5-')));
    assert.ok(again.seen.includes('rec6-' + 'x'.repeat(50)));
    assert.deepEqual(problems.map((p) => p.kind), ['corrupt-segment']);
    assert.deepEqual(await readFile(problems[0]!.keptAt!), bytes, 'the damaged segment is kept whole');
    await again.journal.close();
  });

  it('a newest segment without a whole checkpoint is damage: kept aside, reported, and the journal goes on in the one before', async () => {
    const { journal } = await openJournal();
    await journal.append([{ body: body('kept') }]);
    await journal.close();
    await writeFile(join(dir, 'seg-0000000099.log'), Buffer.from([5, 0, 0]));
    const again = await openJournal();
    assert.deepEqual(again.seen, ['H', 'kept']);
    assert.deepEqual((await readdir(dir)).filter((n) => !n.includes('.corrupt-')), ['seg-0000000001.log']);
    assert.deepEqual(problems.map((p) => p.kind), ['corrupt-segment']);
    await again.journal.append([{ body: body('next') }]);
    await again.journal.close();
    const third = await openJournal();
    assert.deepEqual(third.seen, ['H', 'kept', 'next']);
    await third.journal.close();
  });

  it('recovers from random garbage appended to the newest segment', async () => {
    const { journal } = await openJournal();
    await journal.append([{ body: body('a') }, { body: body('b') }]);
    await journal.close();
    const [file] = await readdir(dir);
    for (let round = 0; round < 20; round++) {
      const garbage = random.bytes(random.int(1, 300));
      await appendFile(join(dir, file!), garbage);
      const again = await openJournal();
      assert.deepEqual(again.seen, ['H', 'a', 'b']);
      await again.journal.close();
    }
  });

  it('reports a failed write, rejects its appends, and carries on in a new segment', async () => {
    const { journal } = await openJournal(4096, () => 0);
    await journal.append([{ body: body('before'), mark: 1 }]);
    // Pull the file out from under it, as a failing flash would.
    await (journal as unknown as { active: { handle: { close(): Promise<void> } } }).active.handle.close();
    await assert.rejects(journal.append([{ body: body('lost') }]));
    assert.deepEqual(problems.map((p) => p.kind), ['write-failed']);
    await journal.append([{ body: body('after') }]);
    await journal.close();
    assert.equal((await readdir(dir)).length, 2);
    const again = await openJournal(4096);
    assert.deepEqual(again.seen, ['H', 'before', 'H', 'after']);
    await again.journal.close();
  });
});
