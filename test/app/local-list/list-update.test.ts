// The list's update rules (OCPP 1.6 §5.15, §6.41, §7.1, §7.47, errata v4 §3.52), pure.

import { strict as assert } from 'node:assert';
import { applyUpdate, asOf, type ListEntry, type ListUpdate, type UpdatedList } from '../../../app/local-list/list-update.js';

const LIMITS = { maxEntries: 5, maxChanges: 4 };
const NONE = new Map<string, ListEntry>();

function full(version: number, ...ids: string[]): ListUpdate {
  return { kind: 'full', version, changes: ids.map((idToken) => ({ idToken, grant: { status: 'accepted' } })) };
}

function accepted(result: ReturnType<typeof applyUpdate>): UpdatedList {
  assert.equal(result.status, 'accepted', JSON.stringify(result));
  return result as UpdatedList;
}

describe('local-list/list-update', () => {
  it('full: replaces the list and takes its version, whatever the current one', () => {
    const first = accepted(applyUpdate(NONE, 0, full(7, 'A', 'B'), LIMITS));
    assert.deepEqual([first.version, [...first.entries.keys()]], [7, ['A', 'B']]);
    const lower = accepted(applyUpdate(first.entries, 7, full(3, 'C'), LIMITS));
    assert.deepEqual([lower.version, [...lower.entries.keys()]], [3, ['C']]);
  });

  it('differential: adds, updates and deletes (no idTagInfo = delete, §7.1)', () => {
    const base = accepted(applyUpdate(NONE, 0, full(1, 'A', 'B'), LIMITS));
    const next = accepted(applyUpdate(base.entries, 1, {
      kind: 'differential',
      version: 2,
      changes: [{ idToken: 'a', grant: { status: 'blocked' } }, { idToken: 'B' }, { idToken: 'C', grant: { status: 'accepted', group: 'G' } }],
    }, LIMITS));
    assert.equal(next.version, 2);
    assert.deepEqual([...next.entries.values()], [
      { idToken: 'a', status: 'blocked' },
      { idToken: 'C', status: 'accepted', group: 'G' },
    ]);
    assert.equal(base.entries.get('B')?.status, 'accepted', 'the current list is not touched');
  });

  it('differential with a version not above the current one: versionMismatch (§7.47)', () => {
    const base = accepted(applyUpdate(NONE, 0, full(5, 'A'), LIMITS));
    for (const version of [5, 4, 1]) {
      assert.equal(applyUpdate(base.entries, 5, { kind: 'differential', version, changes: [] }, LIMITS).status, 'versionMismatch', `version ${version}`);
    }
    assert.equal(applyUpdate(base.entries, 5, { kind: 'differential', version: 6, changes: [] }, LIMITS).status, 'accepted');
  });

  it('a version of 0, -1 or below: failed (errata v4 §3.52)', () => {
    for (const version of [0, -1, -7]) {
      assert.equal(applyUpdate(NONE, 0, full(version, 'A'), LIMITS).status, 'failed', `full ${version}`);
      assert.equal(applyUpdate(NONE, 0, { kind: 'differential', version, changes: [] }, LIMITS).status, 'failed', `differential ${version}`);
    }
  });

  it('duplicate idTags, case-insensitively: failed (§6.41)', () => {
    assert.equal(applyUpdate(NONE, 0, full(1, 'AB', 'ab'), LIMITS).status, 'failed');
  });

  it('a full update with an entry without idTagInfo: failed (§7.1)', () => {
    assert.equal(applyUpdate(NONE, 0, { kind: 'full', version: 1, changes: [{ idToken: 'A' }] }, LIMITS).status, 'failed');
  });

  it('more changes than maxChanges in one update, or more entries than maxEntries: failed', () => {
    assert.equal(applyUpdate(NONE, 0, full(1, 'A', 'B', 'C', 'D', 'E'), LIMITS).status, 'failed');
    const four = accepted(applyUpdate(NONE, 0, full(1, 'A', 'B', 'C', 'D'), LIMITS));
    const two = (version: number, ...ids: string[]): ListUpdate => ({ kind: 'differential', version, changes: ids.map((idToken) => ({ idToken, grant: { status: 'accepted' } })) });
    assert.equal(applyUpdate(four.entries, 1, two(2, 'E', 'F'), LIMITS).status, 'failed', '6 > 5');
    assert.equal(accepted(applyUpdate(four.entries, 1, two(2, 'E', 'A'), LIMITS)).entries.size, 5);
  });

  it('an empty list has version 0 (§5.10), however it was emptied', () => {
    assert.equal(accepted(applyUpdate(NONE, 0, full(9), LIMITS)).version, 0);
    const one = accepted(applyUpdate(NONE, 0, full(3, 'A'), LIMITS));
    assert.equal(accepted(applyUpdate(one.entries, 3, { kind: 'differential', version: 4, changes: [{ idToken: 'A' }] }, LIMITS)).version, 0);
  });

  it('asOf: a valid entry past its expiry reads expired; other statuses and the stored entry stay', () => {
    const entry: ListEntry = { idToken: 'A', status: 'accepted', expiresAt: 1000 };
    assert.equal(asOf(entry, 999).status, 'accepted');
    assert.equal(asOf(entry, 1000).status, 'expired');
    assert.equal(asOf({ ...entry, status: 'concurrentTx' }, 2000).status, 'expired');
    assert.equal(asOf({ ...entry, status: 'blocked' }, 2000).status, 'blocked');
    assert.equal(entry.status, 'accepted');
  });
});
