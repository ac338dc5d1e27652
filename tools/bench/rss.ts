// Resident memory of the real charger process (dist/app/main.js on the simulated board),
// idle and then charging on every connector: as an OCPP charge point connected to a loopback
// dev CSMS (the deployment), and standalone.

import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { emit } from './bench-output.js';
import { DevCsms } from '../dev-csms/csms.js';
import { pino } from 'pino';

const MAIN = fileURLToPath(new URL('../../app/main.js', import.meta.url));
const TOKEN = 'bench-token-0123456789abcdef';
// As the README starts the firmware: a small young generation suits an embedded SoC.
const FIRMWARE_NODE_FLAGS = ['--max-semi-space-size=1'];
const CARDS = ['04A1B2C3D4', '04F00D15EA5E'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]);
  return kb / 1024;
}

/** Idle is measured this long after the start. */
const IDLE_SETTLE_MS = 30_000;

interface Measured {
  readonly startup: number;
  readonly idle: number;
  readonly charging: number;
  readonly statuses: string;
}

async function measure(csmsUrl: string | null): Promise<Measured> {
  const dir = await mkdtemp(join(tmpdir(), 'charger-rss-'));
  const config = join(dir, 'charger.json');
  await writeFile(config, JSON.stringify({
    identity: { chargePointId: 'CP-RSS' },
    board: 'sim',
    connectors: [
      { connectorId: 1, maxCurrentA: 32, phases: 3, kind: 'socket' },
      { connectorId: 2, maxCurrentA: 32, phases: 3, kind: 'tethered', cableRatingA: 32 },
    ],
    site: { maxCurrentA: 64, ventilationAvailable: false, nominalVoltageV: 230 },
    authorization: { mode: 'allowList', allowList: CARDS, cardDebounceMs: 0 },
    diagnostics: { host: '127.0.0.1', port: 0, token: TOKEN },
    ...(csmsUrl ? { ocpp: { csmsUrl, configuration: { MeterValueSampleInterval: '10' } } } : {}),
  }));
  const child = spawn(process.execPath, [...FIRMWARE_NODE_FLAGS, MAIN, '--config', config, '--data-dir', join(dir, 'data')], { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  let url: string | undefined;
  for (let i = 0; i < 300 && !url; i++) {
    url = /"url":"(http:\/\/[^"]+)"[^\n]*"msg":"charger running"/.exec(out)?.[1];
    await sleep(50);
  }
  if (!url) throw new Error('charger did not start');
  const call = (path: string, body: unknown) =>
    fetch(`${url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

  // Right after start-up the heap still holds its garbage (schema compilation, module loading);
  // idle is what the process settles at, before the first EV.
  await sleep(5000);
  const startup = await rssMb(child.pid!);
  await sleep(IDLE_SETTLE_MS - 5000);
  const idle = await rssMb(child.pid!);
  for (const id of [1, 2]) {
    await call(`/api/v1/sim/connectors/${id}/plug`, { ev: { wakeDelayMs: 0 } });
    await sleep(300);
    await call('/api/v1/sim/rfid', { uid: CARDS[id - 1] });
    await sleep(300);
  }
  await sleep(10_000);
  const status = await (await fetch(`${url}/api/v1/status`, { headers: { authorization: `Bearer ${TOKEN}` } })).json() as { connectors: { status: string }[] };
  const charging = await rssMb(child.pid!);
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  await rm(dir, { recursive: true, force: true });
  return { startup, idle, charging, statuses: status.connectors.map((c) => c.status).join(',') };
}

async function main(): Promise<void> {
  const csms = await DevCsms.start({
    host: '127.0.0.1',
    port: 0,
    authorizedTags: Object.fromEntries(CARDS.map((card) => [card, { status: 'Accepted' as const }])),
    logger: pino({ level: 'silent' }),
  });
  const ocpp = await measure(csms.url);
  const booted = csms.messages({ action: 'BootNotification', direction: 'in' }).length > 0;
  await csms.close();
  const standalone = await measure(null);

  emit('rss_idle_mb', ocpp.idle, 'MB', { target: 80, connectors: 2, ocpp: booted, after_s: IDLE_SETTLE_MS / 1000, at_5s_mb: ocpp.startup });
  emit('rss_charging_mb', ocpp.charging, 'MB', { target: 80, statuses: ocpp.statuses, ocpp: booted });
  emit('rss_idle_standalone_mb', standalone.idle, 'MB', { target: 80, connectors: 2, after_s: IDLE_SETTLE_MS / 1000, at_5s_mb: standalone.startup });
  emit('rss_charging_standalone_mb', standalone.charging, 'MB', { target: 80, statuses: standalone.statuses });
}

main().catch((error: unknown) => {
  process.stderr.write(`rss bench failed: ${(error as Error).stack}\n`);
  process.exit(1);
});
