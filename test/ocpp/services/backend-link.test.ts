import { strict as assert } from 'node:assert';

import { BackendLink } from '../../../app/ocpp/backend-link.js';
import { OcppCallError } from '../../../app/ocpp/ocpp-types.js';
import { CLOCK_STEP_THRESHOLD_MS, OcppTime } from '../../../app/ocpp/ocpp-time.js';
import { FakeConnection, TestClock, settle, until } from './helpers.js';

const isOffline = (action: string) => (e: unknown) => e instanceof OcppCallError && e.kind === 'offline' && e.action === action;

describe('ocpp/services/backend-link', () => {
  let clock: TestClock;
  let connection: FakeConnection;
  let link: BackendLink;
  let events: string[];

  beforeEach(() => {
    clock = new TestClock();
    connection = new FakeConnection(clock);
    connection.respond = (action) => ({ echo: action });
    link = new BackendLink(connection.asConnection);
    events = [];
    link.onOnline(() => events.push('online'));
    link.onOffline(() => events.push('offline'));
  });

  it('before acceptance, a CALL is refused with kind offline and never reaches the connection', async () => {
    connection.open();
    assert.equal(link.online, false);
    await assert.rejects(link.call('Heartbeat', {}), isOffline('Heartbeat'));
    assert.equal(connection.calls.length, 0);
  });

  it('accepted and connected: CALLs go through the connection', async () => {
    connection.open();
    link.announceOnline();
    assert.equal(link.online, true);
    assert.deepEqual(await link.call('Heartbeat', {}), { echo: 'Heartbeat' });
    assert.deepEqual(connection.calls.map((c) => c.action), ['Heartbeat']);
  });

  it('a CALL timeout tests the link with a ping (a dead one goes offline); a CALLERROR does not', async () => {
    connection.open();
    link.announceOnline();
    connection.respond = () => {
      throw new OcppCallError('call-error', 'Heartbeat', 'refused', 'InternalError');
    };
    await assert.rejects(link.call('Heartbeat', {}));
    await settle();
    assert.equal(connection.probes, 0);
    connection.respond = () => {
      throw new OcppCallError('timeout', 'Heartbeat', 'no answer');
    };
    connection.answersPings = false;
    await assert.rejects(link.call('Heartbeat', {}), (e: unknown) => e instanceof OcppCallError && e.kind === 'timeout');
    await until(() => !link.online, 'the silent link dropped');
    assert.equal(connection.probes, 1);
    assert.deepEqual(events, ['online', 'offline']);
  });

  it('disconnected after acceptance: offline again, CALLs refused, onOffline told', async () => {
    connection.open();
    link.announceOnline();
    connection.close();
    assert.equal(link.online, false);
    await assert.rejects(link.call('MeterValues', {}), isOffline('MeterValues'));
    assert.equal(connection.calls.length, 0);
    assert.deepEqual(events, ['online', 'offline']);
  });

  it('a close before any acceptance tells no one', () => {
    connection.open();
    connection.close();
    assert.deepEqual(events, []);
  });

  it('announceOnline while disconnected marks acceptance but is not online until the connection is', () => {
    link.announceOnline();
    assert.equal(link.online, false);
    assert.deepEqual(events, []);
    connection.open();
    assert.equal(link.online, true, 'accepted and connected');
    link.announceOnline();
    assert.deepEqual(events, ['online']);
  });

  it('whenOnline: at once when online; otherwise when online is announced', async () => {
    connection.open();
    let resolved = false;
    void link.whenOnline().then(() => (resolved = true));
    await settle();
    assert.equal(resolved, false);
    link.announceOnline();
    await settle();
    assert.equal(resolved, true);
    let again = false;
    void link.whenOnline().then(() => (again = true));
    await settle();
    assert.equal(again, true, 'already online');
  });

  it('whenOnline waits past an announce made while disconnected', async () => {
    let resolved = false;
    void link.whenOnline().then(() => (resolved = true));
    link.announceOnline();
    await settle();
    assert.equal(resolved, false, 'not connected yet');
    connection.open();
    link.announceOnline();
    await settle();
    assert.equal(resolved, true);
  });

  it('release() wakes waiters without going online', async () => {
    let resolved = false;
    void link.whenOnline().then(() => (resolved = true));
    link.release();
    await settle();
    assert.equal(resolved, true);
    assert.equal(link.online, false);
  });

  it('unsubscribed listeners are not told', () => {
    const seen: string[] = [];
    const off = link.onOnline(() => seen.push('x'));
    off();
    connection.open();
    link.announceOnline();
    assert.deepEqual(seen, []);
    assert.deepEqual(events, ['online']);
  });
});

describe('ocpp/services/ocpp-time', () => {
  it('stamps local time until the backend time is adopted, then with its offset', () => {
    const clock = new TestClock(Date.UTC(2026, 0, 1));
    const time = new OcppTime(clock);
    assert.equal(time.iso(), '2026-01-01T00:00:00.000Z');
    time.adopt('2026-01-01T00:00:10.000Z');
    assert.equal(time.offset, 10_000);
    assert.equal(time.iso(), '2026-01-01T00:00:10.000Z');
    assert.equal(time.iso(Date.UTC(2026, 0, 1, 1)), '2026-01-01T01:00:10.000Z', 'a local ms time');
    assert.equal(time.iso('2026-01-01T02:00:00.000Z'), '2026-01-01T02:00:10.000Z', 'a local ISO time');
    assert.equal(time.clock.now(), clock.now() + 10_000);
  });

  it('a currentTime within the step threshold of ours is no correction (round-trip jitter); one past it is, and listeners hear by how much', () => {
    const clock = new TestClock(Date.UTC(2026, 0, 1));
    const time = new OcppTime(clock);
    const moves: number[] = [];
    time.onSet((deltaMs) => moves.push(deltaMs));
    time.adopt('2026-01-01T01:00:00.000Z');
    time.adopt(new Date(time.clock.now() - (CLOCK_STEP_THRESHOLD_MS - 1)).toISOString());
    time.adopt(new Date(time.clock.now() + (CLOCK_STEP_THRESHOLD_MS - 1)).toISOString());
    assert.equal(time.offset, 3_600_000);
    time.adopt(new Date(time.clock.now() - CLOCK_STEP_THRESHOLD_MS).toISOString());
    assert.equal(time.offset, 3_600_000 - CLOCK_STEP_THRESHOLD_MS);
    assert.deepEqual(moves, [3_600_000, -CLOCK_STEP_THRESHOLD_MS]);
  });

  it('ignores a currentTime that does not parse', () => {
    const clock = new TestClock();
    const time = new OcppTime(clock);
    time.adopt('2026-01-01T00:00:05.000Z');
    time.adopt('not a time');
    assert.equal(time.offset, 5_000 + (Date.UTC(2026, 0, 1) - clock.now()));
  });

  it('its clock runs timers on the local clock', async () => {
    const clock = new TestClock();
    const time = new OcppTime(clock);
    time.adopt(new Date(clock.now() + 3_600_000).toISOString());
    let fired = 0;
    time.clock.setTimeout(() => fired++, 1000);
    await clock.advance(999);
    assert.equal(fired, 0);
    await clock.advance(1);
    assert.equal(fired, 1);
  });
});
