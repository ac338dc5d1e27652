import { strict as assert } from 'node:assert';
import { Ads1115, MAX_POLLS, singleShotConfig } from '../../../hal/i2c/ads1115.js';
import { FakeAds1115, FakeI2cBus } from '../../support/hardware-fakes/fake-i2c-bus.js';

const ADDRESS = 0x48;

function rig() {
  const bus = new FakeI2cBus(1);
  const chip = bus.attach(ADDRESS, new FakeAds1115());
  return { bus, chip, adc: new Ads1115(bus, ADDRESS) };
}

const lsb = (fullScaleV: number): number => fullScaleV / 32768;

describe('ADS1115', () => {
  it('converts a single-ended input at each full-scale range', async () => {
    const { chip, adc } = rig();
    chip.setChannelVolts(0, 0.2);
    chip.setChannelVolts(3, 1.5);
    for (const fs of [6.144, 4.096, 2.048] as const) {
      const volts = await adc.readVolts(3, fs);
      assert.ok(Math.abs(volts - 1.5) <= lsb(fs), `${fs} V range: ${volts}`);
    }
    for (const fs of [1.024, 0.512, 0.256] as const) {
      const volts = await adc.readVolts(0, fs);
      assert.ok(Math.abs(volts - Math.min(0.2, fs - lsb(fs))) <= lsb(fs), `${fs} V range: ${volts}`);
    }
  });

  it('writes the config high byte first: OS start, MUX AINx/GND, PGA, single-shot, 860 SPS, comparator off', async () => {
    const { bus, chip, adc } = rig();
    await adc.readVolts(2, 4.096);
    const config = singleShotConfig(2, 4.096);
    assert.equal(config, 0b1_110_001_1_111_00011);
    const write = bus.transfers.find((t) => t.direction === 'write' && t.bytes.length === 3)!;
    assert.deepEqual(write.bytes, [0x01, config >> 8, config & 0xff]);
    assert.deepEqual(
      chip.conversions.map((c) => [c.mux, c.channel, c.fullScaleV]),
      [[0b110, 2, 4.096]],
    );
  });

  it('polls the OS bit until the conversion is done', async () => {
    const { bus, chip, adc } = rig();
    chip.busyPolls = 4;
    chip.setChannelVolts(1, 1);
    const volts = await adc.readVolts(1, 2.048);
    assert.ok(Math.abs(volts - 1) <= lsb(2.048));
    const configReads = bus.transfers.filter((t, i) => t.direction === 'read' && bus.transfers[i - 1]?.bytes[0] === 0x01).length;
    assert.equal(configReads, 5, 'four busy, one done');
  });

  it('reads negative inputs as negative (two’s complement) and clips at full scale', async () => {
    const { chip, adc } = rig();
    chip.setChannelVolts(0, -0.1);
    assert.ok(Math.abs((await adc.readVolts(0, 0.256)) + 0.1) <= lsb(0.256));
    chip.setChannelVolts(0, 5);
    assert.equal(await adc.readVolts(0, 4.096), 4.096 - lsb(4.096));
  });

  it('serialises conversions: each one completes before the next config write', async () => {
    const { bus, chip, adc } = rig();
    chip.setChannelVolts(0, 0.5);
    chip.setChannelVolts(1, 1.0);
    chip.setChannelVolts(2, 1.5);
    const results = await Promise.all([adc.readVolts(0, 4.096), adc.readVolts(1, 4.096), adc.readVolts(2, 4.096)]);
    results.forEach((v, i) => assert.ok(Math.abs(v - 0.5 * (i + 1)) <= lsb(4.096), `channel ${i}: ${v}`));
    // Pattern per conversion: config write, polls, pointer to conversion, read.
    const configWrites = bus.transfers.map((t, i) => (t.direction === 'write' && t.bytes.length === 3 ? i : -1)).filter((i) => i >= 0);
    const conversionReads = bus.transfers.map((t, i) => (t.direction === 'read' && bus.transfers[i - 1]?.bytes[0] === 0x00 ? i : -1)).filter((i) => i >= 0);
    assert.equal(configWrites.length, 3);
    assert.equal(conversionReads.length, 3);
    for (let k = 0; k < 3; k += 1) {
      assert.ok(conversionReads[k]! > configWrites[k]!);
      if (k < 2) assert.ok(conversionReads[k]! < configWrites[k + 1]!);
    }
  });

  it('a chip that never finishes rejects after MAX_POLLS; the next conversion still runs', async () => {
    const { chip, adc } = rig();
    chip.busyPolls = MAX_POLLS + 10;
    await assert.rejects(adc.readVolts(0, 4.096), /conversion not done after 50 polls/);
    chip.busyPolls = 1;
    chip.setChannelVolts(0, 2);
    assert.ok(Math.abs((await adc.readVolts(0, 4.096)) - 2) <= lsb(4.096));
  });

  it('a chip that does not answer rejects; the queue goes on', async () => {
    const { chip, adc } = rig();
    chip.failing = true;
    const failed = adc.readVolts(0, 4.096);
    const queued = adc.readVolts(1, 4.096);
    await assert.rejects(failed, /EREMOTEIO/);
    await assert.rejects(queued, /EREMOTEIO/);
    chip.failing = false;
    chip.setChannelVolts(1, 1);
    assert.ok(Math.abs((await adc.readVolts(1, 4.096)) - 1) <= lsb(4.096));
  });

  it('refuses a bad channel or range', () => {
    const { adc } = rig();
    assert.throws(() => adc.readVolts(4 as 0, 4.096), RangeError);
    assert.throws(() => adc.readVolts(0, 5 as 4.096), RangeError);
  });
});
