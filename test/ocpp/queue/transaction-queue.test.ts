import { strict as assert } from 'node:assert';
import { appendFile, copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { VirtualClock } from '../../../hal/clock.js';
import { FRAME_HEADER_BYTES, decodeFrame } from '../../../app/ocpp/queue/journal.js';
import {
  TRANSACTION_ID_UNKNOWN,
  TransactionQueue,
  type QueueProblem,
  type TransactionMessage,
  type TransactionQueueOptions,
} from '../../../app/ocpp/queue/transaction-queue.js';
import { useSeededRandom } from '../../support/seeded-random.js';

function meterValues(localTransactionId: string, n: number, connectorId = 1): TransactionMessage {
  return {
    action: 'MeterValues',
    connectorId,
    localTransactionId,
    payload: {
      connectorId,
      transactionId: TRANSACTION_ID_UNKNOWN,
      meterValue: [{ timestamp: new Date(Date.UTC(2026, 0, 1, 0, n)).toISOString(), sampledValue: [{ value: String(1000 + n), measurand: 'Energy.Active.Import.Register', unit: 'Wh' }] }],
    },
  };
}

const start = (localTransactionId: string): TransactionMessage => ({
  action: 'StartTransaction',
  connectorId: 1,
  localTransactionId,
  payload: { connectorId: 1, idTag: 'TAG1', meterStart: 1000, timestamp: '2026-01-01T00:00:00.000Z' },
});

const stop = (localTransactionId: string): TransactionMessage => ({
  action: 'StopTransaction',
  connectorId: 1,
  localTransactionId,
  payload: { transactionId: TRANSACTION_ID_UNKNOWN, meterStop: 2000, timestamp: '2026-01-01T01:00:00.000Z', reason: 'Local' },
});

const segmentFiles = async (dir: string): Promise<string[]> => (await readdir(dir)).filter((f) => f.startsWith('seg-')).sort();

describe('ocpp/queue/transaction-queue', () => {
  let dir: string;
  const random = useSeededRandom();
  let clock: VirtualClock;
  let problems: QueueProblem[];
  let attempts: number;
  const open = (extra: Partial<TransactionQueueOptions> = {}, at = dir): Promise<TransactionQueue> =>
    TransactionQueue.open(at, {
      clock,
      maxAttempts: () => attempts,
      retryIntervalS: () => 60,
      report: (p) => void problems.push(p),
      ...extra,
    });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'charger-txqueue-'));
    clock = new VirtualClock();
    problems = [];
    attempts = 3;
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true, maxRetries: 3 });
  });

  it('delivers in order, and the order survives a reopen', async () => {
    const q = await open();
    const seqs = [await q.enqueue(start('L1')), await q.enqueue(meterValues('L1', 1)), await q.enqueue(meterValues('L1', 2)), await q.enqueue(stop('L1'))];
    assert.deepEqual(seqs, [1, 2, 3, 4]);
    assert.equal(q.size, 4);
    assert.equal(q.peek()?.action, 'StartTransaction');
    await q.close();
    const again = await open();
    assert.deepEqual([...again.messages()].map((m) => [m.seq, m.action]), [
      [1, 'StartTransaction'],
      [2, 'MeterValues'],
      [3, 'MeterValues'],
      [4, 'StopTransaction'],
    ]);
    assert.deepEqual(again.peek()?.payload, start('L1').payload);
    assert.equal(again.peek()?.enqueuedAt, clock.now());
    await again.close();
    assert.deepEqual(problems, []);
  });

  it('never brings back an acknowledged message, and sequence numbers keep rising', async () => {
    const q = await open();
    for (let i = 0; i < 5; i++) await q.enqueue(meterValues('L1', i));
    await q.markDelivered(1);
    await q.markDelivered(2);
    await q.markDelivered(2); // again: no-op
    await assert.rejects(q.markDelivered(5), RangeError); // not the head
    await q.close();
    const again = await open();
    assert.deepEqual([...again.messages()].map((m) => m.seq), [3, 4, 5]);
    await again.markDelivered(3);
    await again.markDelivered(4);
    await again.markDelivered(5);
    await again.close();
    const third = await open();
    assert.equal(third.size, 0);
    assert.equal(third.peek(), null);
    assert.equal(await third.enqueue(meterValues('L2', 1)), 6);
    await third.close();
  });

  it('counts failed attempts and spaces retries by interval × attempts, across a reopen', async () => {
    const q = await open();
    const seq = await q.enqueue(stop('L1'));
    const t0 = clock.now();
    assert.equal(q.nextAttemptAt(seq), t0); // due at once
    assert.deepEqual(await q.markFailed(seq, 'timeout'), { attempts: 1, discarded: false, nextAttemptAt: t0 + 60_000 });
    assert.equal(q.peek()?.attempts, 1);

    let due: unknown = null;
    void q.whenDue().then((m) => (due = m));
    await clock.advance(59_000);
    assert.equal(due, null);
    await clock.advance(1_000);
    assert.equal((due as { seq: number } | null)?.seq, seq);

    await clock.advance(5_000);
    const t1 = clock.now();
    assert.equal((await q.markFailed(seq, 'CALLERROR InternalError')).nextAttemptAt, t1 + 120_000);
    await q.close();

    const again = await open();
    assert.equal(again.peek()?.attempts, 2);
    assert.equal(again.nextAttemptAt(seq), t1 + 120_000);
    assert.equal(again.nextAttemptAt(seq + 1), null);
    await again.close();
  });

  it('whenDue waits for a message to be queued, and gives null on close', async () => {
    const q = await open();
    const seen: { first: unknown; last: unknown } = { first: 'pending', last: 'pending' };
    void q.whenDue().then((m) => (seen.first = m));
    await clock.advance(1000);
    assert.equal(String(seen.first), 'pending');
    const seq = await q.enqueue(meterValues('L1', 1));
    await clock.advance(0);
    assert.equal((seen.first as { seq: number }).seq, seq);
    await q.markFailed(seq, 'timeout');
    void q.whenDue().then((m) => (seen.last = m));
    await q.close();
    assert.equal(seen.last, null);
    assert.equal(clock.pendingTimers, 0);
  });

  it('discards a message after maxAttempts failures, reports it, and moves on', async () => {
    const q = await open();
    const a = await q.enqueue(meterValues('L1', 1));
    const b = await q.enqueue(meterValues('L1', 2));
    assert.equal((await q.markFailed(a, 'timeout')).discarded, false);
    assert.equal((await q.markFailed(a, 'timeout')).discarded, false);
    assert.deepEqual(await q.markFailed(a, 'timeout'), { attempts: 3, discarded: true, nextAttemptAt: null });
    assert.equal(q.peek()?.seq, b);
    assert.deepEqual(problems.map((p) => [p.kind, 'seq' in p ? p.seq : null]), [['discarded', a]]);
    await q.close();
    const again = await open();
    assert.deepEqual([...again.messages()].map((m) => m.seq), [b]);
    await again.close();
  });

  it('follows maxAttempts() as configured now, and lets the caller keep a message (discardable)', async () => {
    attempts = 1;
    const q = await open({ discardable: (m) => m.action !== 'StopTransaction' });
    const s = await q.enqueue(stop('L1'));
    const m = await q.enqueue(meterValues('L1', 1));
    for (let i = 1; i <= 4; i++) {
      const outcome = await q.markFailed(s, 'timeout');
      assert.deepEqual(outcome, { attempts: i, discarded: false, nextAttemptAt: clock.now() + 60_000 * i });
    }
    await q.markDelivered(s);
    assert.equal((await q.markFailed(m, 'timeout')).discarded, true); // 1 attempt allowed
    assert.equal(q.size, 0);
    await q.close();
  });

  it('records the transactionId from StartTransaction.conf and puts it into later messages, across a reopen', async () => {
    const q = await open();
    const s = await q.enqueue(start('L1'));
    await q.enqueue(meterValues('L1', 1));
    await q.enqueue(meterValues('L2', 1)); // another transaction, id never known
    await q.enqueue(stop('L1'));
    assert.equal(q.transactionIdFor('L1'), undefined);
    await q.markDelivered(s, { transactionId: 4711, idTagInfo: { status: 'Accepted' } });
    assert.equal(q.transactionIdFor('L1'), 4711);
    await q.close();

    const again = await open();
    assert.equal(again.transactionIdFor('L1'), 4711);
    const [mv1, mv2, st] = [...again.messages()];
    assert.equal((mv1!.payload as { transactionId: number }).transactionId, 4711);
    assert.equal((mv2!.payload as { transactionId: number }).transactionId, TRANSACTION_ID_UNKNOWN);
    assert.equal((st!.payload as { transactionId: number }).transactionId, 4711);
    assert.equal((again.peek()!.payload as { transactionId: number }).transactionId, 4711);
    for (const m of [mv1!, mv2!, st!]) await again.markDelivered(m.seq);
    assert.equal(again.transactionIdFor('L1'), undefined, 'forgotten once the transaction is stopped and sent');
    await again.close();
  });

  it('applies a late StartTransaction.conf (after the Start was discarded) to the rest of the session', async () => {
    attempts = 1;
    const q = await open();
    const s = await q.enqueue(start('L7'));
    await q.enqueue(meterValues('L7', 1));
    assert.equal((await q.markFailed(s, 'timeout')).discarded, true);
    assert.equal((q.peek()!.payload as { transactionId: number }).transactionId, -1);
    await q.setTransactionId('L7', 99);
    assert.equal((q.peek()!.payload as { transactionId: number }).transactionId, 99);
    await q.enqueue(stop('L7'));
    await q.close();
    const again = await open();
    assert.deepEqual([...again.messages()].map((m) => (m.payload as { transactionId: number }).transactionId), [99, 99]);
    await again.close();
  });

  it('keeps an id mapping when the segment that recorded it is deleted', async () => {
    const q = await open({ segmentBytes: 4096 });
    const s = await q.enqueue(start('L1'));
    await q.markDelivered(s, { transactionId: 12 });
    const before = (await segmentFiles(dir))[0];
    for (let i = 0; i < 200; i++) await q.markDelivered(await q.enqueue(meterValues('L1', i)));
    await q.enqueue(stop('L1'));
    await q.close();
    assert.ok(!(await segmentFiles(dir)).includes(before!), 'the first segment is gone');
    const again = await open({ segmentBytes: 4096 });
    assert.equal((again.peek()!.payload as { transactionId: number }).transactionId, 12);
    await again.close();
  });

  it('keeps each message\'s stamp offset and a transaction\'s pinned time base, across a reopen and the deletion of the segment that pinned it', async () => {
    const q = await open({ segmentBytes: 4096 });
    const s = await q.enqueue({ ...start('L1'), stampOffsetMs: 0 });
    assert.equal(q.peek()!.stampOffsetMs, 0);
    await q.pinTimeBase('L1', -86_400_000);
    await q.pinTimeBase('L1', 5); // pinned once: stays
    await q.markDelivered(s, { transactionId: 12 });
    const before = (await segmentFiles(dir))[0];
    for (let i = 0; i < 200; i++) await q.markDelivered(await q.enqueue({ ...meterValues('L1', i), stampOffsetMs: -86_400_000 }));
    await q.enqueue({ ...stop('L1'), stampOffsetMs: 3 });
    await q.close();
    assert.ok(!(await segmentFiles(dir)).includes(before!), 'the first segment is gone');
    const again = await open({ segmentBytes: 4096 });
    assert.equal(again.timeBase('L1'), -86_400_000);
    assert.equal(again.peek()!.stampOffsetMs, 3);
    await again.close();
  });

  it('a message recorded without a stamp offset (before time bases existed) loads, and has none', async () => {
    const q = await open();
    await q.enqueue(start('L1'));
    await q.close();
    const again = await open();
    assert.equal(again.size, 1);
    assert.equal('stampOffsetMs' in again.peek()!, false);
    assert.equal(again.timeBase('L1'), undefined);
    await again.close();
  });

  it('remembers each connector\'s last transaction and whether its Stop was queued, after delivery, reopen and segment deletion', async () => {
    const q = await open({ segmentBytes: 4096 });
    assert.equal(q.lastTransaction(1), undefined);
    await q.markDelivered(await q.enqueue(start('L1')), { transactionId: 1 });
    assert.deepEqual(q.lastTransaction(1), { localTransactionId: 'L1', stopQueued: false });
    await q.markDelivered(await q.enqueue(stop('L1')));
    assert.deepEqual(q.lastTransaction(1), { localTransactionId: 'L1', stopQueued: true });
    await q.markDelivered(await q.enqueue(start('L2')), { transactionId: 2 });
    const before = (await segmentFiles(dir))[0];
    for (let i = 0; i < 200; i++) await q.markDelivered(await q.enqueue(meterValues('L2', i)));
    await q.enqueue({ ...meterValues('OTHER', 1, 2) });
    await q.close();
    assert.ok(!(await segmentFiles(dir)).includes(before!), 'the first segment is gone');
    const again = await open({ segmentBytes: 4096 });
    assert.deepEqual(again.lastTransaction(1), { localTransactionId: 'L2', stopQueued: false }, 'carried by the checkpoints');
    assert.equal(again.lastTransaction(2), undefined, 'MeterValues alone do not make a transaction');
    await again.close();
  });

  it('a new segment\'s checkpoint never claims a Start that a power cut took away before it was written', async () => {
    const q = await open({ segmentBytes: 4096 });
    await q.markDelivered(await q.enqueue(start('A')), { transactionId: 1 });
    await q.markDelivered(await q.enqueue(stop('A')));
    // Fill the segment until the next StartTransaction no longer fits: it starts a new one.
    const newest = async () => join(dir, (await segmentFiles(dir)).at(-1)!);
    for (let i = 0; (await stat(await newest())).size < 4096 - 150; i++) await q.markDelivered(await q.enqueue(meterValues('A', i)));
    const before = await newest();
    await q.enqueue(start('S'));
    assert.notEqual(await newest(), before, 'the Start went into a new segment, after its checkpoint');
    await q.close();
    // The power cut: the checkpoint of the new segment is on disk, the Start after it is not.
    const file = await newest();
    const data = await readFile(file);
    const offsets: number[] = [];
    for (let at = 0; at < data.length;) {
      const body = decodeFrame(data, at);
      assert.ok(body, `a whole frame at ${at}`);
      offsets.push(at);
      at += FRAME_HEADER_BYTES + body.length;
    }
    await truncate(file, offsets.at(-1)!);
    const again = await open({ segmentBytes: 4096 });
    assert.equal(again.size, 0, 'the Start is gone');
    assert.deepEqual(again.lastTransaction(1), { localTransactionId: 'A', stopQueued: true }, 'and so is any claim of it');
    await again.close();
  });

  it('a message is due only once its record is written: whatever the backend may have seen survives a power cut', async () => {
    const q = await open();
    const copy = `${dir}-at-send`;
    // The disk as it is the moment the sender could put the message on the wire.
    const due = q.whenDue().then((m) => (cpSync(dir, copy, { recursive: true }), m));
    const seq = await q.enqueue(start('L1'));
    assert.equal((await due)?.seq, seq);
    await q.close();
    try {
      const atSend = await open({}, copy);
      assert.deepEqual(atSend.peek()?.payload, start('L1').payload);
      await atSend.close();
    } finally {
      await rm(copy, { recursive: true, force: true });
    }
  });

  it('a Start acknowledged while still being written, its record after a new segment\'s checkpoint, stays the connector\'s last', async () => {
    const q = await open({ segmentBytes: 4096 });
    await q.markDelivered(await q.enqueue(start('P')), { transactionId: 1 });
    await q.markDelivered(await q.enqueue(stop('P')));
    // A record larger than a segment gets one to itself; while it is written, the next Start
    // waits, and both are acknowledged: the Start's batch opens a new segment whose checkpoint
    // already counts it delivered.
    const big = meterValues('P', 1);
    const written = [q.enqueue({ ...big, payload: { ...(big.payload as object), padding: 'x'.repeat(5000) } })];
    written.push(q.enqueue(start('A')));
    const [bigSeq, startSeq] = [q.peek()!.seq, q.peek()!.seq + 1];
    const acks = [q.markDelivered(bigSeq), q.markDelivered(startSeq, { transactionId: 2 })];
    await Promise.all([...written, ...acks]);
    assert.deepEqual(q.lastTransaction(1), { localTransactionId: 'A', stopQueued: false });
    await q.close();
    const again = await open({ segmentBytes: 4096 });
    assert.equal(again.size, 0);
    assert.deepEqual(again.lastTransaction(1), { localTransactionId: 'A', stopQueued: false }, 'the same after a replay');
    await again.close();
  });

  it('the Stop of an older transaction queued after a newer one started leaves the newer one last', async () => {
    const q = await open();
    await q.enqueue(start('OLD'));
    await q.enqueue(start('NEW'));
    await q.enqueue(stop('OLD'));
    assert.deepEqual(q.lastTransaction(1), { localTransactionId: 'NEW', stopQueued: false });
    await q.close();
    const again = await open();
    assert.deepEqual(again.lastTransaction(1), { localTransactionId: 'NEW', stopQueued: false }, 'the same after a replay');
    await again.close();
  });

  it('loses only a torn final record, at every byte where a power cut could cut it', async () => {
    const q = await open();
    for (let i = 0; i < 4; i++) await q.enqueue(meterValues('L1', i));
    await q.markDelivered(1);
    const [file] = await segmentFiles(dir);
    const before = (await stat(join(dir, file!))).size;
    await q.enqueue(stop('L1'));
    await q.close();
    const after = (await stat(join(dir, file!))).size;
    assert.ok(after > before);
    const copy = join(dir, 'copy');
    for (let cut = before; cut < after; cut++) {
      await rm(copy, { recursive: true, force: true });
      await mkdir(copy);
      await copyFile(join(dir, file!), join(copy, file!));
      await truncate(join(copy, file!), cut);
      problems = [];
      const torn = await open({}, copy);
      assert.deepEqual([...torn.messages()].map((m) => m.seq), [2, 3, 4], `cut at ${cut}`);
      assert.deepEqual(problems.map((p) => p.kind), cut === before ? [] : ['torn-tail'], `cut at ${cut}`);
      await torn.enqueue(stop('L1'));
      await torn.close();
      problems = [];
      const healed = await open({}, copy);
      assert.deepEqual([...healed.messages()].map((m) => m.action), ['MeterValues', 'MeterValues', 'MeterValues', 'StopTransaction']);
      assert.deepEqual(problems, []);
      await healed.close();
    }
  });

  it('recovers from random garbage appended to the journal', async () => {
    const q = await open();
    for (let i = 0; i < 3; i++) await q.enqueue(meterValues('L1', i));
    await q.close();
    for (let round = 0; round < 10; round++) {
      const files = await segmentFiles(dir);
      const garbage = random.bytes(random.int(1, 500));
      await appendFile(join(dir, files.at(-1)!), garbage);
      const again = await open();
      assert.equal(again.size, 3 + round);
      await again.enqueue(meterValues('L1', 10 + round));
      await again.close();
    }
    const last = await open();
    assert.deepEqual([...last.messages()].map((m) => m.seq), Array.from({ length: 13 }, (_, i) => i + 1));
    await last.close();
    assert.ok(problems.every((p) => p.kind === 'torn-tail'));
  });

  it('reports and skips a damaged record in an older segment; the rest stays in order', async () => {
    const q = await open({ segmentBytes: 4096 });
    for (let i = 0; i < 80; i++) await q.enqueue(meterValues('L1', i));
    await q.close();
    const files = await segmentFiles(dir);
    assert.ok(files.length > 2);
    const bytes = await readFile(join(dir, files[0]!));
    const at = bytes.indexOf('"s":3,');
    bytes[at + 10] ^= 0x55;
    await writeFile(join(dir, files[0]!), bytes);
    const again = await open({ segmentBytes: 4096 });
    const seqs = [...again.messages()].map((m) => m.seq);
    assert.deepEqual(seqs, Array.from({ length: 80 }, (_, i) => i + 1).filter((s) => s !== 3));
    assert.deepEqual(problems.map((p) => p.kind), ['corrupt-segment']);
    await again.close();
  });

  it('holds 100,000 messages over rotated segments, and deletes every segment once all are acknowledged', async function () {
    this.timeout(60_000);
    const q = await open();
    const N = 100_000;
    for (let i = 0; i < N; i += 5000) {
      await Promise.all(Array.from({ length: 5000 }, (_, j) => q.enqueue(meterValues(`L${(i + j) % 4}`, i + j, ((i + j) % 4) + 1))));
    }
    assert.equal(q.size, N);
    const rotated = await segmentFiles(dir);
    assert.ok(rotated.length > 10, `${rotated.length} segments`);
    await q.close();

    const again = await open();
    assert.equal(again.size, N);
    const acks: Array<Promise<void>> = [];
    let expected = 1;
    for (let m = again.peek(); m; m = again.peek()) {
      assert.equal(m.seq, expected++);
      acks.push(again.markDelivered(m.seq));
    }
    await Promise.all(acks);
    assert.equal(expected, N + 1);
    await again.close();
    assert.equal((await segmentFiles(dir)).length, 1, 'only the newest segment is left');
    const empty = await open();
    assert.equal(empty.size, 0);
    assert.equal(await empty.enqueue(meterValues('L1', 0)), N + 1);
    await empty.close();
    assert.deepEqual(problems, []);
  });

  it('writes at most 3× a message’s own size per message, acknowledgement included', async () => {
    const q = await open();
    const msgBytes = JSON.stringify(meterValues('3f2a9c1e-5b7d-4e8a-9c0f-1a2b3c4d5e6f', 1).payload).length;
    const before = q.stats.bytesWritten;
    for (let i = 0; i < 200; i++) await q.markDelivered(await q.enqueue(meterValues('3f2a9c1e-5b7d-4e8a-9c0f-1a2b3c4d5e6f', i)));
    const perMessage = (q.stats.bytesWritten - before) / 200;
    assert.ok(perMessage <= 3 * msgBytes, `${perMessage} bytes per ${msgBytes}-byte message`);
    await q.close();
  });

  it('rejects what is not a transaction message', async () => {
    const q = await open();
    await assert.rejects(q.enqueue({ ...stop('L1'), action: 'Heartbeat' as never }), TypeError);
    await assert.rejects(q.enqueue({ ...stop('L1'), localTransactionId: '' }), TypeError);
    await assert.rejects(q.enqueue({ ...stop('L1'), payload: undefined }), TypeError);
    assert.equal(q.size, 0);
    await q.close();
  });
});
