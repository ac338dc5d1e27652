// Run by power-cut.test.ts, killed with SIGKILL at a random moment: updates the local list without
// end, full and differential in turn. Every update re-grants every entry with group V<version> and
// sets the entry COUNT to "<version>:<size>", so a list read back tells whether it is one update whole.
// On stdout, one line per fact:
//   R <version>     opened
//   T <version>     about to apply this update
//   D <version>     this update is durable
// Arguments: <dir> <seed>. Not a module to import: it starts on load.

import { writeSync } from 'node:fs';

import { systemClock } from '../../../hal/clock.js';
import { LocalList } from '../../../app/local-list/local-list.js';
import type { ListChange, ListUpdate } from '../../../app/local-list/list-update.js';

const say = (line: string): void => {
  writeSync(1, `${line}\n`); // synchronous: a line printed is a line the parent can see after the kill
};

const [dir, seedText] = process.argv.slice(2);
const list = await LocalList.open(dir!, {
  clock: systemClock,
  limits: () => ({ maxEntries: 10_000, maxChanges: 10_000 }),
  report: (p) => say(`P ${p.kind} ${p.message.replace(/\n/g, ' ')}`),
});
say(`R ${list.version}`);

const grant = (version: number) => ({ status: 'accepted' as const, group: `V${version}` });

function nextUpdate(version: number): ListUpdate {
  const size = 500 + ((version * 7919 + Number(seedText)) % 2500);
  if (version % 2 === 1 || list.size === 0) {
    const changes: ListChange[] = Array.from({ length: size - 1 }, (_, i) => ({ idToken: `TAG${i}`, grant: grant(version) }));
    changes.push({ idToken: 'COUNT', grant: { status: 'accepted', group: `${version}:${size}` } });
    return { kind: 'full', version, changes };
  }
  // Differential: TAG0..TAG<m-1> are listed; every one kept is re-granted, and the last one deleted
  // (version 4k) or two added (version 4k+2).
  const m = list.size - 1;
  const shrink = version % 4 === 0 && m > 1;
  const tags = shrink ? m - 1 : m + 2;
  const changes: ListChange[] = Array.from({ length: tags }, (_, i) => ({ idToken: `TAG${i}`, grant: grant(version) }));
  if (shrink) changes.push({ idToken: `TAG${m - 1}` });
  changes.push({ idToken: 'COUNT', grant: { status: 'accepted', group: `${version}:${tags + 1}` } });
  return { kind: 'differential', version, changes };
}

for (let version = list.version + 1; ; version++) {
  say(`T ${version}`);
  const result = await list.update(nextUpdate(version));
  if (result.status !== 'accepted') say(`P refused ${JSON.stringify(result)}`);
  say(`D ${version}`);
}
