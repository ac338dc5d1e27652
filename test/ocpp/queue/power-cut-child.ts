// Run by power-cut.test.ts, killed with SIGKILL at a random moment: enqueues without end,
// a few at a time, and acknowledges the head now and then. On stdout, one line per fact:
//   R <size>          opened
//   D <seq> <id>      enqueue of <id> is durable (printed only after its promise resolved)
//   T <seq>           about to acknowledge <seq>
//   A <seq>           acknowledgement of <seq> is durable
// Arguments: <dir> <run id> <segment bytes>. Not a module to import: it starts on load.

import { writeSync } from 'node:fs';

import { systemClock } from '../../../hal/clock.js';
import { TransactionQueue } from '../../../app/ocpp/queue/transaction-queue.js';
import { payloadFor } from './power-cut-payload.js';

const say = (line: string): void => {
  writeSync(1, `${line}\n`); // synchronous: a line printed is a line the parent can see after the kill
};

const [dir, run, segmentBytes] = process.argv.slice(2);
const queue = await TransactionQueue.open(dir!, {
  clock: systemClock,
  maxAttempts: () => 3,
  retryIntervalS: () => 60,
  segmentBytes: Number(segmentBytes),
  report: (p) => say(`P ${p.kind} ${p.message.replace(/\n/g, ' ')}`),
});
say(`R ${queue.size}`);

const IN_FLIGHT = 4;
let n = 0;
let acking = false;

async function one(): Promise<void> {
  const i = n++;
  const id = `${run}-${i}`;
  const seq = await queue.enqueue({ action: 'MeterValues', connectorId: 1 + (i % 3), localTransactionId: `T${run}`, payload: payloadFor(id, i) });
  say(`D ${seq} ${id}`);
  if (!acking && (i % 3 === 0 || queue.size > 300)) {
    // Acknowledge a few from the head at once (as a sender catching up would), so that the
    // queue stays short and whole segments are released and deleted while we are killed.
    acking = true;
    const acks: Array<Promise<void>> = [];
    let last = 0;
    for (let k = 0; k < 6; k++) {
      const head = queue.peek();
      if (!head) break;
      last = head.seq;
      say(`T ${last}`);
      acks.push(queue.markDelivered(last));
    }
    await Promise.all(acks);
    if (last > 0) say(`A ${last}`);
    acking = false;
  }
}

async function worker(): Promise<never> {
  for (;;) await one();
}

await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
