// A real power cut, as near as a test gets: a child process enqueues and acknowledges without
// end and is killed with SIGKILL at a random moment, again and again over the same journal.
// After each kill the queue is reopened and checked against what the child said was durable.
// (SIGKILL keeps what reached the kernel; losing unsynced writes is covered by the torn-record
// tests, which cut the journal at every byte.)

import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { VirtualClock } from '../../../hal/clock.js';
import { TransactionQueue, type QueueProblem } from '../../../app/ocpp/queue/transaction-queue.js';
import { payloadFor, type PowerCutPayload } from './power-cut-payload.js';
import { useSeededRandom } from '../../support/seeded-random.js';

const CHILD = fileURLToPath(new URL('./power-cut-child.js', import.meta.url));
const KILLS = 60;
const SEGMENT_BYTES = 8192; // small, so that kills land in rotations and deletions too

interface ChildReport {
  durable: Map<string, number>; // id -> seq
  intendedAck: number;
  durableAck: number;
  problems: string[];
  opened: boolean;
}

/** Runs the child, kills it `afterMs` after it opened (or `afterMs` after start, if `early`). */
function runAndKill(dir: string, run: number, afterMs: number, early: boolean): Promise<ChildReport> {
  const report: ChildReport = { durable: new Map(), intendedAck: 0, durableAck: 0, problems: [], opened: false };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, dir, String(run), String(SEGMENT_BYTES)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let buffered = '';
    let stderr = '';
    const kill = () => child.kill('SIGKILL');
    if (early) setTimeout(kill, afterMs);
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        const [tag, a, b] = line.split(' ');
        if (tag === 'R') {
          report.opened = true;
          if (!early) setTimeout(kill, afterMs);
        } else if (tag === 'D') report.durable.set(b!, Number(a));
        else if (tag === 'T') report.intendedAck = Math.max(report.intendedAck, Number(a));
        else if (tag === 'A') report.durableAck = Math.max(report.durableAck, Number(a));
        else if (tag === 'P') report.problems.push(line);
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`child ended on its own (${code}): ${stderr}`));
      else resolve(report);
    });
  });
}

describe('ocpp/queue/transaction-queue: power cut (SIGKILL) at random moments', () => {
  let dir: string;
  const random = useSeededRandom();

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'charger-powercut-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true, maxRetries: 3 });
  });

  it(`keeps every durable enqueue, in order, without duplicates, over ${KILLS} kills`, async function () {
    this.timeout(60_000);
    let previous: Array<{ seq: number; id: string }> = [];
    let killedMidRun = 0;
    for (let run = 1; run <= KILLS; run++) {
      const early = run % 10 === 0; // now and then, while it opens (replay, truncation)
      const child = await runAndKill(dir, run, early ? random.between(0, 80) : random.between(5, 155), early);
      if (child.durable.size > 0) killedMidRun++;
      assert.deepEqual(child.problems.filter((p) => !p.startsWith('P torn-tail')), [], `run ${run}: the child saw damage`);

      const problems: QueueProblem[] = [];
      const queue = await TransactionQueue.open(dir, {
        clock: new VirtualClock(),
        maxAttempts: () => 3,
        retryIntervalS: () => 60,
        segmentBytes: SEGMENT_BYTES,
        report: (p) => void problems.push(p),
      });
      const now = [...queue.messages()].map((m) => {
        const payload = m.payload as PowerCutPayload & { transactionId?: number };
        const [r, i] = payload.id.split('-').map(Number);
        assert.deepEqual({ ...payload, transactionId: undefined }, { ...payloadFor(payload.id, i!), transactionId: undefined }, `run ${run}: payload of #${m.seq}`);
        return { seq: m.seq, id: payload.id, run: r!, n: i! };
      });
      await queue.close();
      const where = `run ${run}`;
      assert.deepEqual(problems.filter((p) => p.kind !== 'torn-tail'), [], `${where}: damage on reopen`);

      // Order intact, no duplicates: seqs strictly increase, and so do (run, n).
      for (let k = 1; k < now.length; k++) {
        const [a, b] = [now[k - 1]!, now[k]!];
        assert.ok(a.seq < b.seq, `${where}: seq order at ${k}`);
        assert.ok(a.run < b.run || (a.run === b.run && a.n < b.n), `${where}: enqueue order at ${k}`);
      }
      assert.equal(new Set(now.map((m) => m.id)).size, now.length, `${where}: duplicates`);
      const byId = new Map(now.map((m) => [m.id, m.seq]));

      // Acknowledged durably: gone.
      assert.ok(now.every((m) => m.seq > child.durableAck), `${where}: an acknowledged message came back`);
      // Durable and not (possibly) acknowledged: present, under the seq the child was given.
      for (const [id, seq] of child.durable) {
        if (seq > child.intendedAck) assert.equal(byId.get(id), seq, `${where}: durable ${id} (#${seq}) missing`);
      }
      // What was there before: what is still there is a suffix, and all of it past the acks.
      const kept = previous.filter((m) => byId.has(m.id));
      assert.deepEqual(kept, previous.slice(previous.length - kept.length), `${where}: a hole in the old messages`);
      for (const m of previous) if (m.seq > child.intendedAck) assert.ok(byId.has(m.id), `${where}: old ${m.id} lost`);
      // Anything else is this run's, enqueued but killed before it heard back.
      for (const m of now) assert.ok(previous.some((p) => p.id === m.id) || m.run === run, `${where}: ${m.id} from nowhere`);

      previous = now.map(({ seq, id }) => ({ seq, id }));
    }
    assert.ok(killedMidRun >= KILLS / 2, `only ${killedMidRun} kills landed while enqueueing`);
  });
});
