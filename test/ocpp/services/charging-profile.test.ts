import { strict as assert } from 'node:assert';

import { profileLimit, type ChargingProfile, type ChargingSchedulePeriod } from '../../../app/ocpp/smart-charging/charging-profile.js';
import { TxProfiles } from '../../../app/ocpp/smart-charging/tx-profiles.js';
import { FakeChargerPort, sessionRecord } from '../fake-charger-port.js';
import { TestClock } from './helpers.js';

const S = 1000;
const MIN = 60 * S;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 0, 5, 0, 0, 0); // a Monday, 00:00
const iso = (ms: number) => new Date(ms).toISOString();

function profile(patch: Partial<ChargingProfile> & { periods?: ChargingSchedulePeriod[]; unit?: 'A' | 'W'; duration?: number; startSchedule?: string }): ChargingProfile {
  const { periods, unit, duration, startSchedule, ...rest } = patch;
  return {
    chargingProfileId: 1,
    stackLevel: 0,
    chargingProfilePurpose: 'TxProfile',
    chargingProfileKind: 'Relative',
    chargingSchedule: {
      chargingRateUnit: unit ?? 'A',
      chargingSchedulePeriod: periods ?? [{ startPeriod: 0, limit: 16 }],
      ...(duration !== undefined ? { duration } : {}),
      ...(startSchedule !== undefined ? { startSchedule } : {}),
    },
    ...rest,
  };
}

/** The limit at `now` for a session started at `sessionStart`, 230 V, on a connector of `phases`. */
const at = (p: ChargingProfile, now: number, sessionStart = T0, phases: 1 | 3 = 3) => profileLimit(p, sessionStart, now, 230, phases);

