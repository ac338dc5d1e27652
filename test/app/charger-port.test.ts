// The charger as the OCPP client sees it (ChargerPort): its events keep every session's start and
// stop, in order, even when a new session begins before the last one's final meter read is back.

import { strict as assert } from 'node:assert';
import type { ChargerEvent } from '../../app/ocpp/charger-port.js';
import { CARD, startCharger, startSession, type ChargerFixture } from '../support/charger-fixture.js';

describe('charger port events', () => {
  let f: ChargerFixture;
  afterEach(() => f?.dispose());

  it('a session started before the last one\'s final meter read is back: the last one is stopped first, with its own reason and card', async () => {
    f = await startCharger();
    const events: ChargerEvent[] = [];
    f.charger.onEvent((e) => {
      if (e.type === 'sessionStarted' || e.type === 'sessionStopped') events.push(e);
    });
    await startSession(f);
    assert.ok(f.charger.stopSession(1, 'Remote', 'REMOTE-TAG'));
    // Step by 1 ms: the session ends as the EV leaves C; the final meter read takes the meter's 20 ms.
    assert.ok(await f.clock.advanceUntil(() => f.status().state === 'connected.finishing', 10_000, 1));
    assert.equal(events.filter((e) => e.type === 'sessionStopped').length, 0, 'the final read is still out');
    assert.ok(f.charger.authorize(1, CARD), 'a new session at once');

    const types = events.map((e) => e.type);
    assert.deepEqual(types, ['sessionStarted', 'sessionStopped', 'sessionStarted']);
    const stopped = events[1] as Extract<ChargerEvent, { type: 'sessionStopped' }>;
    assert.equal(stopped.session.sessionId, (events[0] as Extract<ChargerEvent, { type: 'sessionStarted' }>).session.sessionId);
    assert.equal(stopped.session.stopReason, 'Remote');
    assert.equal(stopped.stoppedByIdTag, 'REMOTE-TAG');
    await f.advance(1000);
    assert.equal(events.length, 3, 'the late meter read closes nothing twice');
    const [first, second] = f.charger.sessions();
    assert.equal(first!.stopReason, 'Remote');
    assert.equal(second!.stoppedAt, null);
  });
});
