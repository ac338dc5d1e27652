// The serial drivers over socat pseudo-terminal pairs, against the device simulators:
//   meter_poll_ms         one full meter read (Eastron SDM630 map: 3 requests), median of N, at
//                         9600 and 19200 baud; the simulator answers after the time the bytes
//                         would take on an RS-485 line (8N1), with no processing time of its own
//   rfid_uid_to_event_ms  from the simulator writing a UID line to the reader's onCard event
// One JSON line per figure on stdout (bench-output.ts); nothing else.

import { systemClock } from '../../hal/clock.js';
import { ModbusMeterSimulator } from '../../hal/far-side/modbus-meter-simulator.js';
import { openPtyPair } from '../../hal/far-side/pty-pair.js';
import { RfidReaderSimulator } from '../../hal/far-side/rfid-reader-simulator.js';
import { ModbusEnergyMeter } from '../../hal/serial/modbus-meter.js';
import { SerialRfidReader } from '../../hal/serial/serial-rfid-reader.js';
import { emit, percentile, preciseNow } from './bench-output.js';

const METER_READS = 40;
const WARM_UP = 3;
const CARDS = 200;

const VALUES = {
  voltages: [230, 231, 229],
  currents: [16, 16, 16],
  powers: [3680, 3696, 3664],
  frequency: 50,
  importWh: 1_000_000,
} as const;

async function meterPoll(baudRate: number): Promise<void> {
  const pair = await openPtyPair();
  const sim = await ModbusMeterSimulator.open({ path: pair.b, baudRate, model: 'sdm630', unitId: 1, values: () => VALUES });
  const meter = await ModbusEnergyMeter.open({ path: pair.a, baudRate, parity: 'none', dataBits: 8, stopBits: 1, unitId: 1, model: 'sdm630', timeoutMs: 1000, phases: 3 });
  try {
    const samples: number[] = [];
    for (let i = 0; i < WARM_UP + METER_READS; i++) {
      const started = preciseNow();
      await meter.read();
      if (i >= WARM_UP) samples.push(preciseNow() - started);
    }
    samples.sort((a, b) => a - b);
    emit('meter_poll_ms', percentile(samples, 50), 'ms', {
      baud: baudRate,
      p99: Math.round(percentile(samples, 99) * 1000) / 1000,
      reads: samples.length,
      model: 'sdm630',
      requests: meter.requests.length,
    });
  } finally {
    await meter.close();
    await sim.close();
    await pair.close();
  }
}

async function uidToEvent(): Promise<void> {
  const pair = await openPtyPair();
  const sim = await RfidReaderSimulator.open({ path: pair.b, baudRate: 9600, protocol: 'uid-line' });
  const reader = await SerialRfidReader.open({ path: pair.a, baudRate: 9600, protocol: 'uid-line' }, systemClock);
  try {
    let arrived: (() => void) | null = null;
    reader.onCard(() => arrived?.());
    const samples: number[] = [];
    for (let i = 0; i < WARM_UP + CARDS; i++) {
      const uid = (0x04a1b2c3 + i).toString(16).toUpperCase().padStart(8, '0');
      const event = new Promise<void>((resolve) => (arrived = resolve));
      const started = preciseNow();
      void sim.presentCard(uid);
      await event;
      if (i >= WARM_UP) samples.push(preciseNow() - started);
    }
    samples.sort((a, b) => a - b);
    emit('rfid_uid_to_event_ms', percentile(samples, 50), 'ms', {
      p99: Math.round(percentile(samples, 99) * 1000) / 1000,
      cards: samples.length,
      protocol: 'uid-line',
    });
  } finally {
    await reader.close();
    await sim.close();
    await pair.close();
  }
}

async function main(): Promise<void> {
  await meterPoll(9600);
  await meterPoll(19200);
  await uidToEvent();
}

main().catch((error: unknown) => {
  process.stderr.write(`serial-bench failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
