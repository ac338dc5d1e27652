import { strict as assert } from 'node:assert';

import { OcppCallError } from '../../../app/ocpp/ocpp-types.js';
import { authorizerFixture, HOUR_MS, withoutWaiting } from './helpers.js';

describe('ocpp/authorization/ocpp-authorizer check and authorize', () => {
  const rig = authorizerFixture();
  const { fx } = rig;
  /** The Central System never answers: a call would hang. */
  const hang = () => (rig.caller.respond = () => new Promise<never>(() => undefined));
  /** Every call times out after 30 s on the virtual clock, as the connection does. */
  const timeOutAfter30s = () =>
    (rig.caller.respond = (action) =>
      new Promise<never>((_, reject) => fx.clock.setTimeout(() => reject(new OcppCallError('timeout', action, 'no answer in 30 s')), 30_000)));

  it('is not free charging', async () => {
    assert.equal((await rig.setup()).freeCharging, false);
  });

  describe('online (§4.1)', () => {
    it('sends Authorize.req and takes the answer', async () => {
      const auth = await rig.setup();
      rig.caller.answer('04A1', { status: 'Accepted', parentIdTag: 'FLEET' });
      assert.deepEqual(await auth.check('04A1'), { info: { status: 'Accepted', parentIdTag: 'FLEET' }, source: 'online' });
      assert.deepEqual(rig.caller.calls, [{ action: 'Authorize', payload: { idTag: '04A1' } }]);
      assert.equal(await auth.authorize('04A1'), 'Accepted');
    });

    for (const status of ['Blocked', 'Expired', 'Invalid', 'ConcurrentTx'] as const) {
      it(`refuses an id the Central System answers ${status} for`, async () => {
        const auth = await rig.setup();
        rig.caller.answer('04A1', { status });
        assert.deepEqual(await auth.check('04A1'), { info: { status }, source: 'online' });
        assert.equal(await auth.authorize('04A1'), 'Invalid');
      });
    }

    it('updates the cache with the answer, durably (§3.5.1)', async () => {
      const auth = await rig.setup();
      rig.caller.answer('04A1', { status: 'Accepted', expiryDate: fx.inMs(HOUR_MS) });
      await auth.check('04A1');
      assert.equal(rig.cache.get('04a1')?.status, 'Accepted');
      await rig.cache.flush();
      assert.equal((await fx.openCache()).get('04A1')?.status, 'Accepted');
    });

    it('with the cache disabled, neither updates it nor consults it', async () => {
      const auth = await rig.setup({ AuthorizationCacheEnabled: false, LocalPreAuthorize: true });
      await rig.cache.update('KNOWN', { status: 'Accepted' });
      rig.caller.answer('KNOWN', { status: 'Blocked' }).answer('NEW', { status: 'Accepted' });
      assert.deepEqual(await auth.check('KNOWN'), { info: { status: 'Blocked' }, source: 'online' });
      await auth.check('NEW');
      assert.deepEqual([rig.cache.get('KNOWN')?.status, rig.cache.get('NEW')], ['Accepted', undefined]);
    });

    it('refuses, without touching the cache, when the Central System answers with a CALLERROR', async () => {
      const auth = await rig.setup();
      await rig.cache.update('04A1', { status: 'Accepted' });
      rig.caller.failWith = 'call-error';
      assert.deepEqual(await auth.check('04A1'), { info: { status: 'Invalid' }, source: 'online' });
      assert.equal(rig.cache.get('04A1')?.status, 'Accepted');
      assert.equal(rig.logs.length, 1);
    });

    it('refuses an answer without a usable idTagInfo', async () => {
      const auth = await rig.setup();
      rig.caller.respond = async () => ({ idTagInfo: { status: 'Sure' } });
      assert.deepEqual(await auth.check('04A1'), { info: { status: 'Invalid' }, source: 'online' });
      assert.equal(rig.cache.get('04A1'), undefined);
    });
  });

  describe('LocalPreAuthorize (§9.1.13)', () => {
    it('accepts a valid Accepted cache entry at once, without an Authorize.req (any case)', async () => {
      const auth = await rig.setup({ LocalPreAuthorize: true });
      await rig.cache.update('04a1', { status: 'Accepted', parentIdTag: 'P' });
      hang();
      assert.deepEqual(await withoutWaiting(auth.check('04A1')), { info: { status: 'Accepted', parentIdTag: 'P' }, source: 'cache' });
      assert.deepEqual(rig.caller.calls, []);
    });

    it('is off by default: a cached Accepted id is still asked about, and the answer wins', async () => {
      const auth = await rig.setup();
      await rig.cache.update('04A1', { status: 'Accepted' });
      rig.caller.answer('04A1', { status: 'Blocked' });
      assert.equal(await auth.authorize('04A1'), 'Invalid');
      assert.deepEqual(rig.caller.authorized, ['04A1']);
      assert.equal(rig.cache.get('04A1')?.status, 'Blocked');
    });

    for (const [what, info] of [
      ['NOT-valid (Blocked)', { status: 'Blocked' }],
      ['ConcurrentTx', { status: 'ConcurrentTx' }],
    ] as const) {
      it(`asks the Central System again about an id cached as ${what} (§3.5.1)`, async () => {
        const auth = await rig.setup({ LocalPreAuthorize: true });
        await rig.cache.update('04A1', info);
        rig.caller.answer('04A1', { status: 'Accepted' });
        assert.deepEqual(await auth.check('04A1'), { info: { status: 'Accepted' }, source: 'online' });
        assert.equal(rig.cache.get('04A1')?.status, 'Accepted');
      });
    }

    it('does not use an entry past its expiryDate', async () => {
      const auth = await rig.setup({ LocalPreAuthorize: true });
      await rig.cache.update('04A1', { status: 'Accepted', expiryDate: fx.inMs(HOUR_MS) });
      await fx.clock.advance(HOUR_MS);
      rig.caller.answer('04A1', { status: 'Invalid' });
      assert.equal(await auth.authorize('04A1'), 'Invalid');
      assert.deepEqual(rig.caller.authorized, ['04A1']);
    });
  });

  describe('offline (§3.5, §3.5.4)', () => {
    it('sends nothing while not connected and accepts a valid cached Accepted id (LocalAuthorizeOffline, on by default)', async () => {
      const auth = await rig.setup();
      await rig.cache.update('04A1', { status: 'Accepted' });
      rig.caller.online = false;
      assert.deepEqual(await auth.check('04a1'), { info: { status: 'Accepted' }, source: 'cache' });
      assert.deepEqual(rig.caller.calls, []);
    });

    it('refuses a cached Accepted id with LocalAuthorizeOffline off', async () => {
      const auth = await rig.setup({ LocalAuthorizeOffline: false });
      await rig.cache.update('04A1', { status: 'Accepted' });
      rig.caller.online = false;
      assert.deepEqual(await auth.check('04A1'), { info: { status: 'Invalid' }, source: 'offline-refused' });
      assert.equal(await auth.authorize('04A1'), 'Invalid');
    });

    it('refuses an unknown id unless AllowOfflineTxForUnknownId', async () => {
      const auth = await rig.setup();
      rig.caller.online = false;
      assert.deepEqual(await auth.check('STRANGER'), { info: { status: 'Invalid' }, source: 'offline-refused' });
    });

    it('accepts an unknown id with AllowOfflineTxForUnknownId, without caching it', async () => {
      const auth = await rig.setup({ AllowOfflineTxForUnknownId: true });
      rig.caller.online = false;
      assert.deepEqual(await auth.check('STRANGER'), { info: { status: 'Accepted' }, source: 'offline-unknown' });
      assert.equal(await auth.authorize('STRANGER'), 'Accepted');
      assert.equal(rig.cache.get('STRANGER'), undefined);
    });

    for (const status of ['Blocked', 'Invalid', 'Expired', 'ConcurrentTx'] as const) {
      it(`refuses an id cached as ${status} even with AllowOfflineTxForUnknownId`, async () => {
        const auth = await rig.setup({ AllowOfflineTxForUnknownId: true });
        await rig.cache.update('04A1', { status });
        rig.caller.online = false;
        assert.deepEqual(await auth.check('04A1'), { info: { status }, source: 'offline-refused' });
      });
    }

    it('refuses an id that was valid but has expired by the passage of time, even with AllowOfflineTxForUnknownId', async () => {
      const auth = await rig.setup({ AllowOfflineTxForUnknownId: true });
      await rig.cache.update('04A1', { status: 'Accepted', expiryDate: fx.inMs(HOUR_MS) });
      rig.caller.online = false;
      assert.equal(await auth.authorize('04A1'), 'Accepted');
      await fx.clock.advance(HOUR_MS);
      assert.equal((await auth.check('04A1')).source, 'offline-refused');
    });

    it('with the cache disabled, treats every id as unknown', async () => {
      const auth = await rig.setup({ AuthorizationCacheEnabled: false, AllowOfflineTxForUnknownId: true });
      await rig.cache.update('BLOCKED', { status: 'Blocked' });
      rig.caller.online = false;
      assert.equal((await auth.check('BLOCKED')).source, 'offline-unknown');
    });

    it('with the cache disabled and unknown ids not allowed, refuses even an id the cache holds as Accepted', async () => {
      const auth = await rig.setup({ AuthorizationCacheEnabled: false });
      await rig.cache.update('04A1', { status: 'Accepted' });
      rig.caller.online = false;
      assert.equal(await auth.authorize('04A1'), 'Invalid');
    });

    it("decides offline when the call fails with kind 'offline' (connection lost meanwhile)", async () => {
      const auth = await rig.setup();
      await rig.cache.update('04A1', { status: 'Accepted' });
      rig.caller.failWith = 'offline';
      assert.deepEqual(await auth.check('04A1'), { info: { status: 'Accepted' }, source: 'cache' });
      assert.deepEqual(rig.caller.authorized, ['04A1']);
    });

    describe('a timeout counts as offline', () => {
      it('accepts a cached Accepted id once the call has timed out', async () => {
        const auth = await rig.setup();
        await rig.cache.update('04A1', { status: 'Accepted' });
        timeOutAfter30s();
        const checking = auth.check('04A1');
        assert.equal(await withoutWaiting(checking), 'pending');
        await fx.clock.advance(30_000);
        assert.deepEqual(await checking, { info: { status: 'Accepted' }, source: 'cache' });
      });

      it('accepts an unknown id with AllowOfflineTxForUnknownId, refuses it without', async () => {
        timeOutAfter30s();
        const auth = await rig.setup({ AllowOfflineTxForUnknownId: true });
        let checking = auth.check('STRANGER');
        await fx.clock.advance(30_000);
        assert.equal((await checking).source, 'offline-unknown');
        assert.equal(await rig.configuration.change('AllowOfflineTxForUnknownId', 'false'), 'Accepted');
        checking = auth.check('STRANGER');
        await fx.clock.advance(30_000);
        assert.equal((await checking).source, 'offline-refused');
      });

      it('refuses an entry that expired while the call was waiting', async () => {
        const auth = await rig.setup();
        await rig.cache.update('04A1', { status: 'Accepted', expiryDate: fx.inMs(10_000) });
        timeOutAfter30s();
        const checking = auth.check('04A1');
        await fx.clock.advance(30_000);
        assert.deepEqual((await checking).info.status, 'Expired');
        assert.equal((await checking).source, 'offline-refused');
      });
    });
  });

  describe('learn (StartTransaction.conf, StopTransaction.conf → §3.5.1)', () => {
    it('updates the cache, case-insensitively', async () => {
      const auth = await rig.setup();
      await rig.cache.update('04a1', { status: 'Accepted' });
      await auth.learn('04A1', { status: 'Blocked' });
      assert.deepEqual(rig.cache.get('04a1'), { status: 'Blocked' });
      assert.equal(rig.cache.size, 1);
    });

    it('leaves the cache alone when it is disabled', async () => {
      const auth = await rig.setup({ AuthorizationCacheEnabled: false });
      await auth.learn('04A1', { status: 'Accepted' });
      assert.equal(rig.cache.get('04A1'), undefined);
    });
  });

  describe('clearCache (§5.4)', () => {
    it('answers Accepted once the cache is empty on disk', async () => {
      const auth = await rig.setup({ LocalPreAuthorize: true });
      await rig.cache.update('04A1', { status: 'Accepted' });
      assert.equal(await auth.clearCache(), 'Accepted');
      assert.equal((await fx.openCache()).size, 0);
      rig.caller.answer('04A1', { status: 'Invalid' });
      assert.equal(await auth.authorize('04A1'), 'Invalid'); // no longer pre-authorized
    });

    it('answers Rejected when the cache could not be cleared durably, and keeps using it', async () => {
      const auth = await rig.setup({ LocalPreAuthorize: true });
      await rig.cache.update('04A1', { status: 'Accepted' });
      await fx.breakWrites();
      assert.equal(await auth.clearCache(), 'Rejected');
      assert.equal((await auth.check('04A1')).source, 'cache');
    });
  });
});
