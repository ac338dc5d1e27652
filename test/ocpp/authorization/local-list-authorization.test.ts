// The Local Authorization List in authorization (OCPP 1.6 §3.5, §3.5.3, §3.5.4, §9.1.12, §9.1.13):
// it has priority over the cache, its not-valid entries are refused online and offline, and it
// lets a card start without an Authorize.req (LocalPreAuthorize) or while offline (LocalAuthorizeOffline).

import { strict as assert } from 'node:assert';

import type { ListGrant } from '../../../app/local-list/list-update.js';
import { authorizerFixture, HOUR_MS } from './helpers.js';

describe('ocpp/authorization/ocpp-authorizer with the local list', () => {
  const rig = authorizerFixture();
  const { fx } = rig;
  let version = 0;

  /** Puts `idTag` on the list (a differential update). */
  async function list(idTag: string, grant: ListGrant): Promise<void> {
    const result = await rig.localList.update({ kind: 'differential', version: ++version + 1000, changes: [{ idToken: idTag, grant }] });
    assert.equal(result.status, 'accepted');
  }

  describe('online', () => {
    it('LocalPreAuthorize: a listed Accepted card is accepted without an Authorize.req', async () => {
      const auth = await rig.setup({ LocalPreAuthorize: true, AuthorizationCacheEnabled: false });
      await list('04A1', { status: 'accepted', group: 'FLEET' });
      assert.deepEqual(await auth.check('04a1'), { info: { status: 'Accepted', parentIdTag: 'FLEET' }, source: 'local-list' });
      assert.deepEqual(rig.caller.calls, []);
    });

    it('without LocalPreAuthorize: a listed Accepted card is asked about', async () => {
      const auth = await rig.setup();
      await list('04A1', { status: 'accepted' });
      rig.caller.answer('04A1', { status: 'Accepted' });
      assert.equal((await auth.check('04A1')).source, 'online');
      assert.deepEqual(rig.caller.authorized, ['04A1']);
    });

    for (const status of ['blocked', 'expired', 'invalid'] as const) {
      it(`a card listed ${status} is refused without asking, even with the cache or the backend saying Accepted`, async () => {
        const auth = await rig.setup({ LocalPreAuthorize: true });
        await rig.cache.update('04A1', { status: 'Accepted' });
        rig.caller.answer('04A1', { status: 'Accepted' });
        await list('04A1', { status });
        const check = await auth.check('04A1');
        assert.equal(check.info.status, status[0]!.toUpperCase() + status.slice(1));
        assert.equal(check.source, 'local-list');
        assert.deepEqual(rig.caller.calls, []);
      });
    }

    it('a listed Accepted card past its expiryDate is refused as Expired', async () => {
      const auth = await rig.setup({ LocalPreAuthorize: true });
      await list('04A1', { status: 'accepted', expiresAt: fx.clock.now() + HOUR_MS });
      await fx.clock.advance(HOUR_MS);
      assert.equal((await auth.check('04A1')).info.status, 'Expired');
      assert.deepEqual(rig.caller.calls, []);
    });

    it('the list has priority over the cache (§3.5.3): a card cached Blocked but listed Accepted is pre-authorized', async () => {
      const auth = await rig.setup({ LocalPreAuthorize: true });
      await rig.cache.update('04A1', { status: 'Blocked' });
      await list('04A1', { status: 'accepted' });
      assert.deepEqual(await auth.check('04A1'), { info: { status: 'Accepted' }, source: 'local-list' });
    });

    it('an answer for a listed card is not put into the cache (§3.5.3)', async () => {
      const auth = await rig.setup();
      await list('04A1', { status: 'accepted' });
      rig.caller.answer('04A1', { status: 'Accepted' }).answer('OTHER', { status: 'Accepted' });
      await auth.check('04A1');
      await auth.check('OTHER');
      await auth.learn('04A1', { status: 'Accepted' });
      assert.deepEqual([rig.cache.get('04A1'), rig.cache.get('OTHER')?.status], [undefined, 'Accepted']);
    });

    it('LocalAuthListEnabled false: the list is not consulted', async () => {
      const auth = await rig.setup({ LocalPreAuthorize: true, LocalAuthListEnabled: false });
      await list('04A1', { status: 'blocked' });
      rig.caller.answer('04A1', { status: 'Accepted' });
      assert.deepEqual(await auth.check('04A1'), { info: { status: 'Accepted' }, source: 'online' });
      assert.equal(auth.groupOf('04A1'), undefined);
    });
  });

  describe('offline (§3.5.4)', () => {
    it('LocalAuthorizeOffline: a listed Accepted card is accepted', async () => {
      const auth = await rig.setup({ AuthorizationCacheEnabled: false });
      await list('04A1', { status: 'accepted' });
      rig.caller.online = false;
      assert.deepEqual(await auth.check('04A1'), { info: { status: 'Accepted' }, source: 'local-list' });
    });

    it('LocalAuthorizeOffline false: a listed Accepted card is not accepted on the list\'s word', async () => {
      const auth = await rig.setup({ LocalAuthorizeOffline: false });
      await list('04A1', { status: 'accepted' });
      rig.caller.online = false;
      assert.equal((await auth.check('04A1')).info.status, 'Invalid');
    });

    for (const status of ['blocked', 'expired', 'invalid', 'concurrentTx'] as const) {
      it(`a card listed ${status} is refused, even with AllowOfflineTxForUnknownId and the cache saying Accepted`, async () => {
        const auth = await rig.setup({ AllowOfflineTxForUnknownId: true });
        await rig.cache.update('04A1', { status: 'Accepted' });
        await list('04A1', { status });
        rig.caller.online = false;
        assert.notEqual((await auth.check('04A1')).info.status, 'Accepted');
      });
    }

    it('a listed card whose expiryDate passed while offline is refused, even with AllowOfflineTxForUnknownId', async () => {
      const auth = await rig.setup({ AllowOfflineTxForUnknownId: true });
      await list('04A1', { status: 'accepted', expiresAt: fx.clock.now() + HOUR_MS });
      rig.caller.online = false;
      assert.equal((await auth.check('04A1')).info.status, 'Accepted');
      await fx.clock.advance(HOUR_MS);
      assert.deepEqual(await auth.check('04A1'), { info: { status: 'Expired', expiryDate: new Date(fx.clock.now()).toISOString() }, source: 'local-list' });
    });
  });

  describe('conflicts (§3.5.2)', () => {
    it('an IdTagInfo whose validity contradicts the list is told to onListConflict; one that agrees is not', async () => {
      const auth = await rig.setup();
      const conflicts: string[] = [];
      auth.onListConflict((idTag) => void conflicts.push(idTag));
      await list('LISTED-OK', { status: 'accepted' });
      await list('LISTED-BLOCKED', { status: 'blocked' });
      await auth.learn('LISTED-OK', { status: 'Invalid' }); // StartTransaction.conf says otherwise
      await auth.learn('LISTED-OK', { status: 'ConcurrentTx' }); // valid both
      await auth.learn('LISTED-BLOCKED', { status: 'Accepted' });
      await auth.learn('LISTED-BLOCKED', { status: 'Expired' }); // not valid both
      await auth.learn('UNLISTED', { status: 'Blocked' });
      assert.deepEqual(conflicts, ['LISTED-OK', 'LISTED-BLOCKED']);
    });

    it('an Authorize.conf contradicting the list is a conflict too', async () => {
      const auth = await rig.setup();
      const conflicts: string[] = [];
      auth.onListConflict((idTag) => void conflicts.push(idTag));
      await list('04A1', { status: 'accepted' });
      rig.caller.answer('04A1', { status: 'Blocked' });
      assert.equal((await auth.check('04A1')).info.status, 'Blocked');
      assert.deepEqual(conflicts, ['04A1']);
    });
  });

  describe('groups (parentIdTag)', () => {
    it('a card of the session\'s list group may stop it, offline, without asking; groupOf reads the list', async () => {
      const auth = await rig.setup();
      await list('DAD', { status: 'accepted', group: 'FAMILY' });
      await list('MUM', { status: 'accepted', group: 'family' });
      await list('NEIGHBOUR', { status: 'accepted', group: 'OTHER' });
      await list('BLOCKED-KID', { status: 'blocked', group: 'FAMILY' });
      rig.caller.online = false;
      await rig.cache.update('LISTED-ALONE', { status: 'Accepted', parentIdTag: 'CACHED' });
      await list('LISTED-ALONE', { status: 'accepted' });
      assert.equal(auth.groupOf('dad'), 'FAMILY');
      assert.equal(auth.groupOf('LISTED-ALONE'), undefined, 'the list says no group: the cache is not asked (§3.5.3)');
      assert.equal(await auth.mayStop('DAD', 'MUM'), true);
      assert.equal(await auth.mayStop('DAD', 'NEIGHBOUR'), false);
      assert.equal(await auth.mayStop('DAD', 'BLOCKED-KID'), false);
      assert.deepEqual(rig.caller.calls, []);
    });
  });
});
