import { strict as assert } from 'node:assert';

import { OcppCallError } from '../../../app/ocpp/ocpp-types.js';
import { authorizerFixture, HOUR_MS } from './helpers.js';

// §3.10 Parent idTag: the same idTag, or another one with the same parentIdTag, may stop a transaction.
describe('ocpp/authorization/ocpp-authorizer mayStop (§3.10)', () => {
  const rig = authorizerFixture();
  const { fx } = rig;

  it('lets the same idTag stop, in any case, with no Authorize.req (§3.4), even offline', async () => {
    const auth = await rig.setup();
    assert.equal(await auth.mayStop('04a1b2', '04A1B2'), true);
    rig.caller.online = false;
    assert.equal(await auth.mayStop('04A1B2', '04A1B2'), true);
    assert.deepEqual(rig.caller.calls, []);
  });

  it('lets a card of the same group stop from the cache alone (parents compared case-insensitively)', async () => {
    const auth = await rig.setup();
    await rig.cache.update('DAD', { status: 'Accepted', parentIdTag: 'family' });
    await rig.cache.update('MUM', { status: 'Accepted', parentIdTag: 'FAMILY' });
    rig.caller.online = false;
    assert.equal(await auth.mayStop('DAD', 'mum'), true);
    assert.deepEqual(rig.caller.calls, []);
  });

  it('refuses a card the cache puts in another group, without asking', async () => {
    const auth = await rig.setup();
    await rig.cache.update('DAD', { status: 'Accepted', parentIdTag: 'FAMILY' });
    await rig.cache.update('NEIGHBOUR', { status: 'Accepted', parentIdTag: 'OTHER' });
    assert.equal(await auth.mayStop('DAD', 'NEIGHBOUR'), false);
    assert.deepEqual(rig.caller.calls, []);
  });

  it('asks the Central System about a card whose parent is unknown, and learns the answer', async () => {
    const auth = await rig.setup();
    await rig.cache.update('DAD', { status: 'Accepted', parentIdTag: 'FAMILY' });
    rig.caller.answer('KID', { status: 'Accepted', parentIdTag: 'FAMILY' });
    assert.equal(await auth.mayStop('DAD', 'KID'), true);
    assert.deepEqual(rig.caller.authorized, ['KID']);
    assert.equal(rig.cache.get('KID')?.parentIdTag, 'FAMILY');
  });

  for (const [what, info] of [
    ['another group', { status: 'Accepted', parentIdTag: 'OTHER' }],
    ['no group', { status: 'Accepted' }],
    ['the same group but Blocked', { status: 'Blocked', parentIdTag: 'FAMILY' }],
  ] as const) {
    it(`refuses a card the Central System puts in ${what}`, async () => {
      const auth = await rig.setup();
      await rig.cache.update('DAD', { status: 'Accepted', parentIdTag: 'FAMILY' });
      rig.caller.answer('OTHER-CARD', info);
      assert.equal(await auth.mayStop('DAD', 'OTHER-CARD'), false);
      assert.deepEqual(rig.caller.authorized, ['OTHER-CARD']);
    });
  }

  it('does not trust an expired cache entry for the presented card: asks instead', async () => {
    const auth = await rig.setup();
    await rig.cache.update('DAD', { status: 'Accepted', parentIdTag: 'FAMILY' });
    await rig.cache.update('KID', { status: 'Accepted', parentIdTag: 'FAMILY', expiryDate: fx.inMs(HOUR_MS) });
    await fx.clock.advance(HOUR_MS);
    rig.caller.answer('KID', { status: 'Blocked', parentIdTag: 'FAMILY' });
    assert.equal(await auth.mayStop('DAD', 'KID'), false);
    assert.deepEqual(rig.caller.authorized, ['KID']);
  });

  it('refuses an unknown card while offline, and when the call times out', async () => {
    const auth = await rig.setup();
    await rig.cache.update('DAD', { status: 'Accepted', parentIdTag: 'FAMILY' });
    rig.caller.online = false;
    assert.equal(await auth.mayStop('DAD', 'KID'), false);
    assert.deepEqual(rig.caller.calls, []);
    rig.caller.online = true;
    rig.caller.respond = async (action) => {
      throw new OcppCallError('timeout', action, 'no answer');
    };
    assert.equal(await auth.mayStop('DAD', 'KID'), false);
  });

  it('refuses when the session has no known group, without asking', async () => {
    const auth = await rig.setup();
    await rig.cache.update('DAD', { status: 'Accepted' });
    rig.caller.answer('KID', { status: 'Accepted', parentIdTag: 'FAMILY' });
    assert.equal(await auth.mayStop('DAD', 'KID'), false);
    assert.equal(await auth.mayStop('UNKNOWN-SESSION-ID', 'KID'), false);
    assert.deepEqual(rig.caller.calls, []);
  });

  it('takes the session group given by the caller', async () => {
    const auth = await rig.setup();
    rig.caller.answer('KID', { status: 'Accepted', parentIdTag: 'FAMILY' });
    assert.equal(await auth.mayStop('DAD', 'KID', 'FAMILY'), true);
    assert.equal(await auth.mayStop('DAD', 'KID', 'OTHER'), false);
  });

  it('works with the cache disabled: the session group as seen at start, the card asked about', async () => {
    const auth = await rig.setup({ AuthorizationCacheEnabled: false });
    rig.caller.answer('DAD', { status: 'Accepted', parentIdTag: 'FAMILY' }).answer('KID', { status: 'Accepted', parentIdTag: 'FAMILY' });
    await auth.check('DAD');
    assert.equal(await auth.mayStop('DAD', 'KID'), true);
    assert.deepEqual(rig.caller.authorized, ['DAD', 'KID']);
    assert.equal(rig.cache.size, 0);
  });

  it('knows the session group from StartTransaction.conf (learn)', async () => {
    const auth = await rig.setup({ AuthorizationCacheEnabled: false });
    await auth.learn('DAD', { status: 'Accepted', parentIdTag: 'FAMILY' });
    rig.caller.answer('KID', { status: 'Accepted', parentIdTag: 'FAMILY' });
    assert.equal(await auth.mayStop('DAD', 'KID'), true);
  });
});
