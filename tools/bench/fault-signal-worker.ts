// Plays the part of the hardware: at random moments it raises an "interrupt" (a message to the
// main thread) stamped with the time it fired. The main thread injects the fault when the event
// loop gets to it, so the measured latency includes waiting behind meter polls and API requests.

import { parentPort } from 'node:worker_threads';
import { preciseNow } from './bench-output.js';

parentPort!.on('message', (request: { id: number; delayMs: number }) => {
  setTimeout(() => parentPort!.postMessage({ id: request.id, firedAt: preciseNow() }), request.delayMs);
});
