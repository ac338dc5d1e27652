// The Local Authorization List end to end (OCPP 1.6 §3.5, §5.10, §5.15): SendLocalList and
// GetLocalListVersion from the dev CSMS over a real WebSocket, and what the list does for cards
// presented at the charger (the virtual EV plugged in), online and offline, across a restart.

import { strict as assert } from 'node:assert';
import { CARD, E2e, OTHER_CARD, OcppRig } from './ocpp-rig.js';
import type { DevCsms } from '../../../tools/dev-csms/csms.js';

const ONE_SOCKET = { connectors: [{ connectorId: 1, maxCurrentA: 32, phases: 3, kind: 'socket' }] };

type Item = { idTag: string; idTagInfo?: { status: string; parentIdTag?: string; expiryDate?: string } };

describe('OCPP e2e: Local Authorization List', function () {
  const e2e = new E2e();
  let csms: DevCsms;
  let rig: OcppRig;

  beforeEach(async () => {
    csms = await e2e.csms();
  });
  afterEach(() => e2e.cleanup());

  const send = async (updateType: 'Full' | 'Differential', listVersion: number, items?: Item[]): Promise<string> =>
    (await rig.call<{ status: string }>('SendLocalList', { listVersion, updateType, ...(items ? { localAuthorizationList: items } : {}) })).status;
  const version = async (): Promise<number> => (await rig.call<{ listVersion: number }>('GetLocalListVersion', {})).listVersion;

  async function goOffline(): Promise<void> {
    await csms.close();
    await rig.until(() => !rig.client.status.connected, 'the charger sees the backend gone');
  }

  it('advertises LocalAuthListManagement and its keys', async () => {
    rig = await e2e.rig(csms);
    const { configurationKey } = await rig.call<{ configurationKey: Array<{ key: string; value: string }> }>('GetConfiguration', {
      key: ['SupportedFeatureProfiles', 'LocalAuthListEnabled', 'LocalAuthListMaxLength', 'SendLocalListMaxLength'],
    });
    assert.deepEqual(configurationKey.map((k) => [k.key, k.value]), [
      ['SupportedFeatureProfiles', 'Core,LocalAuthListManagement'],
      ['LocalAuthListEnabled', 'true'],
      ['LocalAuthListMaxLength', '10000'],
      ['SendLocalListMaxLength', '400'],
    ]);
  });

  it('Full, Differential and VersionMismatch; GetLocalListVersion follows (0 while empty)', async () => {
    rig = await e2e.rig(csms);
    assert.equal(await version(), 0);
    assert.equal(await send('Full', 234, [{ idTag: CARD, idTagInfo: { status: 'Accepted' } }]), 'Accepted');
    assert.equal(await version(), 234);
    assert.equal(await send('Differential', 239, [{ idTag: OTHER_CARD, idTagInfo: { status: 'Blocked' } }, { idTag: CARD }]), 'Accepted');
    assert.equal(await version(), 239);
    assert.equal(await send('Differential', 239, [{ idTag: CARD, idTagInfo: { status: 'Accepted' } }]), 'VersionMismatch');
    assert.equal(await send('Full', 0, [{ idTag: CARD, idTagInfo: { status: 'Accepted' } }]), 'Failed'); // errata v4 §3.52
    assert.equal(await send('Full', 240, [{ idTag: CARD }]), 'Failed', 'a Full entry without idTagInfo');
    assert.equal(await version(), 239);
    assert.deepEqual([rig.client.localList.lookup(CARD), rig.client.localList.lookup(OTHER_CARD)?.status], [undefined, 'blocked']);
  });

  it('LocalAuthListEnabled false (ChangeConfiguration): SendLocalList NotSupported, GetLocalListVersion -1', async () => {
    rig = await e2e.rig(csms);
    assert.equal(await send('Full', 3, [{ idTag: CARD, idTagInfo: { status: 'Accepted' } }]), 'Accepted');
    assert.equal((await rig.call<{ status: string }>('ChangeConfiguration', { key: 'LocalAuthListEnabled', value: 'false' })).status, 'Accepted');
    assert.equal(await send('Full', 4, [{ idTag: OTHER_CARD, idTagInfo: { status: 'Accepted' } }]), 'NotSupported');
    assert.equal(await version(), -1);
    assert.equal((await rig.call<{ status: string }>('ChangeConfiguration', { key: 'LocalAuthListEnabled', value: 'true' })).status, 'Accepted');
    assert.equal(await version(), 3, 'the list was kept');
  });

  it('a list of 10 000 entries, sent as a Full update and Differential ones of SendLocalListMaxLength', async function () {
    this.timeout(60_000);
    rig = await e2e.rig(csms, { config: ONE_SOCKET });
    const per = 400;
    const items = (from: number): Item[] => Array.from({ length: per }, (_, i) => ({ idTag: `LIST${from + i}`, idTagInfo: { status: 'Accepted', parentIdTag: 'FLEET' } }));
    assert.equal(await send('Full', 1, items(0)), 'Accepted');
    for (let n = 1; n < 25; n++) assert.equal(await send('Differential', 1 + n, items(n * per)), 'Accepted', `message ${n + 1}`);
    assert.equal(await version(), 25);
    assert.equal(rig.client.localList.size, 10_000);
    assert.equal(await send('Differential', 26, [{ idTag: 'ONE-TOO-MANY', idTagInfo: { status: 'Accepted' } }]), 'Failed', 'over LocalAuthListMaxLength');
    assert.equal(await send('Full', 26, [...items(0), { idTag: 'X', idTagInfo: { status: 'Accepted' } }]), 'Failed', 'over SendLocalListMaxLength');
    assert.equal(await version(), 25);
  });

  it('SendLocalListMaxLength entries at their longest fit in one frame the charger takes: Accepted', async () => {
    rig = await e2e.rig(csms);
    const items = Array.from({ length: 400 }, (_, i) => ({
      idTag: `LONGEST-ID-TAG-${String(i).padStart(5, '0')}`,
      idTagInfo: { status: 'ConcurrentTx', expiryDate: '2030-12-31T23:59:59.999+01:00', parentIdTag: 'PARENT-ID-TAG-OF-20C' },
    }));
    assert.equal(await send('Full', 1, items), 'Accepted');
    assert.equal(rig.client.localList.size, 400);
  });

  it('offline: a listed card (unknown to the cache) starts a session; a card listed Blocked is refused even with AllowOfflineTxForUnknownId', async () => {
    rig = await e2e.rig(csms, { config: ONE_SOCKET, ocppKeys: { AllowOfflineTxForUnknownId: 'true' } });
    assert.equal(await send('Full', 1, [
      { idTag: CARD, idTagInfo: { status: 'Accepted' } },
      { idTag: OTHER_CARD, idTagInfo: { status: 'Blocked' } },
    ]), 'Accepted');
    await goOffline();
    await rig.plug(1);
    await rig.card(OTHER_CARD);
    await rig.pass(5000);
    assert.equal(rig.connectorState(1), 'connected.awaitingAuthorization', 'listed Blocked: refused offline');
    await rig.card(CARD);
    await rig.untilCharging(1);
    assert.equal(rig.charger.sessions().at(-1)!.idTag, CARD);
  });

  it('online: a card listed Blocked is refused without an Authorize.req, though the CSMS would accept it', async () => {
    csms.setTag(OTHER_CARD, { status: 'Accepted' });
    rig = await e2e.rig(csms, { config: ONE_SOCKET });
    assert.equal(await send('Full', 1, [{ idTag: OTHER_CARD, idTagInfo: { status: 'Blocked' } }]), 'Accepted');
    const mark = rig.mark();
    await rig.plug(1);
    await rig.card(OTHER_CARD);
    await rig.pass(5000);
    assert.equal(rig.connectorState(1), 'connected.awaitingAuthorization');
    assert.deepEqual([rig.calls('Authorize', mark).length, rig.calls('StartTransaction', mark).length], [0, 0]);
  });

  it('LocalPreAuthorize: a listed card starts at once, without an Authorize.req; StartTransaction carries it', async () => {
    csms.setTag(CARD, { status: 'Accepted' });
    rig = await e2e.rig(csms, { config: ONE_SOCKET, ocppKeys: { LocalPreAuthorize: 'true' } });
    assert.equal(await send('Full', 1, [{ idTag: CARD, idTagInfo: { status: 'Accepted' } }]), 'Accepted');
    const mark = rig.mark();
    await rig.plug(1);
    await rig.card(CARD);
    await rig.untilCharging(1);
    const start = await rig.next<{ idTag: string }>('StartTransaction', mark);
    assert.equal(start.idTag, CARD);
    assert.equal(rig.calls('Authorize', mark).length, 0);
  });

  it('a StartTransaction.conf contradicting the list: StatusNotification connector 0 LocalListConflict (§3.5.2)', async () => {
    rig = await e2e.rig(csms, { config: ONE_SOCKET, ocppKeys: { LocalPreAuthorize: 'true' } });
    csms.setHandler('StartTransaction', () => ({ transactionId: 5, idTagInfo: { status: 'Blocked' } }));
    assert.equal(await send('Full', 1, [{ idTag: CARD, idTagInfo: { status: 'Accepted' } }]), 'Accepted');
    const mark = rig.mark();
    await rig.plug(1);
    await rig.card(CARD);
    const conflict = await rig.next<{ connectorId: number; errorCode: string; status: string }>('StatusNotification', mark, (p) => p.errorCode === 'LocalListConflict');
    assert.deepEqual([conflict.connectorId, conflict.status], [0, 'Available']);
    assert.equal(rig.client.localList.lookup(CARD)?.status, 'accepted', 'the list is changed only by SendLocalList (§3.5.2)');
  });

  it('the list survives a restart: its version, and a listed card charging offline', async () => {
    rig = await e2e.rig(csms, { config: ONE_SOCKET });
    assert.equal(await send('Full', 77, [{ idTag: CARD, idTagInfo: { status: 'Accepted' } }]), 'Accepted');
    rig = await e2e.restart(rig);
    assert.equal(await version(), 77);
    await goOffline();
    await rig.plug(1);
    await rig.card(CARD);
    await rig.untilCharging(1);
  });
});
