// Two rules of the HAL, read from the sources: nothing outside hal/ imports a hardware package,
// and inside hal/ only hardware-packages.ts loads one (the drivers take their types); and the
// firmware never imports the far-side simulators (hal/far-side/), which are for tests and benches.

import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HARDWARE_PACKAGES } from '../../hal/hardware-packages.js';

/** The repository root, from dist/test/hal/. */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

interface Import {
  readonly file: string;
  readonly from: string;
  readonly typeOnly: boolean;
}

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)));
}

/** Static imports and re-exports, dynamic imports with a literal name (not `typeof import(...)`). */
function importsOf(file: string): Import[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const found: Import[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\s+(type\s+)?[^'";]*?\sfrom\s+['"]([^'"]+)['"]/gms)) {
    found.push({ file, from: m[2]!, typeOnly: Boolean(m[1]) });
  }
  for (const m of text.matchAll(/(typeof\s+)?\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) {
    found.push({ file, from: m[2]!, typeOnly: Boolean(m[1]) });
  }
  return found;
}

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
