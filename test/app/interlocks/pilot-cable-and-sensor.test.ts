// The hazards of the fault table that no other interlock test drives on the whole charger: a CP
// level outside every band, an EV asking for ventilation the site does not have, a socket cable
// whose PP resistor fits no rating, an unreadable socket temperature sensor, and the contactor
// gate refusing a close the controller asked for (defence in depth). Simulated board, virtual clock.

import { strict as assert } from 'node:assert';
import type { SimTemperatureSensor } from '../../../hal/sim/sim-monitors.js';
import { CARD, startSession, type ChargerFixture } from '../../support/charger-fixture.js';
import {
  CHARGING,
  contactor,
  contactsClosed,
  expectAvailable,
  expectAwaitsNewCard,
  expectSessionStoppedBy,
  expectSignalled,
  expectStateFThenHigh,
  expectStaysFaulted,
  logEntries,
  withCharger,
} from './helpers.js';

/** Reference A1: at most 50 ms of filtering; 30 ms keeps every board's C→B path within 80 ms (docs/reaction-budgets.md). */
const PILOT_DEBOUNCE_MS = 30;
/** Reference A4: above 4.5 kΩ the PP resistor names no cable rating. */
const NO_RATING_OHMS = 10_000;

function socketSensor(f: ChargerFixture): SimTemperatureSensor {
  return f.board.hardware.connectors[0]!.socketTemperature as SimTemperatureSensor;
}

/** The EV is plugged in and shows a card, and power never flows however long it waits. */
async function expectNeverCloses(f: ChargerFixture, ms: number): Promise<void> {
  f.sim.presentCard(CARD);
  for (let waited = 0; waited < ms; waited += 1000) {
    await f.advance(1000);
    assert.equal(contactor(f).commanded, 'open', `contactor closed after ${waited + 1000} ms`);
    assert.equal(contactsClosed(f), false);
  }
}

describe('CP level outside every band → PilotFault (auto)', () => {
  it(`opens ${PILOT_DEBOUNCE_MS} ms after a +15 V level, state F, ends the session; clears with the level`, async () => {
    await withCharger(async (f) => {
      await startSession(f);
      f.sim.injectFault(1, 'cpGlitch', { glitchLevelV: 15, durationMs: 2000 });
      await f.advance(PILOT_DEBOUNCE_MS - 1);
      assert.equal(contactor(f).commanded, 'closed', 'opened before the debounce');
      assert.ok(await f.clock.advanceUntil(() => contactor(f).commanded === 'open', 10, 1), `still closed ${PILOT_DEBOUNCE_MS + 10} ms after`);
      await expectSignalled(f, 'PilotFault', { values: { state: 'invalid' } });
      await expectStateFThenHigh(f, 'PilotFault');
      expectSessionStoppedBy(f, 'PilotFault');
      await f.advance(2000);
      assert.equal(logEntries(f, 'PilotFault', 'cleared').length, 1, 'PilotFault did not clear with the level');
      await expectAwaitsNewCard(f);
    });
  });
});

describe('state D where the site has no ventilation → VentilationNotAvailable (auto)', () => {
  it('never closes, no state F; clears when the EV leaves D (X1), and charges once it asks for C', async () => {
    await withCharger(async (f) => {
      f.sim.plug(1, { ev: { requestsVentilation: true } });
      await f.advance(500);
      f.sim.presentCard(CARD);
      assert.ok(await f.clock.advanceUntil(() => logEntries(f, 'VentilationNotAvailable', 'raised').length > 0, 10_000, 1),
        'an EV in D was not refused');
      assert.equal(contactor(f).commanded, 'open');
      assert.equal(contactsClosed(f), false);
      await expectSignalled(f, 'VentilationNotAvailable');
      assert.equal(f.status().pilot.output.mode, 'high', 'state F for a missing ventilation');
      // Without PWM the EV goes back to B: the condition is gone, the fault with it.
      assert.ok(await f.clock.advanceUntil(() => logEntries(f, 'VentilationNotAvailable', 'cleared').length === 1, 5000),
        'VentilationNotAvailable did not clear once the EV left D');
      await expectNeverCloses(f, 10_000);
      f.sim.setEv(1, { requestsVentilation: false });
      await f.advance(2000);
      f.sim.presentCard(CARD);
      assert.ok(await f.clock.advanceUntil(() => f.status().state === CHARGING, 10_000), `not charging in C: ${f.status().state}`);
    });
  });
});

describe('socket cable whose PP resistor names no rating → CableInvalid (auto)', () => {
  it(`a ${NO_RATING_OHMS} Ω PP: never closes, no state F; clears when the cable is unplugged`, async () => {
    await withCharger(async (f) => {
      f.sim.plug(1, { cableOhms: NO_RATING_OHMS });
      await f.advance(500);
      await expectNeverCloses(f, 10_000);
      await expectSignalled(f, 'CableInvalid', { values: { ohms: NO_RATING_OHMS } });
      assert.equal(f.status().pilot.output.mode, 'high', 'state F for an unusable cable');
      f.sim.unplug(1);
      await expectAvailable(f);
      assert.equal(logEntries(f, 'CableInvalid', 'cleared').length, 1);
    });
  });
});

describe('socket temperature sensor unreadable → TemperatureSensorFailure (auto)', () => {
  it('opens at once, state F, ends the session; clears when the sensor reads again', async () => {
    await withCharger(async (f) => {
      await startSession(f);
      socketSensor(f).set(null);
      assert.equal(contactor(f).commanded, 'open', 'contactor not opened synchronously');
      await expectSignalled(f, 'TemperatureSensorFailure', { values: { location: 'socket' } });
      await expectStateFThenHigh(f, 'TemperatureSensorFailure');
      expectSessionStoppedBy(f, 'TemperatureSensorFailure');
      await expectStaysFaulted(f, 'TemperatureSensorFailure', 60_000, false);
      socketSensor(f).set(25);
      assert.equal(logEntries(f, 'TemperatureSensorFailure', 'cleared').length, 1);
      await expectAwaitsNewCard(f);
    });
  });
});

describe('the contactor gate refuses a close the controller asked for → InterlockRefused (untilUnplug)', () => {
  it('an RCD trip the driver never announced: no close, fault signalled, state F; clears after the unplug', async () => {
    await withCharger(async (f) => {
      // The trip line reads tripped, but its change event was lost: the controller does not know.
      const rcd = f.board.hardware.connectors[0]!.residualCurrent;
      rcd.readTrip = () => 'ac';
      f.sim.plug(1);
      await f.advance(500);
      f.sim.presentCard(CARD);
      assert.ok(await f.clock.advanceUntil(() => logEntries(f, 'InterlockRefused', 'raised').length > 0, 10_000), 'the gate never refused');
      assert.equal(contactor(f).commanded, 'open');
      assert.equal(contactsClosed(f), false);
      await expectSignalled(f, 'InterlockRefused');
      const raised = logEntries(f, 'InterlockRefused', 'raised')[0]!;
      assert.match(String(raised.values.blockers), /rcdTripped/);
      await expectStateFThenHigh(f, 'InterlockRefused');
      assert.notEqual(f.status().state, CHARGING);
      await expectStaysFaulted(f, 'InterlockRefused', 60_000, false);
      f.sim.unplug(1);
      await expectAvailable(f);
    });
  });
});
