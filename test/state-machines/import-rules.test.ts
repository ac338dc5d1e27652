// The machines are pure domain: state-machines/ imports nothing from app/, and from hal/ only
// the typed interfaces (types only), never a driver or the board. Read from the sources.

import { strict as assert } from 'node:assert';
import { join, sep } from 'node:path';
import { importsOf, resolved, sources } from '../support/import-scan.js';

/** What state-machines/ may take from hal/: types of the interfaces and the clock. */
const HAL_TYPES = [join('hal', 'interfaces.ts'), join('hal', 'clock.ts')];

describe('state-machines import rules', () => {
  const imports = sources('state-machines').flatMap(importsOf);

  it('imports nothing from app/', () => {
    assert.deepEqual(imports.filter((i) => resolved(i)?.startsWith(`app${sep}`)), []);
  });

  it('takes from hal/ only the interfaces, and only their types', () => {
    const fromHal = imports.filter((i) => resolved(i)?.startsWith(`hal${sep}`));
    assert.deepEqual(fromHal.filter((i) => !HAL_TYPES.includes(resolved(i)!) || !i.typeOnly), []);
  });

  it('sees the imports it looks for (the rules above are not vacuous)', () => {
    assert.ok(imports.some((i) => i.file === join('state-machines', 'pilot-state.ts') && resolved(i) === join('hal', 'interfaces.ts')));
    assert.ok(imports.some((i) => i.file === join('state-machines', 'charging-point.ts') && resolved(i) === join('state-machines', 'stop-reasons.ts')));
  });
});
