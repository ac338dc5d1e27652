// A power cut mid-update, as near as a test gets: a child process updates the local list without
// end (full and differential, 500–3000 entries) and is killed with SIGKILL at a random moment,
// again and again over the same file. Each time the list read back must be one update whole (the
// last one durable, or the one in flight), never a mix. (SIGKILL keeps what reached the kernel; the
// write-then-rename of app/persistence/durable-json-file.ts is what a real power cut relies on, and
// its own tests cut it short at each step.)

import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { VirtualClock } from '../../../hal/clock.js';
import { LocalList } from '../../../app/local-list/local-list.js';
import type { PersistenceProblem } from '../../../app/persistence/durable-json-file.js';
import { useSeededRandom } from '../../support/seeded-random.js';

const CHILD = fileURLToPath(new URL('./power-cut-child.js', import.meta.url));
const KILLS = 30;

interface ChildReport {
  opened: number | null;
  tried: number;
  durable: number;
  problems: string[];
}

function runAndKill(dir: string, seed: number, afterMs: number): Promise<ChildReport> {
  const report: ChildReport = { opened: null, tried: 0, durable: 0, problems: [] };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, dir, String(seed)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let buffered = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        const [tag, value] = line.split(' ');
        if (tag === 'R') {
          report.opened = Number(value);
          setTimeout(() => child.kill('SIGKILL'), afterMs);
        } else if (tag === 'T') report.tried = Number(value);
        else if (tag === 'D') report.durable = Number(value);
        else if (tag === 'P') report.problems.push(line);
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`child ended on its own (${code}): ${stderr}`));
      else resolve(report);
    });
  });
}

describe('local-list: power cut (SIGKILL) mid-update', () => {
  let dir: string;
  const random = useSeededRandom();

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'charger-local-list-cut-'));
  });
  after(() => rm(dir, { recursive: true, force: true, maxRetries: 3 }));

  it(`reads back one update whole, the last durable or the one in flight, over ${KILLS} kills`, async function () {
    this.timeout(120_000);
    let previous = 0;
    for (let run = 1; run <= KILLS; run++) {
      const child = await runAndKill(dir, Math.floor(random.between(0, 1000)), random.between(5, 250));
      const where = `run ${run}`;
      assert.deepEqual(child.problems, [], `${where}: the child saw a problem`);
      assert.equal(child.opened, previous, `${where}: opened at the version read back last time`);

      const problems: PersistenceProblem[] = [];
      const list = await LocalList.open(dir, { clock: new VirtualClock(), limits: () => ({ maxEntries: 10_000, maxChanges: 10_000 }), report: (p) => void problems.push(p) });
      assert.deepEqual(problems, [], `${where}: damage on reopen`);
      const version = list.version;
      const lastDurable = Math.max(child.durable, previous);
      assert.ok(version === lastDurable || version === child.tried, `${where}: version ${version}, durable ${lastDurable}, in flight ${child.tried}`);

      // One update whole: COUNT names this version and the size; every other entry is of this version.
      assert.equal(list.lookup('COUNT')?.group, `${version}:${list.size}`, `${where}: COUNT`);
      for (let i = 0; i < list.size - 1; i++) assert.equal(list.lookup(`TAG${i}`)?.group, `V${version}`, `${where}: TAG${i}`);
      assert.equal(list.lookup(`TAG${list.size - 1}`), undefined, `${where}: an entry beyond the size`);
      previous = version;
    }
    assert.ok(previous > KILLS, `only ${previous} updates in ${KILLS} runs: the kills did not land mid-update`);
  });
});
