// Opening an I2C bus (/dev/i2c-N) through the `i2c-bus` package. Every I2C driver takes the
// open bus (PromisifiedBus): several devices share one bus, and the board opens it once.
// The package opens the device file lazily, at the first transfer; asking the adapter for its
// functions opens it at once, so a missing bus stops the firmware at start with a clear reason.

import type { PromisifiedBus } from 'i2c-bus';
import { HardwareUnavailableError, loadHardwarePackage } from '../hardware-packages.js';

export type I2cModule = typeof import('i2c-bus');
export type { PromisifiedBus } from 'i2c-bus';

export function i2cDevicePath(bus: number): string {
  return `/dev/i2c-${bus}`;
}

/** Opens /dev/i2c-<bus>, or throws HardwareUnavailableError saying why. */
export async function openI2cBus(bus: number, device: string, deps?: { i2c?: I2cModule }): Promise<PromisifiedBus> {
  if (!(Number.isInteger(bus) && bus >= 0)) throw new RangeError(`${device}: I2C bus must be a whole number ≥ 0 (got ${bus})`);
  const path = i2cDevicePath(bus);
  const i2c = deps?.i2c ?? (await loadHardwarePackage<I2cModule>('i2c-bus', device, path));
  let opened: PromisifiedBus;
  try {
    opened = await i2c.openPromisified(bus);
  } catch (error) {
    throw new HardwareUnavailableError(device, path, openFailure(error));
  }
  try {
    await opened.i2cFuncs();
  } catch (error) {
    await opened.close().catch(() => undefined);
    throw new HardwareUnavailableError(device, path, openFailure(error));
  }
  return opened;
}

function openFailure(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  switch ((error as NodeJS.ErrnoException).code) {
    case 'ENOENT':
      return 'no such I2C bus (enable it in the device tree, e.g. dtparam=i2c_arm=on, and load i2c-dev)';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied (run as a user in the i2c group)';
    default:
      return message;
  }
}

/** SMBus words travel low byte first; the chips here send their registers high byte first. */
export function swapBytes(word: number): number {
  return ((word & 0xff) << 8) | ((word >> 8) & 0xff);
}
