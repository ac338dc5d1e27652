// The README's safety-interlock table and the fault table (state-machines/faults.ts) agree: one
// row per fault, each stating the OCPP code, the recovery rule, state F and the scope the fault
// table gives it, and naming a test file that exists. A fault added to faults.ts fails here until
// its row is written.

import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FAULTS, FAULT_NAMES, type FaultName } from '../../state-machines/faults.js';

/** The repository root, from dist/test/docs/. */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SECTION = '### Safety interlocks';

interface Row {
  readonly fault: string;
  readonly cells: Readonly<Record<string, string>>;
}

const cellsOf = (line: string): string[] => line.trim().replace(/^\||\|$/g, '').split('|').map((c) => c.trim());

/** The first table of the section, keyed by its header. */
function hazardTable(readme: string): Row[] {
  const start = readme.indexOf(`\n${SECTION}\n`);
  assert.ok(start >= 0, `README.md has no "${SECTION}" section`);
  const rest = readme.slice(start + SECTION.length + 2);
  const end = rest.search(/\n#{2,3} /);
  const lines = (end < 0 ? rest : rest.slice(0, end)).split('\n');
  const first = lines.findIndex((l) => l.startsWith('|'));
  assert.ok(first >= 0, 'the section has no table');
  const header = cellsOf(lines[first]!);
  const rows: Row[] = [];
  for (const line of lines.slice(first + 2)) {
    if (!line.startsWith('|')) break;
    const cells = cellsOf(line);
    const fault = /^`([A-Za-z]+)`$/.exec(cells[0] ?? '')?.[1] ?? cells[0] ?? '';
    rows.push({ fault, cells: Object.fromEntries(header.map((h, i) => [h, cells[i] ?? ''])) });
  }
  return rows;
}

/** The cell under the first header that starts with `prefix`. */
function cell(row: Row, prefix: string): string {
  const key = Object.keys(row.cells).find((h) => h.toLowerCase().startsWith(prefix.toLowerCase()));
  assert.ok(key, `the table has no "${prefix}…" column`);
  return row.cells[key]!;
}

describe('README: the safety-interlock table agrees with state-machines/faults.ts', () => {
  const rows = hazardTable(readFileSync(join(ROOT, 'README.md'), 'utf8'));
  const byFault = new Map<string, Row[]>();
  for (const row of rows) byFault.set(row.fault, [...(byFault.get(row.fault) ?? []), row]);

  it('has one row per fault, and no row that names no fault', () => {
    assert.ok(rows.length > 0, 'the table is empty');
    const known = new Set<string>(FAULT_NAMES);
    assert.deepEqual(rows.map((r) => r.fault).filter((name) => !known.has(name)), [], 'rows whose first cell is no `FaultName`');
    assert.deepEqual(FAULT_NAMES.filter((name) => !byFault.has(name)), [], 'faults without a row');
    assert.deepEqual([...byFault].filter(([, r]) => r.length > 1).map(([name]) => name), [], 'faults with more than one row');
  });

  for (const fault of FAULT_NAMES) {
    describe(fault, () => {
      const def = FAULTS[fault as FaultName];
      const row = () => {
        const found = byFault.get(fault);
        assert.ok(found, `${fault} has no row in README.md "${SECTION}"`);
        return found[0]!;
      };

      it(`OCPP error code \`${def.ocppErrorCode}\``, () => {
        assert.equal(cell(row(), 'OCPP'), `\`${def.ocppErrorCode}\``);
      });

      it(`recovery: ${def.recovery}${def.holdoff === 'none' ? '' : ', after faultRetryDelayMs'}`, () => {
        const text = cell(row(), 'Recovery');
        const said = text.startsWith('latched') ? 'latched' : text.startsWith('until unplug') ? 'untilUnplug' : text.startsWith('auto') ? 'auto' : text;
        assert.equal(said, def.recovery, `Recovery "${text}" should start with latched, until unplug or auto`);
        assert.equal(text.includes('`faultRetryDelayMs`'), def.holdoff === 'faultRetryDelay', `Recovery "${text}": holdoff ${def.holdoff}`);
      });

      it(`reaction: ${def.pilotStateF ? 'state F' : 'no state F'}, ${def.scope === 'station' ? 'all connectors' : 'its connector'}`, () => {
        const text = cell(row(), 'Reaction');
        assert.equal(text.includes('state F'), def.pilotStateF, `Reaction "${text}": pilotStateF ${def.pilotStateF}`);
        assert.equal(text.includes('all connectors'), def.scope === 'station', `Reaction "${text}": scope ${def.scope}`);
      });

      it('names a test file that exists', () => {
        const paths = [...cell(row(), 'Proved by').matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
        assert.ok(paths.length > 0, `${fault} names no test`);
        for (const path of paths) {
          assert.match(path, /^test\/.+\.test\.ts$/, `${path} is not a test file`);
          assert.ok(existsSync(join(ROOT, path)), `${path} does not exist`);
        }
      });
    });
  }
});
