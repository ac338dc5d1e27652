// Two rules of the HAL, read from the sources: nothing outside hal/ imports a hardware package,
// and inside hal/ only hardware-packages.ts loads one (the drivers take their types); and the
// firmware never imports the far-side simulators (hal/far-side/), which are for tests and benches.

import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { HARDWARE_PACKAGES } from '../../hal/hardware-packages.js';
import { importsOf, sources } from '../support/import-scan.js';

const isHardwarePackage = (from: string): boolean =>
  (HARDWARE_PACKAGES as readonly string[]).includes(from) || from.startsWith('@serialport/');

describe('HAL import rules', () => {
  it('nothing outside hal/ imports a hardware package; in hal/ only hardware-packages.ts loads one', () => {
    const outside = ['app', 'config', 'state-machines', 'tools'].flatMap(sources).flatMap(importsOf).filter((i) => isHardwarePackage(i.from));
    assert.deepEqual(outside, []);
    const loadedInHal = sources('hal').flatMap(importsOf).filter((i) => isHardwarePackage(i.from) && !i.typeOnly);
    assert.deepEqual(loadedInHal, []);
  });

  it('the firmware does not import the far-side simulators', () => {
    const firmware = ['app', 'config', 'state-machines', 'hal'].flatMap(sources).filter((file) => !file.startsWith(join('hal', 'far-side')));
    const reaching = firmware.flatMap(importsOf).filter((i) => /(^|\/)far-side\//.test(i.from));
    assert.deepEqual(reaching, []);
  });

  it('sees the imports it looks for (the rules above are not vacuous)', () => {
    assert.ok(importsOf(join('hal', 'gpio', 'gpio-line.ts')).some((i) => i.from === 'onoff' && i.typeOnly));
    assert.ok(importsOf(join('tools', 'bench', 'can-bench.ts')).some((i) => i.from.endsWith('far-side/fake-socketcan.js') && !i.typeOnly));
  });
});
