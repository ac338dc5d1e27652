// ocpp_roundtrip_p99_ms: Heartbeat CALL → CALLRESULT through the charger's real OcppConnection
// (ocpp-rpc in strict mode: schema checks both ways) to a dev CSMS in its own process on loopback,
// one call after the other, each awaited, after a warm-up. Runs with the firmware's node flags.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ConfigurationStore } from '../../app/ocpp/configuration/configuration-store.js';
import { OcppConnection } from '../../app/ocpp/connection/ocpp-connection.js';
import { emit, percentile, preciseNow } from './bench-output.js';

const CSMS_MAIN = fileURLToPath(new URL('../dev-csms/main.js', import.meta.url));
// As the README starts the firmware: the charger side runs with the same young generation.
const FIRMWARE_NODE_FLAGS = ['--max-semi-space-size=1'];
const CALLS = Number(process.env.ROUNDTRIP_BENCH_CALLS ?? 5000);
const WARMUP = Number(process.env.ROUNDTRIP_BENCH_WARMUP ?? 500);
const CHARGE_POINT_ID = 'CP-BENCH-RTT';

/** The dev CSMS as a process; resolves with its OCPP URL and developer API URL. */
async function startCsms(): Promise<{ child: ChildProcess; url: string; api: string }> {
  const child = spawn(process.execPath, [CSMS_MAIN, '--host', '127.0.0.1', '--port', '0', '--http-port', '0', '--log-level', 'warn'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const { url, api } = await new Promise<{ url: string; api: string }>((resolve, reject) => {
    let seen = '';
    let url: string | undefined;
    createInterface({ input: child.stderr! }).on('line', (line) => {
      seen += `${line}\n`;
      url ??= /charger central system URL: (\S+)/.exec(line)?.[1];
      const api = /^developer API: (\S+)/.exec(line)?.[1];
      if (url && api) resolve({ url, api });
    });
    child.once('exit', (code) => reject(new Error(`dev CSMS exited (${code}):\n${seen}`)));
  });
  return { child, url, api };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'charger-rtt-bench-'));
  const { child, url, api } = await startCsms();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let connection: OcppConnection | undefined;
  try {
    const configuration = await ConfigurationStore.open(dir, { numberOfConnectors: 2, report: (p) => process.stderr.write(`[rtt-bench] ${p.message}\n`) });
    connection = new OcppConnection({
      csmsUrl: url,
      chargePointId: CHARGE_POINT_ID,
      configuration,
      log: (level, message) => {
        if (level !== 'info') process.stderr.write(`[rtt-bench] ${level}: ${message}\n`);
      },
    });
    const opened = new Promise<void>((resolve) => connection!.onOpen(resolve));
    connection.start();
    await opened;

    for (let i = 0; i < WARMUP; i++) await connection.call('Heartbeat', {});
    const samples: number[] = new Array(CALLS);
    let answer: { currentTime?: unknown } = {};
    for (let i = 0; i < CALLS; i++) {
      const t0 = preciseNow();
      answer = await connection.call<{ currentTime?: unknown }>('Heartbeat', {});
      samples[i] = preciseNow() - t0;
    }
    if (typeof answer.currentTime !== 'string') throw new Error(`unexpected Heartbeat answer ${JSON.stringify(answer)}`);
    // The CSMS saw every one (it keeps the last 10 000 messages: CALLs and CALLRESULTs).
    const recorded = (await (await fetch(`${api}/messages?chargePointId=${CHARGE_POINT_ID}&action=Heartbeat&messageType=CALL&limit=10000`)).json()) as unknown[];
    samples.sort((a, b) => a - b);
    const round = (v: number) => Math.round(v * 1000) / 1000;
    emit('ocpp_roundtrip_p99_ms', percentile(samples, 99), 'ms', {
      calls: CALLS,
      warmup_calls: WARMUP,
      p50_ms: round(percentile(samples, 50)),
      p90_ms: round(percentile(samples, 90)),
      max_ms: round(samples.at(-1)!),
      csms_heartbeats_recorded: recorded.length,
      node_flags: process.execArgv.join(' '),
      note: 'sequential awaited Heartbeat CALLs through app/ocpp/connection/ocpp-connection.ts (ocpp-rpc strict mode) to the dev CSMS in its own process, ws:// on loopback',
    });
  } finally {
    await connection?.stop();
    child.kill('SIGTERM');
    await exited;
    await rm(dir, { recursive: true, force: true });
  }
}

if (!FIRMWARE_NODE_FLAGS.every((flag) => process.execArgv.includes(flag))) {
  // Again, in a process with the firmware's flags (stdout and stderr are ours).
  const again = spawn(process.execPath, [...FIRMWARE_NODE_FLAGS, ...process.execArgv, fileURLToPath(import.meta.url)], { stdio: 'inherit' });
  again.once('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} else {
  main().catch((error: unknown) => {
    process.stderr.write(`ocpp roundtrip bench failed: ${(error as Error).stack}\n`);
    process.exit(1);
  });
}
