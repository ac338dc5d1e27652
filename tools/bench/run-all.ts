// `make bench`: every benchmark, one after the other, each in its own process.
// Their JSON lines go to stdout; anything else they say goes to stderr.

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BENCHMARKS = [
  'interlock-latency.js', 'pp-loss.js', 'loop-stall.js', 'rss.js', 'serial-bench.js', 'can-bench.js', 'queue-bench.js', 'local-list-bench.js', 'boot-to-bootnotification.js', 'ocpp-roundtrip.js', 'fuzz-survival.js',
];

let failed = false;
for (const bench of BENCHMARKS) {
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, [fileURLToPath(new URL(`./${bench}`, import.meta.url))], { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('exit', resolve);
  });
  if (code !== 0) {
    process.stderr.write(`${bench} failed with exit code ${code}\n`);
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
