// Local Authorization List (app/local-list/): lookup cost and the cost of a full update, at
// 10,000 entries (LocalAuthListMaxLength), on this machine's disk.
//
// - local_list_lookup_us: one lookup, mean over LOOKUPS (half listed, half not, case varied), at
//   10,000 entries; the same at 100 entries goes alongside, to show it does not grow with the list.
// - local_list_full_update_ms: a full update of 10,000 entries at their longest (20-character
//   idTags and parents, an expiry), median of UPDATES, each awaited until durable (the whole file
//   written, fsynced and renamed into place: what SendLocalList answers after).

import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { systemClock } from '../../hal/clock.js';
import { LOCAL_LIST_FILE, LocalList } from '../../app/local-list/local-list.js';
import type { ListUpdate } from '../../app/local-list/list-update.js';
import { emit, percentile, preciseNow } from './bench-output.js';

const ENTRIES = 10_000;
const LOOKUPS = Number(process.env.LOCAL_LIST_BENCH_LOOKUPS ?? 1_000_000);
const UPDATES = Number(process.env.LOCAL_LIST_BENCH_UPDATES ?? 20);

const idTag = (i: number): string => `CARD-${String(i).padStart(15, '0')}`; // 20 characters

function full(version: number, count: number): ListUpdate {
  const expiresAt = Date.UTC(2030, 0, 1);
  return {
    kind: 'full',
    version,
    changes: Array.from({ length: count }, (_, i) => ({ idToken: idTag(i), grant: { status: 'accepted' as const, group: `FLEET-${String(i % 100).padStart(14, '0')}`, expiresAt } })),
  };
}

/** Mean µs per lookup over LOOKUPS, on a list of `count` entries. */
function lookupUs(list: LocalList, count: number): number {
  const probes = Array.from({ length: 4096 }, (_, k) => {
    const tag = idTag((k * 7919) % (2 * count)); // half beyond the list: misses
    return k % 2 === 0 ? tag : tag.toLowerCase();
  });
  let hits = 0;
  for (let i = 0; i < 10_000; i++) if (list.lookup(probes[i % probes.length]!)) hits++; // warm-up
  const t0 = preciseNow();
  for (let i = 0; i < LOOKUPS; i++) if (list.lookup(probes[i % probes.length]!)) hits++;
  const us = ((preciseNow() - t0) * 1000) / LOOKUPS;
  if (hits === 0) throw new Error('no lookup hit: the bench is wrong');
  return us;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'charger-local-list-bench-'));
  try {
    const list = await LocalList.open(dir, {
      clock: systemClock,
      limits: () => ({ maxEntries: ENTRIES, maxChanges: ENTRIES }),
      report: (p) => process.stderr.write(`[local-list-bench] ${p.message}\n`),
    });

    const small = await LocalList.open(join(dir, 'small'), { clock: systemClock, limits: () => ({ maxEntries: ENTRIES, maxChanges: ENTRIES }) });
    await small.update(full(1, 100));
    const at100 = lookupUs(small, 100);

    const times: number[] = [];
    for (let v = 1; v <= UPDATES; v++) {
      const update = full(v, ENTRIES);
      const t0 = preciseNow();
      const result = await list.update(update);
      times.push(preciseNow() - t0);
      if (result.status !== 'accepted') throw new Error(`update ${v}: ${JSON.stringify(result)}`);
    }
    const fileBytes = (await stat(join(dir, LOCAL_LIST_FILE))).size;
    const at10k = lookupUs(list, ENTRIES);

    emit('local_list_lookup_us', at10k, 'us', { entries: ENTRIES, lookups: LOOKUPS, lookup_us_at_100_entries: Math.round(at100 * 1000) / 1000 });
    const sorted = [...times].sort((a, b) => a - b);
    emit('local_list_full_update_ms', percentile(sorted, 50), 'ms', { entries: ENTRIES, updates: UPDATES, max_ms: Math.round(sorted.at(-1)!), file_bytes: fileBytes });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
