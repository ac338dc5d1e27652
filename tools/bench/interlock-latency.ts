// Interlock latency: from a fault signalled at the HAL to the contactor-open command reaching
// the contactor driver, while sessions charge with 1 Hz meter polling and a second process polls
// the diagnostics API at 10 Hz. Faults arrive from another thread at random moments, as
// interrupts would, so waiting behind other work on the event loop is part of the figure.
//
// Mix: DC residual current and socket over-temperature on the charging connector, and
// emergency stops (station-wide). Faults whose
// detection has a designed delay (pilot debounce, over-current grace, weld feedback timeout,
// holdoffs) are left out: their delay is a setting, not a latency.

import { fork } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { systemClock } from '../../hal/clock.js';
import { createSimBoard } from '../../hal/sim/sim-board.js';
import type { SimFaultName } from '../../hal/sim/simulation-control.js';
import { resolveConfig } from '../../config/load-config.js';
import { Charger } from '../../app/charger.js';
import { SessionStore } from '../../app/persistence/session-store.js';
import { FaultLogStore } from '../../app/persistence/fault-log-store.js';
import { startDiagnosticsServer } from '../../app/diagnostics/server.js';
import { emit, percentile, preciseNow } from './bench-output.js';
import { startInterrupts } from './interrupts.js';

