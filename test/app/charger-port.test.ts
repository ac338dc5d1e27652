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

  it('endSessions returns as the last session\'s record closes, not at a later tick', async () => {
    f = await startCharger();
    await startSession(f);
    let closedAt: number | null = null;
    f.charger.onEvent((e) => {
      if (e.type === 'sessionStopped') closedAt = f.clock.now();
    });
    let endedAt: number | null = null;
    void f.charger.endSessions('SoftReset').then(() => (endedAt = f.clock.now()));
    assert.ok(await f.clock.advanceUntil(() => endedAt !== null, 10_000, 1), 'endSessions did not return');
    assert.ok(closedAt !== null, 'no session was stopped');
    assert.equal(endedAt, closedAt);
  });

  it('an unlock command is answered as the lock reports it open, not at a later tick', async () => {
    f = await startCharger();
    // An EV that leaves C 1237 ms after the PWM goes: the lock opens off any round tick.
    await startSession(f, 1, { followDelayMs: 1237 });
    const lock = f.board.hardware.connectors[0]!.lock!;
    let openedAt: number | null = null;
    lock.onFeedback((position) => {
      if (position === 'unlocked' && openedAt === null) openedAt = f.clock.now();
    });
    let answer: { result: string; at: number } | null = null;
    void f.charger.unlock(1).then((result) => (answer = { result, at: f.clock.now() }));
    assert.ok(await f.clock.advanceUntil(() => answer !== null, 20_000, 1), 'no answer');
    assert.deepEqual(answer, { result: 'Unlocked', at: openedAt });
  });
});
