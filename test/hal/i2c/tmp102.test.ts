import { strict as assert } from 'node:assert';
import { VirtualClock } from '../../../hal/clock.js';
import { decodeTemperature, I2cTemperatureSensor } from '../../../hal/i2c/tmp102.js';
import { FakeI2cBus, FakeTemperatureChip } from '../../support/hardware-fakes/fake-i2c-bus.js';
import { catchUncaught } from '../../support/uncaught.js';

describe('TMP102 / LM75 decoding', () => {
  it('TMP102: 12-bit two’s complement, 0.0625 °C per count (datasheet table 7-1)', () => {
    const cases: [number, number][] = [
      [0x7ff0, 127.9375],
      [0x6400, 100],
      [0x1900, 25],
      [0x0040, 0.25],
      [0x0010, 0.0625],
      [0x0000, 0],
      [0xfff0, -0.0625],
      [0xffc0, -0.25],
      [0xe700, -25],
      [0xc900, -55],
    ];
    for (const [register, celsius] of cases) assert.equal(decodeTemperature('tmp102', register), celsius, register.toString(16));
  });

  it('LM75: 9-bit two’s complement, 0.5 °C per count', () => {
    const cases: [number, number][] = [
      [0x7d00, 125],
      [0x1980, 25.5],
      [0x0080, 0.5],
      [0x0000, 0],
      [0xff80, -0.5],
      [0xe700, -25],
      [0xc900, -55],
    ];
    for (const [register, celsius] of cases) assert.equal(decodeTemperature('lm75', register), celsius, register.toString(16));
  });
});

describe('I2C temperature sensor', () => {
  function rig(chip: 'tmp102' | 'lm75', celsius: number) {
    const clock = new VirtualClock();
    const bus = new FakeI2cBus(1);
    const model = bus.attach(0x49, new FakeTemperatureChip(chip, celsius));
    const sensor = new I2cTemperatureSensor(bus, 0x49, 'socket', clock, { chip, pollMs: 1000 });
    const seen: (number | null)[] = [];
    sensor.onChange((v) => seen.push(v));
    return { clock, bus, model, sensor, seen };
  }

  it('reads at once, then every pollMs, and reports changes', async () => {
    const { clock, model, sensor, seen } = rig('tmp102', 24.5);
    assert.equal(sensor.location, 'socket');
    assert.equal(sensor.read(), null, 'nothing read yet');
    await sensor.ready();
    assert.equal(sensor.read(), 24.5);
    model.setTemperature(-12.3125);
    await clock.advance(999);
    assert.equal(sensor.read(), 24.5);
    await clock.advance(1);
    assert.equal(sensor.read(), -12.3125);
    await clock.advance(1000); // no change: no report
    assert.deepEqual(seen, [24.5, -12.3125]);
    assert.equal(model.reads, 3);
    sensor.close();
  });

  it('LM75 resolution and negative temperatures', async () => {
    const { clock, model, sensor } = rig('lm75', -40);
    await sensor.ready();
    assert.equal(sensor.read(), -40);
    model.setTemperature(71.4);
    await clock.advance(1000);
    assert.equal(sensor.read(), 71.5);
    sensor.close();
  });

  it('a failed read reads null (a fault for the app) and recovers', async () => {
    const { clock, model, sensor, seen } = rig('tmp102', 30);
    await sensor.ready();
    model.failing = true;
    await clock.advance(1000);
    assert.equal(sensor.read(), null);
    model.failing = false;
    await clock.advance(1000);
    assert.equal(sensor.read(), 30);
    assert.deepEqual(seen, [30, null, 30]);
    sensor.close();
  });

  it('a listener that throws: the others still hear, sampling goes on, and the error reaches the process uncaught (hal/listeners.ts)', async () => {
    const { clock, model, sensor, seen } = rig('tmp102', 30);
    await sensor.ready();
    sensor.onChange(() => {
      throw new Error('listener bug');
    });
    const after: (number | null)[] = [];
    sensor.onChange((v) => after.push(v));
    const uncaught = catchUncaught();
    try {
      model.setTemperature(40);
      await clock.advance(1000);
      model.setTemperature(50);
      await clock.advance(1000);
    } finally {
      uncaught.restore();
    }
    assert.deepEqual([seen, after], [[30, 40, 50], [40, 50]]);
    assert.deepEqual(uncaught.errors.map(String), ['Error: listener bug', 'Error: listener bug']);
    sensor.close();
  });

  it('a sensor absent from the start reads null', async () => {
    const clock = new VirtualClock();
    const bus = new FakeI2cBus(1);
    const sensor = new I2cTemperatureSensor(bus, 0x48, 'enclosure', clock, { chip: 'lm75', pollMs: 500 });
    await sensor.ready();
    assert.equal(sensor.read(), null);
    sensor.close();
    assert.equal(clock.pendingTimers, 0);
  });

  it('follows a temperature source (e.g. a thermal model)', async () => {
    const { clock, model, sensor } = rig('tmp102', 0);
    let t = 20;
    model.setTemperatureSource(() => t);
    await clock.advance(1000);
    assert.equal(sensor.read(), 20);
    t = 66;
    await clock.advance(1000);
    assert.equal(sensor.read(), 66);
    sensor.close();
  });
});
