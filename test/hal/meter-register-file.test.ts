import { strict as assert } from 'node:assert';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { MeterRegisterFile } from '../../hal/sim/meter-register-file.js';

describe('hal/sim/meter-register-file', () => {
  let dir: string;
  let path: string;
  let reports: string[];
  const open = () => new MeterRegisterFile(path, { report: (m) => void reports.push(m), now: () => new Date(Date.UTC(2026, 0, 1)) });
  const aside = async () => (await readdir(dir)).filter((n) => n.includes('.corrupt-'));

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'charger-meter-file-'));
    path = join(dir, 'sim-meter-registers.json');
    reports = [];
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true, maxRetries: 3 });
  });

  /** A file as the meter writes it, with two registers. */
  async function written(): Promise<Buffer> {
    const file = open();
    await file.keep(1, 1234.5);
    await file.keep(2, 98765);
    return readFile(path);
  }

  it('keeps the registers across a restart; reads the older flat form too', async () => {
    await written();
    const again = open();
    assert.deepEqual([again.get(1), again.get(2)], [1234.5, 98765]);
    await writeFile(path, '{"1":500}');
    assert.equal(open().get(1), 500);
    assert.deepEqual(reports, []);
  });

  async function assertMovedAside(damaged: Buffer, what: string): Promise<void> {
    await writeFile(path, damaged);
    reports = [];
    const file = open();
    assert.equal(file.get(1), undefined, `${what}: starts afresh`);
    assert.equal(reports.length, 1, `${what}: reported`);
    assert.match(reports[0]!, /^[^\n]* is damaged \([^\n]*\); moved aside to [^\n]*$/);
    const kept = await aside();
    assert.equal(kept.length, 1, `${what}: moved aside`);
    assert.deepEqual(await readFile(join(dir, kept[0]!)), damaged, `${what}: kept as it was`);
    await rm(join(dir, kept[0]!));
  }

  it('a truncated, zeroed or garbage file is moved aside and reported; the registers start afresh', async () => {
    const good = await written();
    await assertMovedAside(good.subarray(0, good.length >> 1), 'truncated');
    await assertMovedAside(Buffer.alloc(good.length), 'zeroed');
    await assertMovedAside(Buffer.from(good.map((_, i) => (i * 131 + 7) & 0xff)), 'garbage');
    await assertMovedAside(Buffer.alloc(0), 'empty');
  });

  it('one flipped bit anywhere in the file is caught', async () => {
    const good = await written();
    for (let i = 0; i < good.length; i++) {
      const bad = Buffer.from(good);
      bad[i]! ^= 0x01;
      await assertMovedAside(bad, `bit flipped at ${i}`);
    }
  });
});
