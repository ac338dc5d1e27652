import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { HardwareUnavailableError } from '../../../hal/hardware-packages.js';
import { MeterCommunicationError, type MeterReading } from '../../../hal/interfaces.js';
import { ModbusMeterSimulator, type MeterSimValues } from '../../../hal/far-side/modbus-meter-simulator.js';
import { ModbusEnergyMeter, type ModbusMeterOptions } from '../../../hal/serial/modbus-meter.js';
import type { MeterModel } from '../../../hal/serial/meter-register-maps.js';
import { makeBench, type Bench } from './serial-fixtures.js';

const VALUES: MeterSimValues = {
  voltages: [230.1, 231.2, 229.9],
  currents: [16.02, 15.98, 16],
  powers: [3680.5, 3650, 3700.25],
  frequency: 50.01,
  importWh: 1_234_560,
};

const EXPECTED: MeterReading = {
  phases: [
    { voltageV: 230.1, currentA: 16.02, powerW: 3680.5 },
    { voltageV: 231.2, currentA: 15.98, powerW: 3650 },
    { voltageV: 229.9, currentA: 16, powerW: 3700.25 },
  ],
  totalPowerW: 11030.75,
  frequencyHz: 50.01,
  importEnergyWh: 1_234_560,
};

const TIMEOUT_MS = 250;

function options(path: string, model: MeterModel, extra: Partial<ModbusMeterOptions> = {}): ModbusMeterOptions {
  return { path, baudRate: 9600, parity: 'none', dataBits: 8, stopBits: 1, unitId: 7, model, timeoutMs: TIMEOUT_MS, phases: 3, ...extra };
}

/** Rejects with a MeterCommunicationError matching `pattern`; returns how long it took. */
async function rejectsWith(read: Promise<unknown>, pattern: RegExp): Promise<number> {
  const started = performance.now();
  await assert.rejects(read, (error: unknown) => {
    assert.ok(error instanceof MeterCommunicationError, `not a MeterCommunicationError: ${String(error)}`);
    assert.match(error.message, pattern);
    return true;
  });
  return performance.now() - started;
}

