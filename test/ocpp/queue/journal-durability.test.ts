// Durability is asserted, not assumed: every acknowledged append has been synced, and a simulated
// power cut (each file cut back to what its last sync covered) keeps every acknowledged enqueue.
// Removing the journal's fdatasync fails both tests.

import { strict as assert } from 'node:assert';
import { mkdtemp, readdir, rm, stat, truncate, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Journal } from '../../../app/ocpp/queue/journal.js';
import { TransactionQueue } from '../../../app/ocpp/queue/transaction-queue.js';
import { VirtualClock } from '../../../hal/clock.js';

/** The real sync, recording per file (by inode) how many bytes it covered: what a power cut keeps. */
function syncRecorder() {
  const synced = new Map<number, number>();
  let count = 0;
  return {
    sync: async (handle: FileHandle, kind: 'data' | 'file'): Promise<void> => {
      const { ino, size } = await handle.stat();
      await (kind === 'data' ? handle.datasync() : handle.sync());
      count++;
      synced.set(ino, size);
    },
    get count() {
      return count;
    },
    syncedBytes: (ino: number): number => synced.get(ino) ?? 0,
  };
}

describe('ocpp/queue/journal durability', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'charger-durability-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true, maxRetries: 3 });
  });

  /** Cuts every file back to what its last sync covered: a power cut losing the page cache. */
  async function powerCut(recorder: ReturnType<typeof syncRecorder>): Promise<void> {
    for (const name of await readdir(dir)) {
      const path = join(dir, name);
      const { ino, size } = await stat(path);
      const kept = Math.min(size, recorder.syncedBytes(ino));
      if (kept < size) await truncate(path, kept);
    }
  }

  it('an append resolves only after a sync: one per committed batch', async () => {
    const recorder = syncRecorder();
    const journal = await Journal.open(dir, { checkpoint: () => [Buffer.from('H')], sync: recorder.sync, report: () => undefined }, () => undefined);
    for (let i = 0; i < 5; i++) {
      const before = recorder.count;
      await journal.append([{ body: Buffer.from(`record ${i}`) }, { body: Buffer.from(`and ${i}`) }]);
      assert.ok(recorder.count > before, `append ${i} resolved without a sync`);
    }
    await journal.close();
  });

  it('keeps every acknowledged enqueue through a power cut that loses whatever was not synced', async () => {
    const clock = new VirtualClock();
    const recorder = syncRecorder();
    const options = { clock, maxAttempts: () => 3, retryIntervalS: () => 60, report: () => undefined };
    const queue = await TransactionQueue.open(dir, { ...options, sync: recorder.sync });
    const acknowledged: number[] = [];
    for (let i = 0; i < 6; i++) {
      acknowledged.push(await queue.enqueue({ action: 'MeterValues', connectorId: 1, localTransactionId: 'L1', payload: { connectorId: 1, meterValue: [] } }));
    }
    await queue.close();
    await powerCut(recorder);
    const again = await TransactionQueue.open(dir, options);
    assert.deepEqual([...again.messages()].map((m) => m.seq), acknowledged);
    await again.close();
  });
});