// One connector charging, as the scenario has it: with several cycling at once, each
// recovery (session records, fault log, re-authorization) becomes load the scenario does not have.
const CONNECTORS = Number(process.env.BENCH_CONNECTORS ?? 1);
// Every fault opens the contactor, which then rests MIN_CONTACTOR_OFF_TIME_MS (2 s) before it may
// close again: each injection costs over 2 s. 90 connector faults and 18 emergency stops keep
// `make bench` (which CI runs) within about 10 minutes; BENCH_INJECTIONS sets more for a soak.
const CONNECTOR_INJECTIONS = Number(process.env.BENCH_INJECTIONS ?? 90);
const STATION_INJECTIONS = Math.max(10, Math.round(CONNECTOR_INJECTIONS / 5));
const TOKEN = 'bench-token-0123456789abcdef';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const config = resolveConfig({
    connectors: Array.from({ length: CONNECTORS }, (_, i) => ({ connectorId: i + 1, maxCurrentA: 32, phases: 3, kind: 'tethered', cableRatingA: 32 })),
    site: { maxCurrentA: 500, ventilationAvailable: false, nominalVoltageV: 230 },
    authorization: { mode: 'free' },
    metering: { pollIntervalMs: 1000 },
    safety: { pilotDebounceMs: 10, repeatedFaultLimit: 10 },
    diagnostics: { host: '127.0.0.1', port: 0, token: TOKEN },
  }, 'bench config');
  const dataDir = await mkdtemp(join(tmpdir(), 'charger-bench-'));
  const quiet = () => {};
  const [sessions, faultLog] = await Promise.all([
    SessionStore.open(dataDir, { report: quiet }),
    FaultLogStore.open(dataDir, { report: quiet }),
  ]);
  const board = createSimBoard({ clock: systemClock, connectors: config.connectors });
  const charger = new Charger({ config, hardware: board.hardware, clock: systemClock, sessions, faultLog });
  await charger.start();
  const server = await startDiagnosticsServer({ api: charger, simulation: board.simulation, host: '127.0.0.1', port: 0, token: TOKEN });
  const poller = fork(fileURLToPath(new URL('./api-poller.js', import.meta.url)), [server.url, TOKEN, '10'], { stdio: 'ignore' });
  const interrupts = startInterrupts();

  // The instant each contactor driver receives its open command.
  const openedAt = new Map<number, number>();
  for (const hw of board.hardware.connectors) {
    const contactor = hw.contactor;
    const open = contactor.open.bind(contactor);
    contactor.open = () => {
      if (contactor.commanded === 'closed') openedAt.set(hw.connectorId, preciseNow());
      open();
    };
  }

  const sim = board.simulation;
  const EV = { wakeDelayMs: 0, followDelayMs: 0, batteryCapacityWh: 1e9, socPercent: 1 };
  for (let id = 1; id <= CONNECTORS; id++) sim.plug(id, { ev: EV });
  // Commanded closed too: right after an open the mirror contact still reads closed for the
  // contactor's drop-out time, and a fault then finds nothing to open.
  const contactorOf = (id: number) => board.hardware.connectors[id - 1]!.contactor;
  const charging = (id: number) =>
    contactorOf(id).commanded === 'closed' &&
    contactorOf(id).readFeedback() === 'closed' &&
    charger.part(id)!.ocppStatus === 'Charging';
  const waitCharging = async (ids: readonly number[]) => {
    const deadline = Date.now() + 10_000;
    while (!ids.every(charging)) {
      if (Date.now() > deadline) throw new Error(`connectors ${ids.join(',')} did not return to charging`);
      await sleep(1);
    }
  };

  const replug = async (id: number) => {
    sim.unplug(id);
    const deadline = Date.now() + 10_000;
    while (charger.part(id)!.pilotState !== 'A') {
      if (Date.now() > deadline) throw new Error(`connector ${id} did not see the unplug`);
      await sleep(1);
    }
    sim.plug(id, { ev: EV });
  };

  let notArmed = 0;
  const interrupt = (inject: () => void) => interrupts.fire(inject);

  const latencies: number[] = [];
  const byFault: Record<string, number[]> = {};
  const record = (fault: string, ms: number) => {
    latencies.push(ms);
    (byFault[fault] ??= []).push(ms);
  };

  const CONNECTOR_FAULTS: readonly { fault: SimFaultName; params?: { temperatureC: number } }[] = [
    { fault: 'rcdTripDc' },
    { fault: 'overTemperature', params: { temperatureC: 85 } },
  ];
  let done = 0;
  // A fault strikes a session in progress, not the bookkeeping of the previous fault: let the
  // stores finish writing the last stop and start before the next interrupt is armed.
  const settle = () => Promise.all([sessions.flush(), faultLog.flush()]);
  const lane = async (id: number) => {
    let n = 0;
    while (done < CONNECTOR_INJECTIONS) {
      await waitCharging([id]);
      await settle();
      done++;
      const { fault, params } = CONNECTOR_FAULTS[n++ % CONNECTOR_FAULTS.length]!;
      openedAt.delete(id);
      let armed = true;
      const firedAt = await interrupt(() => {
        armed = contactorOf(id).commanded === 'closed';
        sim.injectFault(id, fault, params);
      });
      if (!armed) {
        // Not a latency: something else opened the contactor between the check and the interrupt.
        notArmed++;
        sim.clearFault(id, fault);
        charger.resetFaults(id);
        done--;
        continue;
      }
      const opened = openedAt.get(id);
      if (opened === undefined) {
        const part = charger.part(id)!;
        throw new Error(`${fault} on connector ${id} did not open the contactor (injection ${done}): ${JSON.stringify({
          state: part.stateName,
          contactor: board.hardware.connectors[id - 1]!.contactor.commanded,
          faults: part.faults,
          allowed: part.allowed,
          limits: part.currentLimits,
          lastFaults: charger.faultLog().slice(-6),
        })}`);
      }
      record(fault, opened - firedAt);
      sim.clearFault(id, fault);
      charger.resetFaults(id);
    }
  };

  const started = Date.now();
  const rssBefore = process.memoryUsage().rss;
  await Promise.all(Array.from({ length: CONNECTORS }, (_, i) => lane(i + 1)));

  // Emergency stops: every connector charging, one press opens them all; the figure is the slowest.
  const all = Array.from({ length: CONNECTORS }, (_, i) => i + 1);
  for (let n = 0; n < STATION_INJECTIONS; n++) {
    await waitCharging(all);
    await settle();
    openedAt.clear();
    const firedAt = await interrupt(() => sim.injectFault(null, 'emergencyStop'));
    if (openedAt.size !== CONNECTORS) throw new Error('emergency stop did not open every contactor');
    record('emergencyStop', Math.max(...openedAt.values()) - firedAt);
    sim.clearFault(null, 'emergencyStop');
    charger.resetFaults(null);
    // A released emergency stop does not restart the session it ended: the driver plugs in again.
    for (const id of all) await replug(id);
  }
  const seconds = (Date.now() - started) / 1000;

  const polled = await new Promise<{ requests: number; failures: number }>((resolve) => {
    poller.once('message', resolve);
    poller.send('stop');
  });
  await interrupts.close();
  await server.close();
  await charger.stop();
  board.stop();
  await rm(dataDir, { recursive: true, force: true });

  const sorted = [...latencies].sort((a, b) => a - b);
  const context = {
    injections: sorted.length,
    faults: Object.fromEntries(Object.entries(byFault).map(([k, v]) => [k, v.length])),
    connectors: CONNECTORS,
    not_armed: notArmed,
    seconds: Math.round(seconds),
    api_requests: polled.requests,
    api_failures: polled.failures,
    rss_growth_mb: Math.round((process.memoryUsage().rss - rssBefore) / 1e5) / 10,
  };
  emit('interlock_latency_p50_ms', percentile(sorted, 50), 'ms', context);
  emit('interlock_latency_p99_ms', percentile(sorted, 99), 'ms', { target: 5 });
  emit('interlock_latency_max_ms', sorted[sorted.length - 1]!, 'ms', { target: 20 });
  process.exit(0);
}

main().catch((error: unknown) => {
  process.stderr.write(`interlock-latency failed: ${(error as Error).stack}\n`);
  process.exit(1);
});
