// CAN co-processor link: jitter of the app heartbeat. The MCU gives up on the app after 300 ms
// without a heartbeat, so what matters is how far the app's send times stray from the nominal
// period on the real system clock, while the link does its usual work: a simulated MCU on the
// same event loop reports two charging connectors at the documented rates.
//
// Bus: vcan0 through the real socketcan package when the interface exists (send times from the
// kernel's receive timestamps on a monitoring socket), otherwise the in-memory fake (send times
// taken at the instant the driver hands the frame over). The `bus` field says which.
//
// Jitter of heartbeat i = |(t_i − t_(i−1)) − period|; value = p99, context: p50, max, the longest
// gap and the cumulative drift (Node's setInterval re-arms from when its callback ran).
//
// BENCH_CAN_HEARTBEATS (default 1000) and BENCH_CAN_PERIOD_MS (default 100) change the run.

import { existsSync, readFileSync } from 'node:fs';
import { systemClock } from '../../hal/clock.js';
import { loadHardwarePackage } from '../../hal/hardware-packages.js';
import { CanCoprocessor, type SocketCanModule } from '../../hal/can/coprocessor.js';
import { FakeSocketCan } from '../../hal/far-side/fake-socketcan.js';
import { McuSimulator } from '../../hal/far-side/mcu-simulator.js';
import { frameId } from '../../hal/can/frames.js';
import { emit, percentile } from './bench-output.js';

const HEARTBEATS = Number(process.env.BENCH_CAN_HEARTBEATS ?? 1000);
const PERIOD_MS = Number(process.env.BENCH_CAN_PERIOD_MS ?? 100);
const BASE_ID = 0x100;
const CONNECTORS = [
  { connectorId: 1, hasLock: true },
  { connectorId: 2, hasLock: false },
] as const;
const HEARTBEAT_ID = frameId(BASE_ID, 'appHeartbeat');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const log = (message: string) => process.stderr.write(`can-bench: ${message}\n`);

interface Bus {
  readonly name: 'vcan0' | 'fake';
  readonly iface: string;
  readonly socketcan: SocketCanModule;
  /** Calls back with the send time (ms since the epoch) of every app heartbeat. */
  watchHeartbeats(listener: (at: number) => void): () => void;
}

async function openBus(): Promise<Bus> {
  const vcanUp = existsSync('/sys/class/net/vcan0') && readFileSync('/sys/class/net/vcan0/operstate', 'utf8').trim() !== 'down';
  if (vcanUp) {
    try {
      const socketcan = await loadHardwarePackage<SocketCanModule>('socketcan', 'CAN bench', 'vcan0');
      return {
        name: 'vcan0',
        iface: 'vcan0',
        socketcan,
        watchHeartbeats(listener) {
          const monitor = socketcan.createRawChannel('vcan0', true);
          monitor.addListener('onMessage', (message) => {
            if (message.id !== HEARTBEAT_ID || message.ts_sec === undefined) return;
            listener(message.ts_sec * 1000 + (message.ts_usec ?? 0) / 1000);
          });
          monitor.start();
          return () => monitor.stop();
        },
      };
    } catch (error) {
      log(`vcan0 exists but cannot be used (${(error as Error).message}); using the fake bus`);
    }
  }
  const fake = new FakeSocketCan(); // logs with performance.timeOrigin + performance.now()
  return {
    name: 'fake',
    iface: 'can0',
    socketcan: fake,
    watchHeartbeats(listener) {
      return fake.bus('can0').monitor((record) => {
        if (record.id === HEARTBEAT_ID) listener(record.at);
      });
    },
  };
}

async function main(): Promise<void> {
  const bus = await openBus();
  log(`${HEARTBEATS} heartbeats at ${PERIOD_MS} ms on the ${bus.name} bus (about ${Math.round((HEARTBEATS * PERIOD_MS) / 1000)} s)`);
  const evInC = (output: { mode: string }) =>
    output.mode === 'error' ? { positiveV: -12, negativeV: null } : { positiveV: 6, negativeV: output.mode === 'pwm' ? -12 : null };
  const mcu = new McuSimulator(bus.socketcan.createRawChannel(bus.iface, false), {
    baseId: BASE_ID,
    clock: systemClock,
    connectors: CONNECTORS,
    levels: (_id, output) => evInC(output),
  });
  mcu.start();
  const link = await CanCoprocessor.open(
    { interface: bus.iface, baseId: BASE_ID, connectors: CONNECTORS, heartbeatIntervalMs: PERIOD_MS, heartbeatTimeoutMs: 300 },
    systemClock,
    bus.name === 'fake' ? { socketcan: bus.socketcan } : undefined,
  );
  for (let i = 0; i < 200 && !link.isAlive(); i++) await sleep(10);
  if (!link.isAlive()) throw new Error('the link did not come alive');
  for (const { connectorId } of CONNECTORS) {
    link.pilot(connectorId).setOutput({ mode: 'pwm', dutyPercent: 26.7 });
    link.contactor(connectorId).close();
  }
  await sleep(200);
  const times: number[] = [];
  const done = new Promise<void>((resolve) => {
    const stop = bus.watchHeartbeats((at) => {
      times.push(at);
      if (times.length > HEARTBEATS) {
        stop();
        resolve();
      }
    });
  });
  await done;
  const charging = CONNECTORS.every(({ connectorId }) => link.contactor(connectorId).readFeedback() === 'closed');
  const { sendFailures, droppedCrc, droppedCounter, heartbeatTimeouts } = link.stats;
  await link.close();
  mcu.close();

  const deviations: number[] = [];
  let maxGap = 0;
  for (let i = 1; i < times.length; i++) {
    const gap = times[i]! - times[i - 1]!;
    maxGap = Math.max(maxGap, gap);
    deviations.push(Math.abs(gap - PERIOD_MS));
  }
  deviations.sort((a, b) => a - b);
  const round = (ms: number) => Math.round(ms * 1000) / 1000;
  emit('can_heartbeat_jitter_ms', percentile(deviations, 99), 'ms', {
    percentile: 99,
    p50_ms: round(percentile(deviations, 50)),
    max_ms: round(deviations.at(-1)!),
    max_gap_ms: round(maxGap),
    cumulative_drift_ms: round(times.at(-1)! - times[0]! - (times.length - 1) * PERIOD_MS),
    heartbeats: deviations.length,
    period_ms: PERIOD_MS,
    bus: bus.name,
    clock: 'system',
    mcu: 'McuSimulator on the same event loop, 2 connectors charging',
    charging,
    send_failures: sendFailures,
    mcu_frames_dropped: droppedCrc + droppedCounter,
    mcu_heartbeat_timeouts: heartbeatTimeouts,
  });
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`can-bench failed: ${(error as Error).stack ?? error}\n`);
    process.exit(1);
  },
);
