// The event-loop watchdog's worker thread (see loop-watchdog.ts). It never touches the main
// thread's objects: it reads the heartbeat from shared memory and, on a stall, carries out the
// board's safe-state release with synchronous writes of its own.

import { parentPort, workerData } from 'node:worker_threads';
import { releaseSafeState } from '../../hal/safe-state.js';
import { LoopTime, LoopWord, loopStateViews, preciseNow, type LoopWatchdogWorkerData } from './loop-watchdog.js';

const { state, release, limitMs, beatMs } = workerData as LoopWatchdogWorkerData;
const { words, times } = loopStateViews(state);
const stopped = (): boolean => Atomics.load(words, LoopWord.Stop) === 1;

parentPort!.postMessage('waiting');
// Not armed until the first heartbeat (LoopWatchdog.arm): the firmware's start may block the loop.
while (!stopped() && Atomics.load(words, LoopWord.Beat) === 0) Atomics.wait(words, LoopWord.Beat, 0);
while (!stopped()) {
  const seen = Atomics.load(words, LoopWord.Beat);
  const woke = Atomics.wait(words, LoopWord.Beat, seen, limitMs);
  if (stopped()) break;
  if (woke === 'timed-out' && Atomics.load(words, LoopWord.Beat) === seen) {
    releaseSafeState(release);
    times[LoopTime.Released] = preciseNow();
    Atomics.store(words, LoopWord.Fired, 1);
    // Until the main thread has failed safe and the process is gone, nothing may re-energize.
    while (!stopped()) {
      Atomics.wait(words, LoopWord.Stop, 0, beatMs);
      releaseSafeState(release);
    }
  }
}
