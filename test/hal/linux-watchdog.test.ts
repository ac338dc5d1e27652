// The hardware watchdog driver against a FIFO standing in for /dev/watchdog: what it writes is
// what the kernel's watchdog driver would read.

import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HardwareUnavailableError } from '../../hal/hardware-packages.js';
import { LinuxWatchdog } from '../../hal/watchdog/linux-watchdog.js';

/** Everything written to the FIFO so far ('' when nothing is waiting). */
function drain(fd: number): string {
  const buffer = Buffer.alloc(64);
  let text = '';
  for (;;) {
    let n = 0;
    try {
      n = readSync(fd, buffer, 0, buffer.length, null);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EAGAIN') return text;
      throw error;
    }
    if (n === 0) return text;
    text += buffer.subarray(0, n).toString('latin1');
  }
}

describe('hardware watchdog (/dev/watchdog)', () => {
  let dir: string;
  let reader: number;
  let device: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'watchdog-'));
    device = join(dir, 'watchdog');
    execFileSync('mkfifo', [device]);
    reader = openSync(device, constants.O_RDONLY | constants.O_NONBLOCK); // the "kernel" end
  });
  afterEach(() => {
    closeSync(reader);
    rmSync(dir, { recursive: true, force: true });
  });

  it('kicks with a byte that is not the magic V, and disarms with the magic close on a clean exit', () => {
    const watchdog = LinuxWatchdog.open(device);
    assert.equal(drain(reader), '', 'opening writes nothing');
    watchdog.kick();
    watchdog.kick();
    assert.equal(drain(reader), '\0\0');
    watchdog.close();
    watchdog.close();
    assert.equal(drain(reader), 'V');
    watchdog.kick(); // after close: nothing (the device is not re-armed)
    assert.equal(drain(reader), '');
  });

  it('a device that cannot be opened refuses the start, naming it', () => {
    assert.throws(() => LinuxWatchdog.open(join(dir, 'missing')), (error: unknown) =>
      error instanceof HardwareUnavailableError && error.device === 'hardware watchdog' && error.path === join(dir, 'missing'));
  });
});
