// boot_to_bootnotification_ms: from the firmware's spawn (dist/app/main.js on the simulated board,
// the example config, a fresh data directory each time) to its BootNotification CALL arriving at a
// dev CSMS on loopback, timed at the CSMS (in this process, same clock as the spawn). The firmware's
// own `sinceProcessStartMs` (its 'BootNotification sent' log line) is reported alongside: what is
// left is the node start before its clock begins, and the frame's trip.
// node_bare_start_ms: `node -e 0` from spawn to exit, in the same run (one bare start after each
// firmware start), so the ratio to the floor is visible whatever the machine's load.

import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DevCsms } from '../dev-csms/csms.js';
import type { RecordedMessage } from '../dev-csms/types.js';
import { emit, percentile, preciseNow } from './bench-output.js';

const MAIN = fileURLToPath(new URL('../../app/main.js', import.meta.url));
const EXAMPLE = fileURLToPath(new URL('../../../config/example.sim.json', import.meta.url));
// As the README starts the firmware.
const FIRMWARE_NODE_FLAGS = ['--max-semi-space-size=1'];
const RUNS = Number(process.env.BOOT_BENCH_RUNS ?? 7);
/** Not counted: the first start also warms the OS file cache for node and the modules. */
const WARMUP_RUNS = 1;
const TIMEOUT_MS = 15_000;

interface Run {
  readonly arrivalMs: number;
  readonly sinceProcessStartMs: number | null;
}

async function once(csms: DevCsms, config: string, dataDir: string): Promise<Run> {
  // Only a message recorded from now on (waitFor would also match an earlier run's).
  let listener: ((m: RecordedMessage) => void) | undefined;
  const arrived = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no BootNotification within ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
    listener = (m) => {
      if (m.direction !== 'in' || m.messageType !== 'CALL' || m.action !== 'BootNotification') return;
      const at = preciseNow();
      clearTimeout(timer);
      resolve(at);
    };
    csms.on('message', listener);
  });
  const spawnedAt = preciseNow();
  const child = spawn(process.execPath, [...FIRMWARE_NODE_FLAGS, MAIN, '--config', config, '--data-dir', dataDir], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const at = await Promise.race([arrived, exited.then(() => Promise.reject(new Error(`firmware exited before its BootNotification:\n${out}`)))]);
    // Its own figure comes in the log line written just after the frame was sent.
    const deadline = Date.now() + 2000;
    let since: number | null = null;
    while (since === null && Date.now() < deadline) {
      const match = /"sinceProcessStartMs":(\d+)[^\n]*"msg":"BootNotification sent"/.exec(out);
      if (match) since = Number(match[1]);
      else await new Promise((r) => setTimeout(r, 5));
    }
    return { arrivalMs: at - spawnedAt, sinceProcessStartMs: since };
  } finally {
    csms.off('message', listener!);
    // Only the start is measured: no need to wait for a clean stop.
    child.kill('SIGKILL');
    await exited;
  }
}

/** One `node -e 0`, spawn to exit. */
async function bareStart(): Promise<number> {
  const spawnedAt = preciseNow();
  const child = spawn(process.execPath, [...FIRMWARE_NODE_FLAGS, '-e', '0'], { stdio: 'ignore' });
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', () => resolve());
  });
  return preciseNow() - spawnedAt;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'charger-boot-bench-'));
  const csms = await DevCsms.start({ host: '127.0.0.1', port: 0, pingIntervalMs: 0 });
  try {
    const example = JSON.parse(await readFile(EXAMPLE, 'utf8')) as Record<string, Record<string, unknown>>;
    const config = join(dir, 'charger.json');
    await writeFile(config, JSON.stringify({
      ...example,
      ocpp: { ...example['ocpp'], csmsUrl: csms.url },
      diagnostics: { ...example['diagnostics'], port: 0 },
    }));
    const runs: Run[] = [];
    const bare: number[] = [];
    for (let i = 0; i < WARMUP_RUNS + RUNS; i++) {
      const run = await once(csms, config, join(dir, `data-${i}`));
      const bareMs = await bareStart();
      if (i >= WARMUP_RUNS) {
        runs.push(run);
        bare.push(bareMs);
      }
    }
    const arrivals = runs.map((r) => r.arrivalMs).sort((a, b) => a - b);
    const bareSorted = [...bare].sort((a, b) => a - b);
    const own = runs.map((r) => r.sinceProcessStartMs).filter((v): v is number => v !== null).sort((a, b) => a - b);
    const round = (v: number) => Math.round(v * 10) / 10;
    const bareP50 = percentile(bareSorted, 50);
    emit('boot_to_bootnotification_ms', percentile(arrivals, 50), 'ms', {
      target: 200,
      runs: runs.length,
      warmup_runs: WARMUP_RUNS,
      min_ms: round(arrivals[0]!),
      max_ms: round(arrivals.at(-1)!),
      samples_ms: runs.map((r) => round(r.arrivalMs)),
      firmware_since_process_start_p50_ms: own.length > 0 ? percentile(own, 50) : null,
      firmware_since_process_start_ms: runs.map((r) => r.sinceProcessStartMs),
      node_bare_start_p50_ms: round(bareP50),
      ratio_to_bare_start: round(percentile(arrivals, 50) / bareP50),
      note: 'spawn of node dist/app/main.js (example config, fresh data dir) until the BootNotification CALL arrives at a loopback dev CSMS',
    });
    emit('node_bare_start_ms', bareP50, 'ms', {
      runs: bare.length,
      min_ms: round(bareSorted[0]!),
      max_ms: round(bareSorted.at(-1)!),
      samples_ms: bare.map(round),
      note: `node ${FIRMWARE_NODE_FLAGS.join(' ')} -e 0, spawn to exit, one after each firmware start above: the floor of any start`,
    });
  } finally {
    await csms.close();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`boot bench failed: ${(error as Error).stack}\n`);
  process.exit(1);
});