describe('ocpp/services/charging-profile profileLimit', () => {
  const steps = [
    { startPeriod: 0, limit: 16 },
    { startPeriod: 600, limit: 10 },
    { startPeriod: 1800, limit: 6 },
  ];

  it('Relative: periods from the session start, each until the next', () => {
    const p = profile({ chargingProfileKind: 'Relative', periods: steps });
    const start = T0 + 7 * MIN;
    assert.deepEqual(at(p, start, start), { amps: 16, nextChangeAt: start + 600 * S });
    assert.deepEqual(at(p, start + 599 * S, start), { amps: 16, nextChangeAt: start + 600 * S });
    assert.deepEqual(at(p, start + 600 * S, start), { amps: 10, nextChangeAt: start + 1800 * S });
    assert.deepEqual(at(p, start + 5 * HOUR, start), { amps: 6, nextChangeAt: null }, 'the last period goes on');
  });

  it('Relative ignores a startSchedule', () => {
    const p = profile({ chargingProfileKind: 'Relative', periods: steps, startSchedule: iso(T0 - DAY) });
    assert.equal(at(p, T0 + 10, T0).amps, 16);
  });

  it('periods given out of order are taken in startPeriod order', () => {
    const p = profile({ periods: [steps[2]!, steps[0]!, steps[1]!] });
    assert.equal(at(p, T0 + 700 * S).amps, 10);
    assert.equal(at(p, T0 + 700 * S).nextChangeAt, T0 + 1800 * S);
  });

  it('Absolute: periods from startSchedule; nothing before it', () => {
    const start = T0 + HOUR;
    const p = profile({ chargingProfileKind: 'Absolute', periods: steps, startSchedule: iso(start) });
    assert.deepEqual(at(p, T0, T0 - HOUR), { amps: null, nextChangeAt: start });
    assert.deepEqual(at(p, start + 650 * S, T0 - HOUR), { amps: 10, nextChangeAt: start + 1800 * S });
  });

  it('Absolute without startSchedule: from the start of charging (§7.13)', () => {
    const p = profile({ chargingProfileKind: 'Absolute', periods: steps });
    assert.deepEqual(at(p, T0 + 601 * S, T0), { amps: 10, nextChangeAt: T0 + 1800 * S });
  });

  it('duration: no limit once the schedule has ended', () => {
    const p = profile({ periods: steps, duration: 1200 });
    assert.deepEqual(at(p, T0 + 700 * S), { amps: 10, nextChangeAt: T0 + 1200 * S }, 'the end comes before the next period');
    assert.deepEqual(at(p, T0 + 1200 * S), { amps: null, nextChangeAt: null });
    assert.deepEqual(at(p, T0 + 2000 * S), { amps: null, nextChangeAt: null });
  });

  it('Recurring Daily: the schedule restarts every day at startSchedule', () => {
    const p = profile({
      chargingProfileKind: 'Recurring',
      recurrencyKind: 'Daily',
      startSchedule: iso(T0 - 3 * DAY), // 00:00
      periods: [
        { startPeriod: 0, limit: 6 }, // night
        { startPeriod: 8 * 3600, limit: 16 }, // from 08:00
        { startPeriod: 20 * 3600, limit: 10 }, // from 20:00
      ],
    });
    const session = T0 - 2 * HOUR;
    assert.deepEqual(at(p, T0 + 3 * HOUR, session), { amps: 6, nextChangeAt: T0 + 8 * HOUR });
    assert.deepEqual(at(p, T0 + 9 * HOUR, session), { amps: 16, nextChangeAt: T0 + 20 * HOUR });
    assert.deepEqual(at(p, T0 + DAY + 9 * HOUR, session), { amps: 16, nextChangeAt: T0 + DAY + 20 * HOUR }, 'the next day, the same');
    assert.deepEqual(at(p, T0 + 21 * HOUR, session), { amps: 10, nextChangeAt: T0 + DAY }, 'the last period ends when the day restarts');
    assert.equal(at(p, T0 + DAY, session).amps, 6);
  });

  it('Recurring Daily with a duration shorter than the day: no limit in between, back the next day', () => {
    const p = profile({ chargingProfileKind: 'Recurring', recurrencyKind: 'Daily', startSchedule: iso(T0 + 18 * HOUR), duration: 4 * 3600, periods: [{ startPeriod: 0, limit: 8 }] });
    assert.deepEqual(at(p, T0 + 12 * HOUR), { amps: null, nextChangeAt: T0 + 18 * HOUR }, 'before the first occurrence');
    assert.deepEqual(at(p, T0 + 19 * HOUR), { amps: 8, nextChangeAt: T0 + 22 * HOUR });
    assert.deepEqual(at(p, T0 + 23 * HOUR), { amps: null, nextChangeAt: T0 + DAY + 18 * HOUR });
    assert.equal(at(p, T0 + DAY + 20 * HOUR).amps, 8);
  });

  it('Recurring Weekly: the schedule restarts every 7 days', () => {
    const p = profile({
      chargingProfileKind: 'Recurring',
      recurrencyKind: 'Weekly',
      startSchedule: iso(T0), // Monday 00:00
      periods: [
        { startPeriod: 0, limit: 10 }, // weekdays
        { startPeriod: 5 * 86400, limit: 32 }, // from Saturday
      ],
    });
    assert.deepEqual(at(p, T0 + 2 * DAY), { amps: 10, nextChangeAt: T0 + 5 * DAY });
    assert.deepEqual(at(p, T0 + 6 * DAY), { amps: 32, nextChangeAt: T0 + 7 * DAY });
    assert.deepEqual(at(p, T0 + 7 * DAY + HOUR), { amps: 10, nextChangeAt: T0 + 12 * DAY });
    assert.equal(at(p, T0 + 14 * DAY - 1).amps, 32);
  });

  it('W: total power over 230 V × numberPhases (3 when absent), per phase', () => {
    assert.equal(at(profile({ unit: 'W', periods: [{ startPeriod: 0, limit: 11_040 }] }), T0).amps, 16);
    assert.equal(at(profile({ unit: 'W', periods: [{ startPeriod: 0, limit: 7_360, numberPhases: 1 }] }), T0).amps, 32);
    assert.equal(at(profile({ unit: 'W', periods: [{ startPeriod: 0, limit: 7_360, numberPhases: 2 }] }), T0).amps, 16);
  });

  it("W on a 1-phase connector: all the power on its one phase", () => {
    assert.equal(at(profile({ unit: 'W', periods: [{ startPeriod: 0, limit: 3_680 }] }), T0, T0, 1).amps, 16);
    assert.equal(at(profile({ unit: 'W', periods: [{ startPeriod: 0, limit: 3_680, numberPhases: 1 }] }), T0, T0, 1).amps, 16);
  });

  it('A is per phase: numberPhases does not change it', () => {
    assert.equal(at(profile({ unit: 'A', periods: [{ startPeriod: 0, limit: 13.5, numberPhases: 1 }] }), T0).amps, 13.5);
    assert.equal(at(profile({ unit: 'A', periods: [{ startPeriod: 0, limit: 20 }] }), T0, T0, 1).amps, 20);
  });

  it('validFrom: no limit before it, and it is when the limit changes', () => {
    const p = profile({ periods: steps, validFrom: iso(T0 + HOUR) });
    assert.deepEqual(at(p, T0 + 10 * MIN), { amps: null, nextChangeAt: T0 + HOUR });
    assert.deepEqual(at(p, T0 + HOUR), { amps: 6, nextChangeAt: null });
  });

  it('validTo: the limit ends there', () => {
    const p = profile({ periods: steps, validTo: iso(T0 + 15 * MIN) });
    assert.deepEqual(at(p, T0 + 11 * MIN), { amps: 10, nextChangeAt: T0 + 15 * MIN }, 'validTo before the next period');
    assert.deepEqual(at(p, T0 + 15 * MIN), { amps: null, nextChangeAt: null });
  });

  it('a negative limit counts as 0', () => {
    assert.equal(at(profile({ periods: [{ startPeriod: 0, limit: -1 }] }), T0).amps, 0);
  });
});

