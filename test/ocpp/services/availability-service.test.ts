import { strict as assert } from 'node:assert';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { AVAILABILITY_FILE, AvailabilityService } from '../../../app/ocpp/availability/availability-service.js';
import type { PersistenceProblem } from '../../../app/persistence/durable-json-file.js';
import { FakeChargerPort, sessionRecord } from '../fake-charger-port.js';
import { storesFixture } from './helpers.js';

describe('ocpp/services/availability-service', () => {
  const fx = storesFixture();
  let charger: FakeChargerPort;
  let problems: PersistenceProblem[];
  const open = (on = charger) => AvailabilityService.open(fx.dir, on, (p) => void problems.push(p));
  const withSession = (connectorId: number) => charger.setQuietly(connectorId, { session: sessionRecord(`s${connectorId}`, connectorId, 0, 0), status: 'Charging' });

  beforeEach(() => {
    charger = new FakeChargerPort(2);
    problems = [];
  });

  it('opens with everything operative and tells the charger so', async () => {
    const availability = await open();
    assert.deepEqual([0, 1, 2].map((id) => availability.isOperative(id)), [true, true, true]);
    assert.deepEqual([0, 1, 2].map((id) => charger.operativeOf(id)), [true, true, true]);
  });

  it('Inoperative on an idle connector: Accepted, the charger told at once', async () => {
    const availability = await open();
    assert.equal(await availability.change(2, 'Inoperative'), 'Accepted');
    assert.equal(availability.isOperative(2), false);
    assert.equal(charger.operativeOf(2), false);
    assert.equal(charger.operativeOf(1), true);
    assert.equal(await availability.change(2, 'Operative'), 'Accepted');
    assert.equal(charger.operativeOf(2), true);
  });

  it('Inoperative on a connector in session: Scheduled (the session keeps going, no new one)', async () => {
    const availability = await open();
    withSession(1);
    assert.equal(await availability.change(1, 'Inoperative'), 'Scheduled');
    assert.equal(charger.operativeOf(1), false, 'no new session once this one ends');
    assert.deepEqual(charger.stops, [], 'the session is not ended');
  });

  it('a connector that does not exist: Rejected, nothing stored', async () => {
    const availability = await open();
    assert.equal(await availability.change(3, 'Inoperative'), 'Rejected');
    assert.equal(availability.isOperative(3), true);
  });

  it('asking for the state a connector is already in: Accepted, even in session (§5.2)', async () => {
    const availability = await open();
    withSession(1);
    assert.equal(await availability.change(1, 'Operative'), 'Accepted');
    assert.equal(await availability.change(0, 'Operative'), 'Accepted');
    assert.equal(await availability.change(1, 'Inoperative'), 'Scheduled');
    assert.equal(await availability.change(1, 'Inoperative'), 'Accepted', 'already Inoperative');
  });

  it('connector 0: the whole charger; Scheduled when any connector is in session', async () => {
    const availability = await open();
    assert.equal(await availability.change(0, 'Inoperative'), 'Accepted');
    assert.deepEqual([0, 1, 2].map((id) => charger.operativeOf(id)), [false, false, false]);
    assert.equal(await availability.change(0, 'Operative'), 'Accepted');
    withSession(2);
    assert.equal(await availability.change(0, 'Inoperative'), 'Scheduled');
  });

  it('station inoperative makes every connector inoperative; its own state comes back with the station', async () => {
    const availability = await open();
    await availability.change(1, 'Inoperative');
    await availability.change(0, 'Inoperative');
    assert.deepEqual([1, 2].map((id) => charger.operativeOf(id)), [false, false]);
    await availability.change(0, 'Operative');
    assert.deepEqual([0, 1, 2].map((id) => charger.operativeOf(id)), [true, false, true], 'connector 1 stays as the backend set it');
  });

  it('persists across a reopen: the stored states are applied at open', async () => {
    const first = await open();
    await first.change(2, 'Inoperative');
    await first.change(0, 'Inoperative');
    const stored = JSON.parse(await readFile(join(fx.dir, AVAILABILITY_FILE), 'utf8')) as { inoperative: number[] };
    assert.deepEqual(stored.inoperative, [0, 2]);

    const after = new FakeChargerPort(2);
    const reopened = await open(after);
    assert.deepEqual([0, 1, 2].map((id) => reopened.isOperative(id)), [false, true, false]);
    assert.deepEqual([0, 1, 2].map((id) => after.operativeOf(id)), [false, false, false]);
    await reopened.change(0, 'Operative');
    assert.deepEqual([0, 1, 2].map((id) => after.operativeOf(id)), [true, true, false]);
  });

  it('a failed write: Rejected, nothing changes', async () => {
    const availability = await open();
    await mkdir(join(fx.dir, `${AVAILABILITY_FILE}.tmp`)); // the temp file cannot be written
    const before = charger.operative.length;
    assert.equal(await availability.change(1, 'Inoperative'), 'Rejected');
    assert.equal(availability.isOperative(1), true);
    assert.equal(charger.operative.length, before, 'the charger is not told');
    assert.equal(problems.length > 0, true, 'reported');
  });
});
