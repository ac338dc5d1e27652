// One card reader, several connectors: a card goes to the connector the driver is using.

import { strict as assert } from 'node:assert';
import { routeCard, CardDebouncer, type RoutableConnector } from '../../app/auth/card-router.js';
import { chargingPointMachine } from '../../state-machines/charging-point.js';
import { Tag } from '../../state-machines/charging-point-view.js';
import { CARD, startCharger, type ChargerFixture } from '../support/charger-fixture.js';

const TWO_CONNECTORS = {
  connectors: [
    { connectorId: 1, maxCurrentA: 32, phases: 3, kind: 'socket' },
    { connectorId: 2, maxCurrentA: 16, phases: 1, kind: 'tethered', cableRatingA: 20 },
  ],
  site: { maxCurrentA: 40, ventilationAvailable: false, nominalVoltageV: 230 },
  authorization: { mode: 'allowList', allowList: [CARD, 'AA55AA55'], cardDebounceMs: 2000 },
};

describe('card routing', () => {
  /** The tags the machine declares on a state of its point region and on the states around it. */
  const tagsOf = (state: string): Set<string> => {
    const tags = new Set<string>();
    for (let node: typeof chargingPointMachine.root | undefined = chargingPointMachine.getStateNodeById(`chargingPoint.point.${state}`); node; node = node.parent) {
      for (const tag of node.tags) tags.add(tag);
    }
    return tags;
  };
  const view = (connectorId: number, state: string, sessionIdTag: string | null = null, pluggedAt: number | null = null): RoutableConnector => {
    const tags = tagsOf(state);
    return { connectorId, waitsForCard: tags.has(Tag.waitsForCard), vacant: tags.has(Tag.vacant), sessionIdTag, pluggedAt };
  };

  it('stops the session of the same card, wherever it is', () => {
    const route = routeCard(CARD, [view(1, 'connected.awaitingAuthorization', null, 5), view(2, 'connected.session.energized.charging', CARD, 1)]);
    assert.deepEqual(route, { action: 'stop', connectorId: 2 });
  });

  it('authorizes the connector just plugged in, never another', () => {
    const route = routeCard(CARD, [
      view(1, 'connected.awaitingAuthorization', null, 1000),
      view(2, 'connected.awaitingAuthorization', null, 2000),
      view(3, 'idle.vacant'),
    ]);
    assert.deepEqual(route, { action: 'authorize', connectorId: 2 });
  });

  it('a card before plug-in goes to the only free connector, and to none when that is ambiguous', () => {
    assert.deepEqual(routeCard(CARD, [view(1, 'idle.vacant'), view(2, 'connected.session.energized.charging', 'OTHER', 1)]),
      { action: 'authorize', connectorId: 1 });
    assert.deepEqual(routeCard(CARD, [view(1, 'idle.vacant'), view(2, 'idle.vacant')]), { action: 'ignore', reason: 'ambiguous' });
    assert.deepEqual(routeCard(CARD, [view(1, 'fault.holding')]), { action: 'ignore', reason: 'noConnectorWaiting' });
  });

  it('counts a card read again within the window once, and a later tap again', () => {
    const d = new CardDebouncer(2000);
    assert.equal(d.accept('A', 0), true);
    assert.equal(d.accept('A', 500), false);
    assert.equal(d.accept('A', 2400), false, 'a card held on the reader keeps refreshing the window');
    assert.equal(d.accept('B', 2500), true, 'another card is another tap');
    assert.equal(d.accept('A', 5000), true);
  });
});

