import { strict as assert } from 'node:assert';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { PersistenceProblem } from '../../app/persistence/durable-json-file.js';
import { SECURITY_EVENTS_FILE, SecurityEventLog } from '../../app/security/security-events.js';

describe('security/security-events', () => {
  let dir: string;
  let problems: PersistenceProblem[];
  const at = new Date(Date.UTC(2026, 0, 1));
  const open = (maxEvents?: number) => SecurityEventLog.open(dir, { report: (p) => void problems.push(p), now: () => at, ...(maxEvents ? { maxEvents } : {}) });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'charger-security-'));
    problems = [];
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true, maxRetries: 3 });
  });

  it('records typed events with the white paper criticality, durably, in order', async () => {
    const log = await open();
    log.record('StorageCorruption', 'queue/seg-0000000001.log damaged');
    log.record('ReconfigurationOfSecurityParameters');
    await log.flush();
    const again = await open();
    assert.deepEqual(again.list(), [
      { at: at.toISOString(), type: 'StorageCorruption', critical: true, techInfo: 'queue/seg-0000000001.log damaged' },
      { at: at.toISOString(), type: 'ReconfigurationOfSecurityParameters', critical: false, techInfo: null },
    ]);
  });

  it('keeps techInfo within 255 characters and the newest events within the limit', async () => {
    const log = await open(3);
    for (let i = 0; i < 5; i++) log.record('InvalidMessages', `${i}${'x'.repeat(300)}`);
    await log.flush();
    const events = (await open(3)).list();
    assert.deepEqual(events.map((e) => e.techInfo![0]), ['2', '3', '4']);
    assert.ok(events.every((e) => e.techInfo!.length === 255));
  });

  it('a damaged log is moved aside and reported, and recording goes on', async () => {
    await writeFile(join(dir, SECURITY_EVENTS_FILE), '{"version":1,"events":[{"at":');
    const log = await open();
    assert.deepEqual(problems.map((p) => p.kind), ['corrupt']);
    assert.ok((await readdir(dir)).some((n) => n.startsWith(`${SECURITY_EVENTS_FILE}.corrupt-`)));
    log.record('StorageCorruption', problems[0]!.message);
    await log.flush();
    assert.equal((await open()).list().length, 1);
  });
});
