// fuzz_frames_per_s_survived: the firmware (dist/app/main.js on the simulated board, the example
// config, a fresh data directory) against the hostile backend of tools/fuzz on loopback: seeded
// fuzz frames (valid destructive commands, schema and framework violations, garbage, Soft Resets,
// frames that must break the WebSocket), every answer checked (tools/fuzz/fuzz-run.ts). The figure
// is frames sent per second of the run; `survived` says whether every check held and the process
// is still alive. Always ends with its JSON line: a failure is reported in it, not thrown.

import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runFuzz, type FuzzReport } from '../fuzz/fuzz-run.js';
import { HostileBackend } from '../fuzz/hostile-backend.js';
import { seedFrom } from '../seeded-random.js';
import { emit } from './bench-output.js';

const MAIN = fileURLToPath(new URL('../../app/main.js', import.meta.url));
const EXAMPLE = fileURLToPath(new URL('../../../config/example.sim.json', import.meta.url));
// As the README starts the firmware.
const FIRMWARE_NODE_FLAGS = ['--max-semi-space-size=1'];
const FRAMES = Number(process.env.FUZZ_BENCH_FRAMES ?? 20_000);
const CONNECT_TIMEOUT_MS = 20_000;

async function main(): Promise<void> {
  const seed = seedFrom(process.env.FUZZ_BENCH_SEED ?? '1', 'FUZZ_BENCH_SEED');
  const dir = await mkdtemp(join(tmpdir(), 'charger-fuzz-bench-'));
  const backend = await HostileBackend.start();
  let report: FuzzReport | undefined;
  let error: string | undefined;
  let stderr = '';
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const child = (async () => {
    const example = JSON.parse(await readFile(EXAMPLE, 'utf8')) as Record<string, Record<string, unknown>>;
    const config = join(dir, 'charger.json');
    await writeFile(config, JSON.stringify({
      ...example,
      ocpp: { ...example['ocpp'], csmsUrl: backend.url, configuration: { WebSocketPingInterval: '0' } },
      diagnostics: { ...example['diagnostics'], port: 0 },
    }));
    // stdout (one log line per refused frame) is not kept: a full pipe would block the firmware.
    return spawn(process.execPath, [...FIRMWARE_NODE_FLAGS, MAIN, '--config', config, '--data-dir', join(dir, 'data')], { stdio: ['ignore', 'ignore', 'pipe'] });
  })();
  try {
    const firmware = await child;
    firmware.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    firmware.once('exit', (code, signal) => (exit = { code, signal }));
    await backend.connected(0, CONNECT_TIMEOUT_MS);
    report = await runFuzz(backend, { seed, frames: FRAMES });
    if (exit) error = `firmware exited (code ${exit.code}, signal ${exit.signal}): ${stderr.trim().split('\n').at(-1) ?? ''}`;
  } catch (caught) {
    error = (caught as Error).message;
  } finally {
    const firmware = await child.catch(() => undefined);
    if (firmware && !exit) {
      firmware.kill('SIGKILL');
      await new Promise((resolve) => firmware.once('exit', resolve));
    }
    await backend.close();
    await rm(dir, { recursive: true, force: true });
  }
  const survived = report !== undefined && report.failures.length === 0 && error === undefined;
  emit('fuzz_frames_per_s_survived', report && report.elapsedMs > 0 ? (report.framesSent * 1000) / report.elapsedMs : 0, 'frames/s', {
    survived,
    seed,
    frames: report?.framesSent ?? 0,
    answers_checked: report?.answersChecked ?? 0,
    link_drops: report?.linkDrops ?? 0,
    answers_lost_with_link_drops: report?.lostToLinkDrops ?? 0,
    elapsed_ms: report?.elapsedMs ?? null,
    failed_checks: report?.failures.length ?? null,
    first_failures: report?.failures.slice(0, 3) ?? [],
    error: error ?? null,
    note: 'firmware process on the simulated board vs a raw-WebSocket hostile backend on loopback; every answer checked; includes 2 Soft Resets and 2 forced reconnects (their back-off waits count)',
  });
}

main().catch((error: unknown) => {
  // Still one JSON line: the bench runs to its end.
  emit('fuzz_frames_per_s_survived', 0, 'frames/s', { survived: false, error: (error as Error).message });
});
