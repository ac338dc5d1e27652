// loop_stall_to_open_ms: from the start of an event-loop stall to every contactor commanded open
// by the watchdog path (the worker thread's safe-state release), on the simulated board. Each run
// closes the coils, starts the watchdog, waits a random part of a heartbeat (so the stall starts at
// any phase of it) and busy-waits until the coils are released; the figure is the worker's release
// instant minus the stall's start. The bound is LOOP_STALL_LIMIT_MS from the last heartbeat.

import { setTimeout as sleep } from 'node:timers/promises';
import { systemClock } from '../../hal/clock.js';
import { createSimBoard } from '../../hal/sim/sim-board.js';
import { anyCoilEnergized } from '../../hal/safe-state.js';
import { LOOP_HEARTBEAT_MS, LOOP_STALL_LIMIT_MS, LoopWatchdog, type LoopStall } from '../../app/safety/loop-watchdog.js';
import { emit, percentile, preciseNow } from './bench-output.js';

const RUNS = Number(process.env.BENCH_LOOP_STALLS ?? 30);
/** A stall the watchdog has not ended by then is a failure of the bench, not a figure. */
const GIVE_UP_MS = 10_000;

async function main(): Promise<void> {
  const board = createSimBoard({
    clock: systemClock,
    connectors: [
      { connectorId: 1, kind: 'tethered', phases: 3, cableRatingA: 32 },
      { connectorId: 2, kind: 'tethered', phases: 3, cableRatingA: 32 },
    ],
  });
  const coils = board.hardware.safeState.coils!;
  const samples: number[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    for (const connector of board.hardware.connectors) connector.contactor.close();
    let stall: LoopStall | null = null;
    const watchdog = await LoopWatchdog.start({ release: board.hardware.safeState, onStall: (s) => void (stall = s) });
    watchdog.arm();
    await sleep(LOOP_HEARTBEAT_MS * 3 + Math.random() * LOOP_HEARTBEAT_MS);
    const stallStart = preciseNow();
    const giveUpAt = stallStart + GIVE_UP_MS;
    while (anyCoilEnergized(coils) && preciseNow() < giveUpAt); // the stall
    if (anyCoilEnergized(coils)) throw new Error(`run ${run}: the coils were still energized ${GIVE_UP_MS} ms into the stall`);
    while (!stall && preciseNow() < giveUpAt) await sleep(1); // the loop's next beat reports it
    if (!stall) throw new Error(`run ${run}: the stall was not reported after the loop ran again`);
    samples.push((stall as LoopStall).releasedAt - stallStart);
    await watchdog.stop();
  }
  board.stop();
  const sorted = [...samples].sort((a, b) => a - b);
  emit('loop_stall_to_open_ms', percentile(sorted, 50), 'ms', {
    p99: Math.round(percentile(sorted, 99) * 1000) / 1000,
    max: Math.round(sorted[sorted.length - 1]! * 1000) / 1000,
    runs: RUNS,
    bound: `LOOP_STALL_LIMIT_MS ${LOOP_STALL_LIMIT_MS} ms from the last heartbeat (every ${LOOP_HEARTBEAT_MS} ms)`,
  });
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`loop-stall: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