describe('Modbus energy meter over a serial line (socat pty pair)', function () {
  this.timeout(10_000);
  let bench: Bench;
  let sim: ModbusMeterSimulator | null = null;
  let meter: ModbusEnergyMeter | null = null;

  beforeEach(async () => {
    bench = await makeBench();
  });

  afterEach(async () => {
    await meter?.close();
    await sim?.close();
    await bench.dispose();
    meter = null;
    sim = null;
  });

  async function start(model: MeterModel, extra: Partial<ModbusMeterOptions> = {}, values: () => MeterSimValues = () => VALUES): Promise<ModbusEnergyMeter> {
    const o = options(bench.driverPath, model, extra);
    sim = await ModbusMeterSimulator.open({ path: bench.devicePath, baudRate: o.baudRate, model, unitId: o.unitId, values, parity: o.parity, stopBits: o.stopBits });
    meter = await ModbusEnergyMeter.open(o);
    return meter;
  }

  for (const model of ['sdm630', 'abb-b23'] as const) {
    for (const baudRate of [9600, 19200]) {
      it(`reads V, I, P per phase, total power, frequency and energy from an ${model} at ${baudRate} baud`, async () => {
        const m = await start(model, { baudRate, parity: 'even' });
        assert.deepEqual(await m.read(), EXPECTED);
        assert.deepEqual(m.stats, { reads: 1, failures: 0, crcErrors: 0, timeouts: 0 });
      });
    }
  }

  it('groups the registers into as few requests as each register map allows', async () => {
    const sdm = await start('sdm630');
    await sdm.read();
    assert.deepEqual(sim!.requests.map((r) => [r.functionCode, r.start, r.count]), [[4, 0x0000, 18], [4, 0x0034, 2], [4, 0x0046, 4]]);
    await sdm.close();
    await sim!.close();
    const abb = await start('abb-b23');
    await abb.read();
    assert.deepEqual(sim!.requests.map((r) => [r.functionCode, r.start, r.count]), [[3, 0x5000, 4], [3, 0x5b00, 45]]);
  });

  it('reads L2 and L3 as 0 on a 1-phase meter, and does not ask for them', async () => {
    const m = await start('sdm630', { phases: 1 });
    const reading = await m.read();
    assert.deepEqual(reading.phases, [EXPECTED.phases[0], { voltageV: 0, currentA: 0, powerW: 0 }, { voltageV: 0, currentA: 0, powerW: 0 }]);
    assert.equal(reading.importEnergyWh, EXPECTED.importEnergyWh);
    assert.deepEqual(sim!.requests.map((r) => [r.start, r.count]), [[0x0000, 14], [0x0034, 2], [0x0046, 4]]);
  });

  it('rejects an answer with a bad CRC, and the next read works', async () => {
    const m = await start('sdm630');
    sim!.inject('crc');
    await rejectsWith(m.read(), /bad CRC/);
    assert.deepEqual(await m.read(), EXPECTED);
    assert.deepEqual(m.stats, { reads: 1, failures: 1, crcErrors: 1, timeouts: 0 });
  });

  it('rejects within timeoutMs when the meter is silent, and recovers when it answers again', async () => {
    const m = await start('abb-b23');
    sim!.setFault('silent');
    const took = await rejectsWith(m.read(), new RegExp(`no answer within ${TIMEOUT_MS} ms to a read of 4 registers at 0x5000`));
    assert.ok(took >= TIMEOUT_MS - 5 && took < TIMEOUT_MS + 100, `took ${took} ms`);
    sim!.setFault(null);
    assert.deepEqual(await m.read(), EXPECTED);
    assert.equal(m.stats.timeouts, 1);
  });

  it('rejects garbage instead of an answer, says so, and recovers', async () => {
    const m = await start('sdm630');
    sim!.inject('garbage');
    await rejectsWith(m.read(), /no answer within 250 ms .*received \d+ bytes that are not an answer from unit 7/);
    assert.deepEqual(await m.read(), EXPECTED);
  });

  it('rejects a Modbus exception answer with its code, and recovers', async () => {
    const m = await start('abb-b23');
    sim!.inject('exception');
    await rejectsWith(m.read(), /refused a read of 4 registers at 0x5000: Modbus exception 4/);
    assert.deepEqual(await m.read(), EXPECTED);
  });

  it('fails the whole read when a later request of it fails (all or nothing)', async () => {
    const m = await start('sdm630');
    sim!.inject(null);
    sim!.inject('crc');
    await rejectsWith(m.read(), /answer to a read of 2 registers at 0x0034 has a bad CRC/);
    assert.deepEqual(await m.read(), EXPECTED);
    assert.deepEqual(m.stats, { reads: 1, failures: 1, crcErrors: 1, timeouts: 0 });
  });

  it('serialises concurrent reads: one request on the line at a time', async () => {
    const m = await start('sdm630');
    const readings = await Promise.all([m.read(), m.read(), m.read()]);
    for (const reading of readings) assert.deepEqual(reading, EXPECTED);
    assert.deepEqual(sim!.requests.map((r) => r.start), [0x00, 0x34, 0x46, 0x00, 0x34, 0x46, 0x00, 0x34, 0x46]);
  });

  it('rejects while unplugged and reopens the path when the meter comes back', async () => {
    const m = await start('sdm630');
    assert.deepEqual(await m.read(), EXPECTED);
    await sim!.close();
    await bench.unplug();
    const took = await rejectsWith(m.read(), /port gone .*ENOENT/);
    assert.ok(took < TIMEOUT_MS, `a missing port is reported at once (took ${took} ms)`);
    await rejectsWith(m.read(), /port gone .*ENOENT/);
    await bench.plug();
    sim = await ModbusMeterSimulator.open({ path: bench.devicePath, baudRate: 9600, model: 'sdm630', unitId: 7, values: () => VALUES });
    assert.deepEqual(await m.read(), EXPECTED);
    assert.deepEqual(m.stats, { reads: 2, failures: 2, crcErrors: 0, timeouts: 0 });
  });

  it('rejects a read in flight when the line goes away under it', async () => {
    const m = await start('sdm630');
    sim!.setFault('silent');
    const read = m.read();
    setTimeout(() => void bench.unplug(), 50);
    await rejectsWith(read, /no answer within|port gone/);
    await rejectsWith(m.read(), /port gone/);
  });

  it('refuses to open a missing device, naming the device, the path and the reason', async () => {
    const path = join(tmpdir(), 'no-such-serial-device');
    await assert.rejects(ModbusEnergyMeter.open(options(path, 'sdm630')), (error: unknown) => {
      assert.ok(error instanceof HardwareUnavailableError);
      assert.equal(error.device, 'energy meter');
      assert.equal(error.path, path);
      assert.match(error.reason, /ENOENT/);
      assert.match(error.message, /cannot open energy meter at .*no-such-serial-device: ENOENT/);
      return true;
    });
  });

  it('never throws synchronously: a read after close is a rejected promise', async () => {
    const m = await start('sdm630');
    await m.close();
    let read: Promise<MeterReading> | undefined;
    assert.doesNotThrow(() => {
      read = m.read();
    });
    await rejectsWith(read!, /closed/);
  });
});
