// Authorization end to end: the cache and offline rules, refused StartTransaction idTags,
// parentIdTag groups, and a fresh authorization for every session.

import { strict as assert } from 'node:assert';
import { VirtualClock } from '../../../hal/clock.js';
import { CARD, E2e, OTHER_CARD, OcppRig } from './ocpp-rig.js';
import type { DevCsms } from '../../../tools/dev-csms/csms.js';

const ONE_SOCKET = { connectors: [{ connectorId: 1, maxCurrentA: 32, phases: 3, kind: 'socket' }] };
const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

describe('OCPP e2e: authorization', function () {
  const e2e = new E2e();
  let csms: DevCsms;
  let rig: OcppRig;

  beforeEach(async () => {
    csms = await e2e.csms();
    csms.setTag(CARD, { status: 'Accepted' });
  });
  afterEach(() => e2e.cleanup());

  /** The charger loses its backend for good (the CSMS is gone; reconnects fail). */
  async function goOffline(): Promise<void> {
    await csms.close();
    await rig.until(() => !rig.client.status.connected, 'the charger sees the backend gone');
  }

  /** A whole card session: plug, card, charge, card, unplug. */
  async function session(card: string): Promise<void> {
    await rig.plug(1);
    await rig.card(card);
    await rig.untilCharging(1);
    await rig.card(card);
    await rig.until(() => rig.connectorState(1) === 'connected.finishing', 'stopped');
    rig.sim.unplug(1);
    await rig.until(() => rig.connectorState(1) === 'idle.vacant', 'unplugged');
  }

  it('AuthorizationCacheEnabled + LocalAuthorizeOffline: a card accepted online charges offline; an unknown one does not', async () => {
    rig = await e2e.rig(csms, { ocppKeys: { AuthorizationCacheEnabled: 'true' } });
    await session(CARD);
    await goOffline();
    await rig.plug(1);
    await rig.card(OTHER_CARD);
    await rig.pass(5000);
    assert.equal(rig.connectorState(1), 'connected.awaitingAuthorization', 'unknown card offline: refused (AllowOfflineTxForUnknownId false)');
    await rig.card(CARD);
    await rig.untilCharging(1);
    assert.equal(rig.charger.sessions().at(-1)!.idTag, CARD);
  });

  it('cache disabled: the same card offline is refused', async () => {
    rig = await e2e.rig(csms);
    await session(CARD);
    await goOffline();
    await rig.plug(1);
    await rig.card(CARD);
    await rig.pass(5000);
    assert.equal(rig.connectorState(1), 'connected.awaitingAuthorization');
  });

  it('LocalAuthorizeOffline false: a cached card is refused offline', async () => {
    rig = await e2e.rig(csms, { ocppKeys: { AuthorizationCacheEnabled: 'true', LocalAuthorizeOffline: 'false' } });
    await session(CARD);
    await goOffline();
    await rig.plug(1);
    await rig.card(CARD);
    await rig.pass(5000);
    assert.equal(rig.connectorState(1), 'connected.awaitingAuthorization');
  });

  it('AllowOfflineTxForUnknownId: an unknown card charges offline', async () => {
    rig = await e2e.rig(csms, { ocppKeys: { AllowOfflineTxForUnknownId: 'true' } });
    await goOffline();
    await rig.plug(1);
    await rig.card(OTHER_CARD);
    await rig.untilCharging(1);
    assert.equal(rig.charger.sessions().at(-1)!.idTag, OTHER_CARD);
  });

  it('LocalPreAuthorize false: every session asks, even with the card cached', async () => {
    rig = await e2e.rig(csms, { ocppKeys: { AuthorizationCacheEnabled: 'true' } });
    const mark = rig.mark();
    await session(CARD);
    await session(CARD);
    assert.equal(rig.calls('Authorize', mark).length, 2);
  });

  it('StopTransactionOnInvalidId: StartTransaction.conf Invalid stops the session, reason DeAuthorized', async () => {
    rig = await e2e.rig(csms);
    let next = 40;
    csms.setHandler('StartTransaction', () => ({ transactionId: ++next, idTagInfo: { status: 'Invalid' } }));
    const mark = rig.mark();
    await rig.plug(1);
    await rig.card(CARD);
    const stop = await rig.next('StopTransaction', mark);
    assert.equal(stop.reason, 'DeAuthorized');
    assert.equal(stop.transactionId, 41);
    assert.equal(rig.charger.sessions().at(-1)!.stopReason, 'DeAuthorized');
  });

  it('StopTransactionOnInvalidId false: the session goes on, capped at MaxEnergyOnInvalidId (SuspendedEVSE)', async () => {
    rig = await e2e.rig(csms, { ocppKeys: { StopTransactionOnInvalidId: 'false', MaxEnergyOnInvalidId: '300' } });
    csms.setHandler('StartTransaction', () => ({ transactionId: 77, idTagInfo: { status: 'Blocked' } }));
    const mark = rig.mark();
    await rig.plug(1);
    await rig.card(CARD);
    await rig.next('StartTransaction', mark);
    await rig.waitStatus(1, 'SuspendedEVSE', mark, { virtualMs: 10 * 60_000, stepMs: 500, realMs: 15_000 });
    const record = rig.charger.sessions().at(-1)!;
    assert.ok(record.energyWh >= 300 && record.energyWh < 400, `stopped drawing at ${record.energyWh} Wh`);
    assert.equal(rig.connectorStatus(1).allowedCurrentA, 0);
    assert.equal(rig.calls('StopTransaction', mark).length, 0, 'not stopped');
  });

  it('parentIdTag: another card of the same group stops the session; one of another group does not', async () => {
    csms.setTag('AAAA0001', { status: 'Accepted', parentIdTag: 'FLEET-1' });
    csms.setTag('AAAA0002', { status: 'Accepted', parentIdTag: 'FLEET-1' });
    csms.setTag('BBBB0001', { status: 'Accepted', parentIdTag: 'FLEET-2' });
    rig = await e2e.rig(csms, { config: ONE_SOCKET });
    const mark = rig.mark();
    await rig.plug(1);
    await rig.card('AAAA0001');
    await rig.untilCharging(1);
    await rig.card('BBBB0001');
    await rig.pass(5000);
    assert.equal(rig.connectorState(1), 'connected.session.energized.charging', 'another group: no stop');
    await rig.card('AAAA0002');
    const stop = await rig.next('StopTransaction', mark);
    assert.equal(stop.reason, 'Local');
    assert.equal(stop.idTag, 'AAAA0002');
  });

  it('after a session the next one needs a new authorization', async () => {
    rig = await e2e.rig(csms);
    const mark = rig.mark();
    await session(CARD);
    await rig.plug(1);
    await rig.pass(10_000);
    assert.equal(rig.connectorState(1), 'connected.awaitingAuthorization', 'no session without a card');
    assert.equal(rig.calls('StartTransaction', mark).length, 1);
    await rig.card(CARD);
    await rig.untilCharging(1);
    assert.equal(rig.calls('Authorize', mark).length, 2, 'asked again');
    // Charging does not wait for StartTransaction (queued durably, then sent): wait for it.
    await rig.until(() => rig.calls('StartTransaction', mark).length >= 2, 'the second StartTransaction');
    assert.equal(rig.calls('StartTransaction', mark).length, 2);
  });

  describe('cache expiry is judged by the backend-corrected clock', () => {
    /** A rig whose backend's clock is `offsetMs` from the charger's, granting CARD until `validForMs` after the boot (backend time). */
    async function skewedRig(offsetMs: number, validForMs: number): Promise<void> {
      const clock = new VirtualClock();
      const backendNow = () => new Date(clock.now() + offsetMs).toISOString();
      csms.setHandler('BootNotification', () => ({ ...csms.state.bootResponse, currentTime: backendNow() }));
      csms.setHandler('Heartbeat', () => ({ currentTime: backendNow() }));
      csms.setTag(CARD, { status: 'Accepted', expiryDate: new Date(clock.now() + offsetMs + validForMs).toISOString() });
      rig = await e2e.rig(csms, { clock, keepCsmsClock: true, ocppKeys: { AuthorizationCacheEnabled: 'true' } });
    }

    it('backend a day behind: a card granted for one more hour still charges offline', async () => {
      await skewedRig(-DAY_MS, 60 * MINUTE_MS);
      await session(CARD);
      await goOffline();
      await rig.plug(1);
      await rig.card(CARD);
      await rig.untilCharging(1);
      assert.equal(rig.charger.sessions().at(-1)!.idTag, CARD);
    });

    it('backend a day ahead: a card whose grant ran out (backend time) is refused offline', async () => {
      await skewedRig(DAY_MS, 10 * MINUTE_MS);
      await session(CARD);
      await goOffline();
      await rig.pass(10 * MINUTE_MS, 5000);
      await rig.plug(1);
      await rig.card(CARD);
      await rig.pass(5000);
      assert.equal(rig.connectorState(1), 'connected.awaitingAuthorization', 'expired per the backend: refused');
    });
  });
});
