// The one place hardware packages are imported. They are optional dependencies, loaded only
// when a board profile selects a driver that needs them, so the simulated board runs anywhere.

export const HARDWARE_PACKAGES = ['onoff', 'i2c-bus', 'serialport', 'socketcan', 'modbus-serial'] as const;
export type HardwarePackage = (typeof HARDWARE_PACKAGES)[number];

/** A device cannot be opened: the firmware refuses to start and says which, where and why. */
export class HardwareUnavailableError extends Error {
  override readonly name = 'HardwareUnavailableError';
  constructor(
    readonly device: string,
    readonly path: string,
    readonly reason: string,
  ) {
    super(`cannot open ${device} at ${path}: ${reason}`);
  }
}

/** Imports a hardware package for `device` (at `path`), or throws HardwareUnavailableError. */
export async function loadHardwarePackage<T>(name: HardwarePackage, device: string, path: string): Promise<T> {
  try {
    return (await import(name)) as T;
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND'
      ? `the npm package "${name}" is not installed (it is an optional dependency: install it on this board)`
      : `the npm package "${name}" failed to load: ${(error as Error).message}`;
    throw new HardwareUnavailableError(device, path, reason);
  }
}
