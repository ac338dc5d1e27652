import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { HardwareUnavailableError } from '../../../hal/hardware-packages.js';
import { openI2cBus, swapBytes } from '../../../hal/i2c/i2c-bus.js';
import { createFakeI2c } from '../../support/hardware-fakes/fake-i2c-bus.js';

async function refusal(open: () => Promise<unknown>): Promise<HardwareUnavailableError> {
  try {
    await open();
  } catch (error) {
    assert.ok(error instanceof HardwareUnavailableError, `expected HardwareUnavailableError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the open to fail');
}

describe('I2C bus', () => {
  it('opens /dev/i2c-<n> through the package', async () => {
    const i2c = createFakeI2c();
    const bus = await openI2cBus(1, 'sensor bus', { i2c: i2c.module });
    assert.equal(bus, i2c.bus(1));
  });

  it('a missing bus names the device, /dev/i2c-<n> and the reason', async () => {
    const i2c = createFakeI2c();
    i2c.failOpen(1, 'ENOENT');
    const error = await refusal(() => openI2cBus(1, 'ADC and sensors (I2C)', { i2c: i2c.module }));
    assert.equal(error.device, 'ADC and sensors (I2C)');
    assert.equal(error.path, '/dev/i2c-1');
    assert.match(error.message, /^cannot open ADC and sensors \(I2C\) at \/dev\/i2c-1: no such I2C bus/);
  });

  it('a bus whose adapter does not answer is refused at open, not at the first transfer', async () => {
    const i2c = createFakeI2c();
    i2c.bus(3).failing = true;
    const error = await refusal(() => openI2cBus(3, 'sensor bus', { i2c: i2c.module }));
    assert.equal(error.path, '/dev/i2c-3');
    assert.match(error.reason, /EIO/);
    assert.equal(i2c.bus(3).closed, true);
  });

  it('a bus the user may not open', async () => {
    const i2c = createFakeI2c();
    i2c.failOpen(2, 'EACCES', 'Permission denied');
    const error = await refusal(() => openI2cBus(2, 'display', { i2c: i2c.module }));
    assert.match(error.reason, /permission denied \(run as a user in the i2c group\)/);
  });

  it('without I2C hardware, the real package refuses with a clear reason', async function () {
    if (existsSync('/dev/i2c-7')) this.skip();
    const error = await refusal(() => openI2cBus(7, 'sensor bus'));
    assert.equal(error.path, '/dev/i2c-7');
    assert.ok(error.reason.length > 0);
  });

  it('swaps SMBus word bytes', () => {
    assert.equal(swapBytes(0x1234), 0x3412);
    assert.equal(swapBytes(0x00ff), 0xff00);
  });
});