describe('two connectors, one reader (whole charger)', () => {
  let f: ChargerFixture;
  beforeEach(async () => {
    f = await startCharger(TWO_CONNECTORS);
  });
  afterEach(() => f.dispose());

  it('each driver charges on their own connector; the site limit is shared', async () => {
    f.sim.plug(1, {});
    await f.advance(500);
    f.sim.presentCard(CARD);
    await f.clock.advanceUntil(() => f.status(1).status === 'Charging', 10_000);
    assert.equal(f.status(2).status, 'Available', 'the card did not touch connector 2');
    assert.equal(f.status(1).allowedCurrentA, 32);

    f.sim.plug(2, {});
    await f.advance(500);
    f.sim.presentCard('AA55AA55');
    await f.clock.advanceUntil(() => f.status(2).status === 'Charging', 10_000);
    assert.equal(f.status(2).session?.idTag, 'AA55AA55');
    assert.equal(f.status(1).session?.idTag, CARD);

    // 40 A shared by two sessions: 20 A each; connector 2's own 16 A rating is lower still. Connector 2
    // starts on the 8 A connector 1 leaves free and gets the rest once connector 1's EV has followed.
    assert.ok(await f.clock.advanceUntil(() => f.status(2).allowedCurrentA === 16, 10_000), `connector 2 allowed ${f.status(2).allowedCurrentA} A`);
    assert.equal(f.status(1).allowedCurrentA, 20);
    assert.equal(f.status(1).limitSource, 'site');
    assert.equal(f.status(2).allowedCurrentA, 16);
    await f.advance(10_000);
    assert.equal(f.status(1).pilot.dutyPercent, Math.round((20 / 0.6) * 10) / 10, 'the PWM follows the shared limit');

    // The first card stops the first connector only.
    await f.advance(2000);
    f.sim.presentCard(CARD);
    await f.advance(5000);
    assert.equal(f.status(1).status, 'Finishing');
    assert.equal(f.status(2).status, 'Charging');
    const display = f.charger.status().display;
    assert.equal(display[0], '1: Finished');
    assert.match(display[2]!, /^2: Charging \d+\.\d\d kWh$/);
  });

  it('a driver who unplugs and plugs straight back in, card at once, charges again: the lock turns back mid-travel', async () => {
    // Unplugged while charging, the contactor opens and then the socket's lock starts to let go
    // (200 ms of travel on the sim); plug and card may come at any moment of that.
    const stuck: number[] = [];
    for (let replugAfterMs = 0; replugAfterMs <= 400; replugAfterMs += 10) {
      const g = await startCharger(TWO_CONNECTORS);
      try {
        g.sim.plug(1, {});
        await g.advance(500);
        g.sim.presentCard(CARD);
        await g.clock.advanceUntil(() => g.status(1).status === 'Charging', 10_000);
        await g.advance(3000); // past the card debounce
        g.sim.unplug(1);
        await g.advance(replugAfterMs);
        g.sim.plug(1, {});
        // The card as soon as the plug is seen (before, it would be ambiguous: two free connectors).
        assert.ok(await g.clock.advanceUntil(() => g.status(1).state === 'connected.awaitingAuthorization' || g.status(1).state.startsWith('connected.session'), 1000, 5));
        if (g.status(1).state !== 'connected.awaitingAuthorization') {
          assert.ok(replugAfterMs < 100, `${replugAfterMs} ms: an unplug that long is seen`);
          continue; // shorter than the pilot's debounce: the session never saw the unplug
        }
        g.sim.presentCard(CARD);
        if (!(await g.clock.advanceUntil(() => g.status(1).status === 'Charging', 10_000))) stuck.push(replugAfterMs);
      } finally {
        await g.dispose();
      }
    }
    assert.deepEqual(stuck, [], 'plugged back in this many ms after the unplug, it never charged');
  });

  it('a card presented before plugging in authorizes the only free connector, until the plug-in timeout', async () => {
    f.sim.plug(2, {});
    await f.advance(500);
    f.sim.presentCard(CARD);
    await f.clock.advanceUntil(() => f.status(2).status === 'Charging', 10_000);

    await f.advance(3000);
    f.sim.presentCard('AA55AA55');
    await f.advance(200);
    assert.equal(f.status(1).state, 'idle.authorizedAwaitingPlug');
    assert.equal(f.status(1).status, 'Preparing');
    f.sim.plug(1, {});
    await f.clock.advanceUntil(() => f.status(1).status === 'Charging', 10_000);
    assert.equal(f.status(1).session?.idTag, 'AA55AA55');
  });

  it('an authorization given before plug-in lapses after the plug-in timeout', async () => {
    f.sim.plug(2, {});
    await f.advance(500);
    f.sim.presentCard(CARD);
    await f.clock.advanceUntil(() => f.status(2).status === 'Charging', 10_000);
    await f.advance(3000);
    f.sim.presentCard('AA55AA55');
    await f.advance(200);
    assert.equal(f.status(1).state, 'idle.authorizedAwaitingPlug');
    await f.advance(61_000);
    assert.equal(f.status(1).state, 'idle.vacant');
    f.sim.plug(1, {});
    await f.advance(5000);
    assert.equal(f.status(1).state, 'connected.awaitingAuthorization', 'the lapsed card does not start a session');
  });
});
