// Transaction message queue: the cost of an enqueue with a week offline behind it, the bytes
// written to flash per message, and how fast a reconnected charger drains the queue.
//
// - queue_enqueue_p99_ms_at_100k: 100,000 messages queued first, then QUEUE_BENCH_SAMPLES
//   enqueues one after the other, each awaited: every one pays its own write + fdatasync (the
//   group commit has nobody to share with), which is the real cost of "durable".
// - queue_msg_bytes: the JSON of a typical one-minute MeterValues (energy, power, 3 currents).
// - queue_bytes_written_per_msg: on a fresh queue, messages enqueued and then acknowledged one at
//   a time, each awaited (so no acknowledgements coalesce): journal bytes written per message,
//   framing, acknowledgements and segment checkpoints included.
// - queue_drain_msgs_per_s: the 100k (after a reopen) drained by peek + markDelivered, no
//   network; acknowledgements group-commit, and the time runs until the last is durable.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { systemClock } from '../../hal/clock.js';
import { TRANSACTION_ID_UNKNOWN, TransactionQueue, type TransactionMessage } from '../../app/ocpp/queue/transaction-queue.js';
import { emit, percentile, preciseNow } from './bench-output.js';

const QUEUED = Number(process.env.QUEUE_BENCH_QUEUED ?? 100_000);
const SAMPLES = Number(process.env.QUEUE_BENCH_SAMPLES ?? 2_000);
const FILL_BATCH = 5_000;
const CONNECTORS = 4;

function sampled(measurand: string, value: string, unit: string, phase?: string) {
  return { value, context: 'Sample.Periodic', format: 'Raw', measurand, ...(phase ? { phase } : {}), location: 'Outlet', unit };
}

function meterValues(n: number): TransactionMessage {
  const connectorId = (n % CONNECTORS) + 1;
  return {
    action: 'MeterValues',
    connectorId,
    localTransactionId: `c${connectorId}-3f2a9c1e-5b7d-4e8a-9c0f-${String(n % 1000).padStart(12, '0')}`,
    payload: {
      connectorId,
      transactionId: TRANSACTION_ID_UNKNOWN,
      meterValue: [
        {
          timestamp: new Date(Date.UTC(2026, 0, 1) + n * 60_000).toISOString(),
          sampledValue: [
            sampled('Energy.Active.Import.Register', String(1_000_000 + n * 183), 'Wh'),
            sampled('Power.Active.Import', '11040', 'W'),
            sampled('Current.Import', '16.02', 'A', 'L1'),
            sampled('Current.Import', '15.97', 'A', 'L2'),
            sampled('Current.Import', '16.05', 'A', 'L3'),
          ],
        },
      ],
    },
  };
}

const options = {
  clock: systemClock,
  maxAttempts: () => 3,
  retryIntervalS: () => 60,
  report: (p: { message: string }) => process.stderr.write(`[queue-bench] ${p.message}\n`),
};

async function fill(queue: TransactionQueue, count: number): Promise<void> {
  for (let i = 0; i < count; i += FILL_BATCH) {
    await Promise.all(Array.from({ length: Math.min(FILL_BATCH, count - i) }, (_, j) => queue.enqueue(meterValues(i + j))));
  }
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'charger-queue-bench-'));
  try {
    const msgBytes = Buffer.byteLength(JSON.stringify(meterValues(1).payload));

    // Enqueue latency with QUEUED already waiting.
    const big = join(dir, 'big');
    let queue = await TransactionQueue.open(big, options);
    await fill(queue, QUEUED);
    const latencies: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const t0 = preciseNow();
      await queue.enqueue(meterValues(QUEUED + i));
      latencies.push(preciseNow() - t0);
    }
    latencies.sort((a, b) => a - b);
    const queued = queue.size;
    const segments = queue.stats.segments;
    await queue.close();
    emit('queue_enqueue_p99_ms_at_100k', percentile(latencies, 99), 'ms', {
      target: 2,
      queued_before: QUEUED,
      samples: SAMPLES,
      p50_ms: Math.round(percentile(latencies, 50) * 1000) / 1000,
      max_ms: Math.round(latencies.at(-1)! * 1000) / 1000,
      includes_fdatasync: true,
      note: 'sequential awaited enqueues: each pays its own write + fdatasync (no group commit to share)',
      segments,
    });

    emit('queue_msg_bytes', msgBytes, 'bytes', { message: 'MeterValues: energy, power, 3 phase currents, one timestamp' });

    // Bytes written per message, enqueue and acknowledgement each on their own.
    const small = join(dir, 'small');
    const fresh = await TransactionQueue.open(small, options);
    const before = fresh.stats.bytesWritten;
    const perMessageRuns = SAMPLES;
    for (let i = 0; i < perMessageRuns; i++) await fresh.enqueue(meterValues(i));
    for (let m = fresh.peek(); m; m = fresh.peek()) await fresh.markDelivered(m.seq);
    const written = fresh.stats.bytesWritten - before;
    await fresh.close();
    emit('queue_bytes_written_per_msg', written / perMessageRuns, 'bytes', {
      target_ratio: 3,
      ratio: Math.round((written / perMessageRuns / msgBytes) * 1000) / 1000,
      msg_bytes: msgBytes,
      messages: perMessageRuns,
      note: 'journal write counter: frames (8 B header) + message record + one ack record per message (not coalesced) + segment checkpoints',
    });

    // Drain.
    const t0 = preciseNow();
    queue = await TransactionQueue.open(big, options);
    const reopenMs = preciseNow() - t0;
    const toDrain = queue.size;
    const t1 = preciseNow();
    const acks: Array<Promise<void>> = [];
    for (let m = queue.peek(); m; m = queue.peek()) acks.push(queue.markDelivered(m.seq));
    await Promise.all(acks);
    const drainS = (preciseNow() - t1) / 1000;
    await queue.close();
    emit('queue_drain_msgs_per_s', toDrain / drainS, 'msg/s', {
      messages: toDrain,
      queued_check: queued,
      reopen_ms: Math.round(reopenMs),
      note: 'peek (payload read back from the journal) + markDelivered, acks group-committed, timed until the last ack is durable',
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`queue bench failed: ${(error as Error).stack}\n`);
  process.exit(1);
});
