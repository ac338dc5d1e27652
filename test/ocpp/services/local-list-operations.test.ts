// SendLocalList and GetLocalListVersion (OCPP 1.6 §5.10, §5.15, §6.27–6.28, §6.41–6.42, §7.47,
// errata v4 §3.52) on the list service, with the LocalAuthListManagement keys (§9.2).

import { strict as assert } from 'node:assert';

import { LocalList } from '../../../app/local-list/local-list.js';
import type { ConfigurationStore } from '../../../app/ocpp/configuration/configuration-store.js';
import { getLocalListVersion } from '../../../app/ocpp/operations/get-local-list-version.js';
import { sendLocalList } from '../../../app/ocpp/operations/send-local-list.js';
import type { OcppServices } from '../../../app/ocpp/services.js';
import { TestClock, configure, logSink, storesFixture } from './helpers.js';

type Item = { idTag: string; idTagInfo?: { status: string; expiryDate?: string; parentIdTag?: string } };

const accepted = (...ids: string[]): Item[] => ids.map((idTag) => ({ idTag, idTagInfo: { status: 'Accepted' } }));

describe('ocpp/operations SendLocalList, GetLocalListVersion', () => {
  const fx = storesFixture();
  let configuration: ConfigurationStore;
  let localList: LocalList;
  let services: OcppServices;

  const send = async (updateType: 'Full' | 'Differential', listVersion: number, items?: Item[]) =>
    ((await sendLocalList.handle(services, { updateType, listVersion, ...(items ? { localAuthorizationList: items } : {}) })) as { status: string }).status;
  const version = () => (getLocalListVersion.handle(services, {}) as { listVersion: number }).listVersion;

  beforeEach(async () => {
    configuration = await fx.openConfiguration({ initial: { LocalAuthListMaxLength: '6', SendLocalListMaxLength: '4' } });
    localList = await LocalList.open(fx.dir, {
      clock: new TestClock(),
      limits: () => ({ maxEntries: configuration.integer('LocalAuthListMaxLength'), maxChanges: configuration.integer('SendLocalListMaxLength') }),
      report: () => undefined,
    });
    services = { configuration, localList, log: logSink().log } as Partial<OcppServices> as OcppServices;
  });

  it('GetLocalListVersion: 0 while the list is empty', () => {
    assert.equal(version(), 0);
  });

  it('Full: Accepted, the list replaced and its version reported; a lower version is fine', async () => {
    assert.equal(await send('Full', 5, accepted('A', 'B')), 'Accepted');
    assert.equal(version(), 5);
    assert.equal(await send('Full', 2, accepted('C')), 'Accepted');
    assert.deepEqual([version(), localList.lookup('A'), localList.lookup('C')?.status], [2, undefined, 'accepted']);
  });

  it('Full with no list: every entry removed, version 0 (§6.41, §5.10)', async () => {
    await send('Full', 5, accepted('A'));
    assert.equal(await send('Full', 6), 'Accepted');
    assert.deepEqual([version(), localList.size], [0, 0]);
  });

  it('Differential: entries added, updated, deleted (no idTagInfo), the new version taken', async () => {
    await send('Full', 1, accepted('A', 'B'));
    assert.equal(await send('Differential', 2, [
      { idTag: 'A' },
      { idTag: 'B', idTagInfo: { status: 'Blocked' } },
      { idTag: 'C', idTagInfo: { status: 'Accepted', parentIdTag: 'FLEET', expiryDate: '2030-01-01T00:00:00Z' } },
    ]), 'Accepted');
    assert.equal(version(), 2);
    assert.deepEqual([localList.lookup('A'), localList.lookup('B')?.status], [undefined, 'blocked']);
    assert.deepEqual(localList.lookup('c'), { idToken: 'C', status: 'accepted', group: 'FLEET', expiresAt: Date.parse('2030-01-01T00:00:00Z') });
  });

  it('Differential with no list: no change (§6.41), version taken', async () => {
    await send('Full', 1, accepted('A'));
    assert.equal(await send('Differential', 2), 'Accepted');
    assert.deepEqual([version(), localList.size], [2, 1]);
  });

  it('Differential not above the current version: VersionMismatch, list unchanged (§7.47)', async () => {
    await send('Full', 3, accepted('A'));
    assert.equal(await send('Differential', 3, accepted('B')), 'VersionMismatch');
    assert.equal(await send('Differential', 2, accepted('B')), 'VersionMismatch');
    assert.deepEqual([version(), localList.lookup('B')], [3, undefined]);
  });

  it('Failed, list unchanged: version 0 or -1 (errata §3.52), duplicates, a Full entry without idTagInfo, over SendLocalListMaxLength, over LocalAuthListMaxLength', async () => {
    await send('Full', 3, accepted('A'));
    const cases: Array<[string, 'Full' | 'Differential', number, Item[]]> = [
      ['version 0', 'Full', 0, accepted('B')],
      ['version -1', 'Differential', -1, accepted('B')],
      ['duplicates', 'Full', 4, accepted('B', 'b')],
      ['no idTagInfo in Full', 'Full', 4, [{ idTag: 'B' }]],
      ['5 > SendLocalListMaxLength 4', 'Full', 4, accepted('B', 'C', 'D', 'E', 'F')],
    ];
    for (const [what, type, v, items] of cases) assert.equal(await send(type, v, items), 'Failed', what);
    assert.equal(await send('Differential', 4, accepted('B', 'C', 'D', 'E')), 'Accepted');
    assert.equal(await send('Differential', 5, accepted('F', 'G')), 'Failed', '7 > LocalAuthListMaxLength 6');
    assert.deepEqual([version(), localList.size], [4, 5]);
  });

  it('LocalAuthListEnabled false: SendLocalList NotSupported (list unchanged), GetLocalListVersion -1', async () => {
    await send('Full', 3, accepted('A'));
    await configure(configuration, { LocalAuthListEnabled: false });
    assert.equal(await send('Full', 4, accepted('B')), 'NotSupported');
    assert.equal(version(), -1);
    await configure(configuration, { LocalAuthListEnabled: true });
    assert.deepEqual([version(), localList.lookup('A')?.status], [3, 'accepted']);
  });
});
