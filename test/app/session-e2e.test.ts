// A full charging session driven through the diagnostics API, as a technician or the test tools
// would: plug, card, charge until the battery is full, unplug. Time is virtual; HTTP is real.

import { strict as assert } from 'node:assert';
import { startDiagnosticsServer, type DiagnosticsServer } from '../../app/diagnostics/server.js';
import type { ChargerStatus, SessionRecord } from '../../app/records.js';
import { CARD, startCharger, type ChargerFixture } from '../support/charger-fixture.js';

const TOKEN = 'e2e-test-token-0123456789abcdef';

describe('full session through the diagnostics API', function () {
  let f: ChargerFixture;
  let server: DiagnosticsServer;

  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, json: text ? JSON.parse(text) : null };
  };
  const status = async (): Promise<ChargerStatus> => (await call('GET', '/api/v1/status')).json;
  const connector = async () => (await status()).connectors[0]!;

  beforeEach(async () => {
    f = await startCharger();
    server = await startDiagnosticsServer({ api: f.charger, simulation: f.sim, host: '127.0.0.1', port: 0, token: TOKEN });
  });
  afterEach(async () => {
    await server.close();
    await f.dispose();
  });

  it('plug, card, charge, battery full, unplug: the record has the energy the meter counted', async () => {
    assert.equal((await connector()).status, 'Available');
    assert.deepEqual((await status()).display, ['Ready', 'Plug in to charge']);

    // A small battery, nearly full: 3-phase 16 A fills the last 2 kWh in about 11 minutes.
    const plug = await call('POST', '/api/v1/sim/connectors/1/plug', {
      cableRatingA: 32,
      ev: { batteryCapacityWh: 20_000, socPercent: 90, targetSocPercent: 100, maxCurrentA: 16, phases: 3 },
    });
    assert.equal(plug.status, 200);
    await f.advance(500);
    let c = await connector();
    assert.equal(c.state, 'connected.awaitingAuthorization');
    assert.equal(c.pilot.state, 'B');
    assert.equal(c.pilot.output.mode, 'high', 'no PWM before authorization');
    assert.deepEqual((await status()).display, ['Present card', 'to start charging']);

    assert.equal((await call('POST', '/api/v1/sim/rfid', { uid: CARD })).status, 200);
    await f.clock.advanceUntil(() => f.status().state === 'connected.session.energized.charging', 10_000);
    await f.advance(3000);
    c = await connector();
    assert.equal(c.status, 'Charging');
    assert.equal(c.pilot.dutyPercent, Math.round((32 / 0.6) * 10) / 10);
    assert.equal(c.contactor.feedback, 'closed');
    assert.equal(c.lock?.feedback, 'locked');
    assert.ok(c.meter!.phases.every((p) => Math.abs(p.currentA - 16) < 0.01), 'the EV draws its 16 A on each phase');
    assert.match((await status()).display[0]!, /^Charging \d+\.\d\d kWh$/);
    const meterStart = c.session!.meterStartWh;

    // Charge until the battery is full: the EV returns to B by itself.
    const full = await f.clock.advanceUntil(() => f.status().state === 'connected.session.suspendedEV', 30 * 60_000, 1000);
    assert.ok(full, 'the EV stopped drawing when its battery was full');
    await f.advance(2000);
    c = await connector();
    assert.equal(c.status, 'SuspendedEV');
    assert.equal(c.contactor.commanded, 'open');
    assert.ok(c.meter!.totalPowerW === 0);
    assert.deepEqual((await status()).display.slice(0, 1), ['Paused by vehicle']);
    const registerAtFull = c.meter!.importEnergyWh;

    await call('POST', '/api/v1/sim/connectors/1/unplug');
    await f.advance(1000);
    c = await connector();
    assert.equal(c.status, 'Available');
    assert.equal(c.lock?.feedback, 'unlocked');

    const sessions: SessionRecord[] = (await call('GET', '/api/v1/sessions')).json.sessions;
    assert.equal(sessions.length, 1);
    const record = sessions[0]!;
    assert.equal(record.idTag, CARD);
    assert.equal(record.stopReason, 'EVDisconnected');
    assert.equal(record.meterStartWh, meterStart);
    assert.equal(record.meterStopWh, registerAtFull, 'the stop value is the meter register');
    assert.equal(record.energyWh, registerAtFull - meterStart);
    // 10 % of 20 kWh went into the battery; the meter counted it (and nothing after the contactor opened).
    assert.ok(Math.abs(record.energyWh - 2000) < 15, `energy ${record.energyWh} Wh`);
    assert.ok(record.maxPowerW > 11_000 && record.maxPowerW < 11_100, `max power ${record.maxPowerW} W`);
  });

  it('presenting the card again stops the session; the same card read twice at once counts once', async () => {
    await call('POST', '/api/v1/sim/connectors/1/plug', {});
    await f.advance(500);
    await call('POST', '/api/v1/sim/rfid', { uid: CARD });
    await f.advance(100);
    await call('POST', '/api/v1/sim/rfid', { uid: CARD }); // the same tap, read again
    await f.clock.advanceUntil(() => f.status().state === 'connected.session.energized.charging', 10_000);
    await f.advance(60_000);
    assert.equal((await connector()).status, 'Charging', 'the double read did not stop it');

    await call('POST', '/api/v1/sim/rfid', { uid: CARD });
    await f.advance(5000);
    const c = await connector();
    assert.equal(c.status, 'Finishing');
    assert.equal(c.contactor.commanded, 'open');
    assert.equal(c.lock?.feedback, 'unlocked', 'the driver can take the cable');
    assert.deepEqual((await status()).display[0], 'Finished');
    const [record] = (await call('GET', '/api/v1/sessions')).json.sessions as SessionRecord[];
    assert.equal(record!.stopReason, 'Local');
    assert.ok(record!.energyWh > 300, `energy ${record!.energyWh}`);
  });

  it('an unknown card is rejected and shown as such; no session starts', async () => {
    await call('POST', '/api/v1/sim/connectors/1/plug', {});
    await f.advance(500);
    await call('POST', '/api/v1/sim/rfid', { uid: 'ABCDEF01' });
    await f.advance(200);
    assert.deepEqual((await status()).display, ['Card rejected', 'Try another card']);
    assert.equal((await connector()).state, 'connected.awaitingAuthorization');
    await f.advance(6000);
    assert.deepEqual((await status()).display, ['Present card', 'to start charging']);
    assert.equal((await call('GET', '/api/v1/sessions')).json.sessions.length, 0);
  });

  it('refuses every request without the credential', async () => {
    const response = await fetch(`${server.url}/api/v1/status`);
    assert.equal(response.status, 401);
    const wrong = await fetch(`${server.url}/api/v1/sim/connectors/1/plug`, { method: 'POST', headers: { authorization: 'Bearer nope' } });
    assert.equal(wrong.status, 401);
    assert.equal(f.sim.snapshot().connectors[0]!.plugged, false, 'the refused request did nothing');
  });
});
