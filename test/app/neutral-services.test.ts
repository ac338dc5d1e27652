// The protocol-neutral services (issue 11): each is written in its own terms and imports nothing
// from app/ocpp/, so that OCPP 2.0.1 maps onto the same service instead of a second implementation.

import { strict as assert } from 'node:assert';
import { join, sep } from 'node:path';
import { importsOf, resolved, sources } from '../support/import-scan.js';

const NEUTRAL_SERVICES = [join('app', 'local-list')];
const OCPP = join('app', 'ocpp') + sep;

describe('protocol-neutral services', () => {
  for (const dir of NEUTRAL_SERVICES) {
    it(`${dir} imports nothing from app/ocpp/`, () => {
      const files = sources(dir);
      assert.ok(files.length > 0, `${dir} has sources`);
      const offending = files.flatMap(importsOf).filter((i) => resolved(i)?.startsWith(OCPP)).map((i) => `${i.file} → ${i.from}`);
      assert.deepEqual(offending, []);
    });
  }
});
