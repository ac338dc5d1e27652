// Opening, closing and watching a serial device node, shared by the serial drivers and the
// device simulators (hal/far-side/). The `serialport` package is loaded only through
// loadHardwarePackage.
//
// A device that goes away does not always say so: a USB adapter pulled out gives ENXIO and
// serialport closes the port, but a pseudo-terminal whose other end vanished (and a few USB
// drivers) just reads end-of-file forever. So the drivers also compare the node's identity
// (device number, inode, change time) with the one they opened: a node that is gone, or was
// replaced by a new one at the same path, means the port has to be reopened.

import { stat } from 'node:fs/promises';
import { HardwareUnavailableError, loadHardwarePackage } from '../hardware-packages.js';

export type SerialPortModule = typeof import('serialport');
export type SerialPortClass = SerialPortModule['SerialPort'];
export type SerialPortInstance = InstanceType<SerialPortClass>;

export interface SerialLineSettings {
  readonly path: string;
  readonly baudRate: number;
  readonly parity?: 'none' | 'even' | 'odd';
  readonly dataBits?: 8;
  readonly stopBits?: 1 | 2;
}

/** The `SerialPort` class: the injected one, or the package's (HardwareUnavailableError when it is missing). */
export async function serialPortClass(device: string, path: string, injected?: SerialPortClass): Promise<SerialPortClass> {
  if (injected) return injected;
  const module = await loadHardwarePackage<SerialPortModule>('serialport', device, path);
  return module.SerialPort;
}

export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    const message = error.message.replace(/^Error: /, '');
    return code && !message.startsWith(code) ? `${code}: ${message}` : message;
  }
  return String(error);
}

/** What identifies the node behind `path` now, or null when there is none. */
export async function nodeIdentity(path: string): Promise<string | null> {
  try {
    const s = await stat(path);
    return `${s.rdev}:${s.ino}:${s.ctimeMs}`;
  } catch {
    return null;
  }
}

export interface OpenedPort {
  readonly port: SerialPortInstance;
  /** nodeIdentity() at the time of opening. */
  readonly identity: string | null;
}

/**
 * Opens the port; any failure (missing node, permissions, not a tty, busy) is a
 * HardwareUnavailableError naming the device, the path and the reason.
 */
export async function openSerialPort(SerialPort: SerialPortClass, settings: SerialLineSettings, device: string): Promise<OpenedPort> {
  const { path } = settings;
  try {
    await stat(path);
  } catch (error) {
    throw new HardwareUnavailableError(device, path, describeError(error));
  }
  const identity = await nodeIdentity(path);
  let port: SerialPortInstance;
  try {
    port = new SerialPort({
      path,
      baudRate: settings.baudRate,
      dataBits: settings.dataBits ?? 8,
      stopBits: settings.stopBits ?? 1,
      parity: settings.parity ?? 'none',
      autoOpen: false,
    });
  } catch (error) {
    throw new HardwareUnavailableError(device, path, describeError(error));
  }
  await new Promise<void>((resolve, reject) => {
    port.open((error) => {
      if (error) reject(new HardwareUnavailableError(device, path, describeError(error)));
      else resolve();
    });
  });
  return { port, identity };
}

/** Closes the port if it is open; never rejects (a port that is already gone is closed). */
export function closeSerialPort(port: SerialPortInstance): Promise<void> {
  return new Promise((resolve) => {
    if (!port.isOpen) {
      resolve();
      return;
    }
    try {
      port.close(() => resolve());
    } catch {
      resolve();
    }
  });
}
