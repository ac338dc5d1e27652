// docs/machines/ shows each state machine as its definition draws it today (tools/diagrams.ts):
// a machine changed without `make diagrams` fails here.

import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { diagramDocuments } from '../../tools/diagrams.js';

/** The repository root, from dist/test/docs/. */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

describe('machine diagrams in docs/machines/', () => {
  for (const doc of diagramDocuments()) {
    it(`${doc.path} is current`, () => {
      const file = join(ROOT, doc.path);
      assert.ok(existsSync(file), `${doc.path} is missing: run make diagrams`);
      assert.ok(readFileSync(file, 'utf8') === doc.text, `${doc.path} does not match its machine's definition: run make diagrams`);
    });
  }

  it('gives a composite state no description line (Mermaid allows it a label only): its details go in a note', () => {
    for (const doc of diagramDocuments()) {
      const composites = [...doc.text.matchAll(/^\s*state "[^"]*" as (\w+) \{$/gm)].map((m) => m[1]!);
      assert.ok(composites.length > 0);
      const described = composites.filter((id) => new RegExp(`^\\s*${id} : `, 'm').test(doc.text));
      assert.deepEqual(described, [], doc.path);
    }
  });

  it('draws every state and every transition of the charging point', () => {
    const text = diagramDocuments().find((d) => d.path.endsWith('charging-point.md'))!.text;
    for (const id of ['point_connected_session_energized_charging', 'point_fault_signalling', 'pwmPacing_holding']) {
      assert.ok(text.includes(`as ${id}`), `${id} not drawn`);
    }
    assert.match(text, /point_idle_vacant : tags vacant/);
    assert.match(text, /point_idle_authorizedAwaitingPlug --> point_idle_vacant : after plugInTimeout/);
    assert.match(text, /point_connected_session_energized_stopping : ocppStatus: status \(finish Finishing, pause SuspendedEVSE\)/);
  });
});