describe('ocpp/services/tx-profiles', () => {
  let clock: TestClock;
  let charger: FakeChargerPort;
  let profiles: TxProfiles;
  const relative = profile({
    chargingProfileKind: 'Relative',
    periods: [
      { startPeriod: 0, limit: 16 },
      { startPeriod: 600, limit: 10 },
    ],
  });

  beforeEach(() => {
    clock = new TestClock(T0);
    charger = new FakeChargerPort(2, clock);
    profiles = new TxProfiles(charger, clock, 230);
  });

  afterEach(() => profiles.stop());

  it('applies to the next session on its connector, from that session’s start', async () => {
    profiles.forNextSession(1, relative);
    charger.set(1, { status: 'Preparing' });
    assert.equal(charger.limitOf(1), undefined, 'no limit before the session');
    await clock.advance(30 * S);
    charger.startSession(sessionRecord('s1', 1, clock.now(), 0));
    assert.equal(charger.limitOf(1), 16);
    assert.equal(charger.limitOf(2), undefined, 'the other connector untouched');
  });

  it('follows the period boundaries on the clock', async () => {
    profiles.forNextSession(1, relative);
    const start = clock.now();
    charger.startSession(sessionRecord('s1', 1, start, 0));
    await clock.advance(600 * S - 1);
    assert.equal(charger.limitOf(1), 16);
    await clock.advance(1);
    assert.equal(charger.limitOf(1), 10);
    assert.deepEqual(charger.limits.map((l) => [l.amps, l.at - start]), [[16, 0], [10, 600 * S]]);
  });

  it('a Daily Recurring profile comes back to its first period the next day', async () => {
    const daily = profile({
      chargingProfileKind: 'Recurring',
      recurrencyKind: 'Daily',
      startSchedule: iso(T0),
      periods: [
        { startPeriod: 0, limit: 6 },
        { startPeriod: 12 * 3600, limit: 16 },
      ],
    });
    profiles.forNextSession(1, daily);
    charger.startSession(sessionRecord('s1', 1, clock.now(), 0));
    await clock.advance(13 * HOUR);
    assert.equal(charger.limitOf(1), 16);
    await clock.advance(11 * HOUR);
    assert.equal(charger.limitOf(1), 6, 'midnight: the schedule restarts');
  });

  it('is removed at the session end: limit lifted, no timer left, the next session unlimited', async () => {
    profiles.forNextSession(1, relative);
    charger.startSession(sessionRecord('s1', 1, clock.now(), 0));
    await clock.advance(60 * S);
    charger.endSession(1);
    assert.equal(charger.limitOf(1), null);
    assert.equal(clock.pendingTimers, 0);
    const count = charger.limits.length;
    charger.startSession(sessionRecord('s2', 1, clock.now(), 0));
    await clock.advance(HOUR);
    assert.equal(charger.limits.length, count, 'the profile was for one session only');
  });

  it('lapses when the connector goes back to Available before a session started', async () => {
    profiles.forNextSession(1, relative);
    charger.set(1, { status: 'Preparing' });
    charger.set(1, { status: 'Available' }); // ConnectionTimeOut: the EV never came
    charger.startSession(sessionRecord('s1', 1, clock.now(), 0));
    assert.equal(charger.limitOf(1), undefined);
  });

  it('a session already running takes the profile at once, from its own start', () => {
    const start = clock.now() - 700 * S;
    charger.setQuietly(1, { session: sessionRecord('s1', 1, start, 0), status: 'Charging' });
    profiles.forNextSession(1, relative);
    assert.equal(charger.limitOf(1), 10, 'already past the first period');
  });

  it('a profile that sets no limit yet: none until its validFrom, then it holds', async () => {
    const later = { ...relative, validFrom: iso(T0 + HOUR) };
    profiles.forNextSession(2, later);
    charger.startSession(sessionRecord('s1', 2, clock.now(), 0));
    assert.equal(charger.limitOf(2), null);
    await clock.advance(HOUR);
    assert.equal(charger.limitOf(2), 10);
  });

  it('stop(): limits lifted and the charger no longer followed', async () => {
    profiles.forNextSession(1, relative);
    charger.startSession(sessionRecord('s1', 1, clock.now(), 0));
    profiles.stop();
    assert.equal(charger.limitOf(1), null);
    assert.equal(charger.listenerCount, 0);
    assert.equal(clock.pendingTimers, 0);
  });
});
