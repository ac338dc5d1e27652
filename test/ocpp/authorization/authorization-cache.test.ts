import { strict as assert } from 'node:assert';
import { readdir, readFile, writeFile } from 'node:fs/promises';

import { unsealJson } from '../../../app/persistence/durable-json-file.js';
import { cacheFixture, HOUR_MS } from './helpers.js';

describe('ocpp/authorization/authorization-cache', () => {
  const fx = cacheFixture();
  const onDisk = async () => JSON.parse(unsealJson(await readFile(fx.file(), 'utf8')));

  it('knows nothing at first, then the latest IdTagInfo per id (only its fields)', async () => {
    const cache = await fx.openCache();
    assert.equal(cache.get('04A1B2C3'), undefined);
    await cache.update('04A1B2C3', { status: 'Accepted', parentIdTag: 'FAMILY' });
    await cache.update('04A1B2C3', { status: 'Blocked', extra: 1 } as never);
    assert.deepEqual(cache.get('04A1B2C3'), { status: 'Blocked' });
    assert.equal(cache.get('04A1B2C4'), undefined);
  });

  it('matches idTags case-insensitively (CiString20)', async () => {
    const cache = await fx.openCache();
    await cache.update('abcDEF', { status: 'Accepted' });
    assert.deepEqual(cache.get('ABCdef'), { status: 'Accepted' });
    await cache.update('ABCDEF', { status: 'Invalid' });
    assert.equal(cache.size, 1);
    assert.deepEqual(cache.get('abcdef'), { status: 'Invalid' });
  });

  describe('expiry (§3.5.1)', () => {
    it('reads an entry as Expired once its expiryDate has passed, keeping its parent', async () => {
      const cache = await fx.openCache();
      const expiryDate = fx.inMs(HOUR_MS);
      await cache.update('TAG', { status: 'Accepted', expiryDate, parentIdTag: 'P' });
      await fx.clock.advance(HOUR_MS - 1);
      assert.equal(cache.get('TAG')?.status, 'Accepted');
      await fx.clock.advance(1);
      assert.deepEqual(cache.get('TAG'), { status: 'Expired', expiryDate, parentIdTag: 'P' });
    });

    it('stores the change to Expired, so a reopened cache still says Expired', async () => {
      const cache = await fx.openCache();
      await cache.update('TAG', { status: 'Accepted', expiryDate: fx.inMs(1000) });
      await fx.clock.advance(2000);
      assert.equal(cache.get('TAG')?.status, 'Expired');
      await cache.flush();
      assert.equal((await onDisk()).entries[0].info.status, 'Expired');
      assert.equal((await fx.openCache()).get('TAG')?.status, 'Expired');
    });

    it('never expires an entry without an expiryDate; an unreadable date counts as passed', async () => {
      const cache = await fx.openCache();
      await cache.update('FOREVER', { status: 'Accepted' });
      await cache.update('GARBLED', { status: 'Accepted', expiryDate: 'next tuesday' });
      await fx.clock.advance(400 * 24 * HOUR_MS);
      assert.equal(cache.get('FOREVER')?.status, 'Accepted');
      assert.equal(cache.get('GARBLED')?.status, 'Expired');
    });

    it('takes a new IdTagInfo over an expired entry', async () => {
      const cache = await fx.openCache();
      await cache.update('TAG', { status: 'Accepted', expiryDate: fx.inMs(1000) });
      await fx.clock.advance(1000);
      assert.equal(cache.get('TAG')?.status, 'Expired');
      await cache.update('TAG', { status: 'Accepted', expiryDate: fx.inMs(HOUR_MS) });
      assert.equal(cache.get('TAG')?.status, 'Accepted');
    });
  });

  it('persists across a reopen (reboot, reset, power cut: errata §3.4)', async () => {
    const cache = await fx.openCache();
    await cache.update('A', { status: 'Accepted', parentIdTag: 'P' });
    await cache.update('B', { status: 'Blocked' });
    const again = await fx.openCache();
    assert.deepEqual(again.get('a'), { status: 'Accepted', parentIdTag: 'P' });
    assert.deepEqual(again.get('B'), { status: 'Blocked' });
    assert.equal(again.size, 2);
    assert.deepEqual(fx.problems, []);
  });

  describe('bounded (§3.5.1: NOT-valid entries go first, then the oldest valid)', () => {
    it('evicts the least recently used entry when all are valid; a lookup counts as a use', async () => {
      const cache = await fx.openCache(3);
      for (const id of ['A', 'B', 'C']) await cache.update(id, { status: 'Accepted' });
      cache.get('A');
      await cache.update('D', { status: 'Accepted' });
      assert.equal(cache.size, 3);
      assert.equal(cache.get('B'), undefined);
      for (const id of ['A', 'C', 'D']) assert.ok(cache.get(id), id);
    });

    it('evicts a NOT-valid entry (Blocked, Invalid, Expired…) before any valid one', async () => {
      const cache = await fx.openCache(3);
      await cache.update('OLD-VALID', { status: 'Accepted' });
      await cache.update('BLOCKED', { status: 'Blocked' });
      await cache.update('EXPIRING', { status: 'Accepted', expiryDate: fx.inMs(1000) });
      await fx.clock.advance(1000);
      await cache.update('NEW1', { status: 'Accepted' });
      assert.equal(cache.get('BLOCKED'), undefined);
      await cache.update('NEW2', { status: 'ConcurrentTx' });
      assert.equal(cache.get('EXPIRING'), undefined); // expired by time, never looked up
      assert.ok(cache.get('OLD-VALID'));
    });

    it('never evicts the entry being added, even a NOT-valid one', async () => {
      const cache = await fx.openCache(2);
      await cache.update('A', { status: 'Accepted' });
      await cache.update('B', { status: 'Accepted' });
      await cache.update('C', { status: 'Invalid' });
      assert.deepEqual([cache.get('A'), cache.get('B')?.status, cache.get('C')?.status], [undefined, 'Accepted', 'Invalid']);
    });

    it('holds 1000 entries by default', async () => {
      const cache = await fx.openCache();
      for (let i = 0; i <= 1000; i++) void cache.update(`ID${i}`, { status: 'Accepted' });
      await cache.flush();
      assert.equal(cache.size, 1000);
      assert.equal(cache.get('ID0'), undefined);
      assert.ok(cache.get('ID1000'));
      assert.equal((await onDisk()).entries.length, 1000);
    });

    it('keeps the use order across a reopen, and trims to a lower bound', async () => {
      const cache = await fx.openCache();
      for (const id of ['A', 'B', 'C']) await cache.update(id, { status: 'Accepted' });
      cache.get('A');
      await cache.update('D', { status: 'Accepted' }); // writes the order B, C, A, D
      const smaller = await fx.openCache(2);
      assert.deepEqual([smaller.get('A'), smaller.get('D')].map((i) => i?.status), ['Accepted', 'Accepted']);
      assert.equal(smaller.size, 2);
      assert.deepEqual((await onDisk()).entries.map((e: { idTag: string }) => e.idTag), ['A', 'D']);
    });

    it('refuses a bound that is not a positive integer', async () => {
      await assert.rejects(fx.openCache(0.5), RangeError);
    });
  });

  describe('clear (ClearCache, §5.4)', () => {
    it('resolves once the empty cache is on disk', async () => {
      const cache = await fx.openCache();
      await cache.update('A', { status: 'Accepted' });
      await cache.clear();
      assert.deepEqual(await onDisk(), { version: 1, entries: [] });
      assert.equal(cache.get('A'), undefined);
      assert.equal((await fx.openCache()).size, 0);
    });

    it('rejects when the write fails, keeping the entries and anything learnt meanwhile', async () => {
      const cache = await fx.openCache();
      await cache.update('A', { status: 'Accepted' });
      await fx.breakWrites();
      const clearing = cache.clear();
      void cache.update('B', { status: 'Blocked' });
      await assert.rejects(clearing);
      assert.deepEqual([cache.get('A')?.status, cache.get('B')?.status], ['Accepted', 'Blocked']);
      assert.ok(fx.problems.some((p) => p.kind === 'write-failed'));
    });

    it('keeps within its bound when putting entries back after a failed clear', async () => {
      const cache = await fx.openCache(1);
      await cache.update('A', { status: 'Accepted' });
      await fx.breakWrites();
      const clearing = cache.clear();
      void cache.update('B', { status: 'Accepted' });
      await assert.rejects(clearing);
      assert.deepEqual([cache.size, cache.get('A'), cache.get('B')?.status], [1, undefined, 'Accepted']);
    });
  });

  it('reports a failed update write without rejecting, and still answers from memory', async () => {
    const cache = await fx.openCache();
    await fx.breakWrites();
    await cache.update('A', { status: 'Accepted' }); // resolves
    assert.equal(cache.get('A')?.status, 'Accepted');
    assert.deepEqual(fx.problems.map((p) => p.kind), ['write-failed']);
  });

  for (const [what, text] of [
    ['not JSON', '{"version":1,"entr'],
    ['an entry with an unknown status', JSON.stringify({ version: 1, entries: [{ idTag: 'A', info: { status: 'Maybe' } }] })],
    ['an entry without an idTag', JSON.stringify({ version: 1, entries: [{ info: { status: 'Accepted' } }] })],
  ] as const) {
    it(`moves a corrupt file (${what}) aside, reports it and starts empty`, async () => {
      await writeFile(fx.file(), text);
      const cache = await fx.openCache();
      assert.equal(cache.size, 0);
      assert.deepEqual(fx.problems.map((p) => p.kind), ['corrupt']);
      const files = await readdir(fx.dir);
      assert.ok(files.some((f) => f.startsWith('ocpp-authorization-cache.json.corrupt-')), files.join());
      await cache.update('A', { status: 'Accepted' });
      assert.equal((await fx.openCache()).get('A')?.status, 'Accepted');
    });
  }
});
