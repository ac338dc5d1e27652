import { strict as assert } from 'node:assert';
import type { ChargingPointEvent } from '../../state-machines/charging-point.js';
import { POWER_OFF_UNDER_LOAD_MS } from '../support/safety-reference.js';
import { BASE_INPUT, CARD, READY, Rig, chargingRig } from './charging-point-rig.js';

const AUTH: ChargingPointEvent = { type: 'AUTHORIZED', idTag: CARD };
const LOCKED: ChargingPointEvent = { type: 'LOCK', locked: true };
const DIODE: ChargingPointEvent = { type: 'DIODE_VERIFIED' };
const FAULT: ChargingPointEvent = { type: 'FAULTS', blocking: true, stateF: true, reason: 'Fault' };
const NO_FAULT: ChargingPointEvent = { type: 'FAULTS', blocking: false, stateF: false, reason: 'Fault' };
const limit = (amps: number): ChargingPointEvent => ({ type: 'LIMIT', amps });

describe('chargingPointMachine', () => {
  describe('idle (A)', () => {
    it('starts vacant: pilot high, contactor open, socket unlocked, no PWM', () => {
      const rig = new Rig();
      assert.equal(rig.state, 'idle.vacant');
      assert.equal(rig.pacing, 'ready');
      assert.deepEqual(rig.io(), ['pilotHigh', 'openContactor', 'unlockConnector']);
      rig.send(...READY).pilot('E');
      assert.equal(rig.state, 'idle.vacant', 'E is not a vehicle');
      assert.deepEqual(rig.io(), []);
    });

    it('a card first waits for the plug and starts the session with that card', () => {
      const rig = new Rig().send(...READY, AUTH);
      assert.equal(rig.state, 'idle.authorizedAwaitingPlug');
      assert.equal(rig.context.idTag, CARD);
      rig.io();
      rig.pilot('B');
      assert.equal(rig.state, 'connected.session.preparing');
      assert.deepEqual(rig.io(), ['pilotHigh', 'startSession(CARD-1)', 'lockConnector']);
    });

    it('the authorization expires after plugInTimeoutMs, and a later plug needs a new card', async () => {
      const rig = new Rig({ plugInTimeoutMs: 30_000 }).send(...READY, AUTH);
      await rig.clock.advance(29_999);
      assert.equal(rig.state, 'idle.authorizedAwaitingPlug');
      await rig.clock.advance(1);
      assert.equal(rig.state, 'idle.vacant');
      assert.equal(rig.context.authorized, false);
      assert.equal(rig.context.idTag, null);
      rig.pilot('B');
      assert.equal(rig.state, 'connected.awaitingAuthorization');
      assert.equal(rig.count('startSession'), 0);
    });

    it('STOP withdraws a waiting authorization', () => {
      const rig = new Rig().send(AUTH, { type: 'STOP', reason: 'Local' });
      assert.equal(rig.state, 'idle.vacant');
      assert.equal(rig.context.authorized, false);
    });
  });

  describe('plug-in and authorization', () => {
    it('plug-in without a card: B1, pilot high, no PWM, no session', () => {
      const rig = new Rig().send(...READY, LOCKED, DIODE);
      rig.io();
      rig.pilot('B');
      assert.equal(rig.state, 'connected.awaitingAuthorization');
      assert.deepEqual(rig.io(), ['pilotHigh']);
      rig.pilot('C');
      assert.equal(rig.state, 'connected.awaitingAuthorization');
      rig.send(limit(20));
      assert.deepEqual(rig.io(), [], 'no PWM and no contactor before authorization');
    });

    it('AUTHORIZED starts the session and locks; PWM only once the lock is confirmed', () => {
      const rig = new Rig().send(...READY).pilot('B');
      rig.io();
      rig.send(AUTH);
      assert.equal(rig.state, 'connected.session.preparing');
      assert.deepEqual(rig.io(), ['startSession(CARD-1)', 'lockConnector']);
      rig.send({ type: 'LOCK', locked: false });
      assert.equal(rig.state, 'connected.session.preparing');
      rig.send(LOCKED);
      assert.equal(rig.state, 'connected.session.offering');
      assert.deepEqual(rig.io(), ['pilotPwmAtAllowed(16)']);
      assert.equal(rig.context.pwmOn, true);
      assert.equal(rig.context.offeredCurrentA, 16);
    });

    it('a socket offers nothing until the cable rating is known', () => {
      const rig = new Rig().send({ type: 'SELF_TEST', passed: true }, limit(16)).pilot('B').send(AUTH, LOCKED);
      assert.equal(rig.state, 'connected.session.preparing');
      assert.equal(rig.count('pilotPwmAtAllowed'), 0);
      rig.send({ type: 'CABLE', ratingA: 20 });
      assert.equal(rig.state, 'connected.session.offering');
    });

    it('a tethered cable needs no lock confirmation and keeps its fixed rating', () => {
      const rig = new Rig({ kind: 'tethered', tetheredCableRatingA: 32 }).send({ type: 'SELF_TEST', passed: true }, { type: 'METER_READY' }, limit(16));
      assert.equal(rig.context.cableRatingA, 32);
      rig.send({ type: 'CABLE', ratingA: null });
      assert.equal(rig.context.cableRatingA, 32, 'the PP reading does not apply to a tethered cable');
      rig.pilot('B').send(AUTH);
      assert.equal(rig.state, 'connected.session.offering');
      rig.send(DIODE).pilot('C');
      assert.equal(rig.state, 'connected.session.energized.charging');
      assert.equal(rig.count('closeContactor'), 1);
    });

    it('free charging starts a session without a card', () => {
      const rig = new Rig({ freeCharging: true }).send(...READY);
      rig.io();
      rig.pilot('B');
      assert.equal(rig.state, 'connected.session.preparing');
      assert.deepEqual(rig.io(), ['pilotHigh', 'startSession(null)', 'lockConnector']);
      assert.equal(rig.context.authorized, true);
    });

    it('with no current available the session waits in suspendedEVSE (X1)', () => {
      const rig = new Rig().send({ type: 'SELF_TEST', passed: true }, { type: 'CABLE', ratingA: 32 }).pilot('B').send(AUTH, LOCKED);
      assert.equal(rig.state, 'connected.session.suspendedEVSE.resumable', 'no PWM was withdrawn: no hold');
      rig.io();
      rig.send(limit(5.9));
      assert.deepEqual(rig.io(), []);
      rig.send(limit(6));
      assert.equal(rig.state, 'connected.session.offering');
      assert.deepEqual(rig.io(), ['pilotPwmAtAllowed(6)']);
    });
  });

  describe('closing the contactor: every precondition is needed', () => {
    /** [name, events that complete it]; every other precondition is met first. */
    const preconditions: [string, ChargingPointEvent[]][] = [
      ['pilot C', [{ type: 'PILOT', state: 'C' }]],
      ['authorized', [AUTH]],
      ['cable rating known', [{ type: 'CABLE', ratingA: 32 }]],
      ['lock confirmed', [LOCKED]],
      ['RCD self-test passed', [{ type: 'SELF_TEST', passed: true }]],
      ['diode verified', [DIODE]],
      ['meter read', [{ type: 'METER_READY' }]],
    ];
    const all: Record<string, ChargingPointEvent[]> = Object.fromEntries(preconditions);

    for (const [missing, supply] of preconditions) {
      it(`does not close without: ${missing}; closes once it is supplied`, () => {
        const rig = new Rig().send(limit(16)).pilot('B');
        for (const [name, events] of preconditions) if (name !== missing && name !== 'pilot C') rig.send(...events);
        if (missing !== 'pilot C') rig.send(...all['pilot C']!);
        assert.equal(rig.count('closeContactor'), 0);
        assert.notEqual(rig.state, 'connected.session.energized.charging');
        rig.send(...supply);
        assert.equal(rig.state, 'connected.session.energized.charging');
        assert.equal(rig.count('closeContactor'), 1);
      });
    }

    it('an explicitly failed self-test keeps it open', () => {
      const rig = new Rig().send(...READY, { type: 'SELF_TEST', passed: false }).pilot('B').send(AUTH, LOCKED, DIODE).pilot('C');
      assert.equal(rig.state, 'connected.session.offering');
      assert.equal(rig.count('closeContactor'), 0);
    });

    it('does not close with an active fault; after it clears, a new card (and lock, diode) is needed', () => {
      const rig = new Rig().send(...READY, FAULT).pilot('B').send(AUTH, LOCKED, DIODE).pilot('C');
      assert.equal(rig.state, 'fault.signalling');
      assert.equal(rig.count('closeContactor'), 0);
      rig.send(NO_FAULT);
      assert.equal(rig.state, 'connected.awaitingAuthorization', 'the card seen during the fault is not kept');
      rig.send(AUTH);
      assert.equal(rig.state, 'connected.session.preparing', 'idle cleared the lock confirmation');
      rig.send(LOCKED);
      assert.equal(rig.state, 'connected.session.offering', 'idle cleared the diode check');
      rig.send(DIODE);
      assert.equal(rig.state, 'connected.session.energized.charging');
      assert.equal(rig.count('closeContactor'), 1);
    });

    it('closes in D only where the site is ventilated', () => {
      const vented = new Rig({ ventilationAvailable: true }).send(...READY).pilot('B').send(AUTH, LOCKED, DIODE).pilot('D');
      assert.equal(vented.state, 'connected.session.energized.charging');
      const unvented = new Rig().send(...READY).pilot('B').send(AUTH, LOCKED, DIODE).pilot('D');
      assert.equal(unvented.state, 'connected.session.offering');
      unvented.send(limit(20), DIODE, LOCKED, { type: 'SELF_TEST', passed: true });
      assert.equal(unvented.count('closeContactor'), 0, 'D without ventilation never closes');
    });

    it('C → D without ventilation while charging opens and goes back to offering', () => {
      const rig = chargingRig();
      rig.io();
      rig.pilot('D');
      assert.equal(rig.state, 'connected.session.offering');
      assert.deepEqual(rig.io(), ['openContactor', 'pilotPwmAtAllowed(16)']);
    });
  });

  describe('while charging', () => {
    it('C → B opens the contactor (suspendedEV, PWM kept); B → C closes it again, not before the 2 s minimum off time', async () => {
      const rig = chargingRig();
      assert.equal(rig.state, 'connected.session.energized.charging');
      rig.io();
      rig.pilot('B');
      assert.equal(rig.state, 'connected.session.suspendedEV');
      assert.deepEqual(rig.io(), ['openContactor']);
      assert.equal(rig.context.pwmOn, true);
      // A chattering pilot: back in C at once. The contactor rests 2000 ms after an open
      // (MIN_CONTACTOR_OFF_TIME_MS: within IEC 61851-1 Table A.6 seq 4's 3 s to close).
      rig.pilot('C');
      assert.equal(rig.state, 'connected.session.suspendedEV');
      await rig.clock.advance(1999);
      assert.deepEqual(rig.io(), []);
      await rig.clock.advance(1);
      assert.equal(rig.state, 'connected.session.energized.charging');
      assert.deepEqual(rig.io(), ['closeContactor']);
    });

    /** Setups that leave the rig in each connected substate. */
    const substates: [string, () => Rig][] = [
      ['connected.awaitingAuthorization', () => new Rig().send(...READY).pilot('B')],
      ['connected.session.preparing', () => new Rig().send(...READY).pilot('B').send(AUTH)],
      ['connected.session.offering', () => new Rig().send(...READY).pilot('B').send(AUTH, LOCKED)],
      ['connected.session.energized.charging', () => chargingRig()],
      ['connected.session.energized.stopping', () => chargingRig().send({ type: 'STOP', reason: 'Local' })],
      ['connected.session.suspendedEV', () => chargingRig().pilot('B')],
      ['connected.session.suspendedEVSE.holding', () => chargingRig().pilot('B').send(limit(0))],
      ['connected.finishing', () => chargingRig().pilot('B').send({ type: 'STOP', reason: 'Local' })],
    ];
    for (const [state, setup] of substates) {
      it(`unplug from ${state} → idle, contactor open, socket unlocked`, () => {
        const rig = setup();
        assert.equal(rig.state, state);
        const sessionOpen = rig.count('startSession') > rig.count('stopSession');
        rig.io();
        rig.pilot('A');
        assert.equal(rig.state, 'idle.vacant');
        const io = rig.io();
        assert.ok(io.includes('openContactor') && io.includes('unlockConnector') && io.includes('pilotHigh'), io.join());
        assert.deepEqual(io.filter((c) => c.startsWith('stopSession')), sessionOpen ? ['stopSession(EVDisconnected)'] : []);
        assert.equal(rig.context.authorized, false);
        assert.equal(rig.count('startSession'), rig.count('stopSession'));
      });
    }

    it('STOP: X1 first, then the EV leaves C → open, stopSession with the STOP reason, unlock', () => {
      const rig = chargingRig();
      rig.io();
      rig.send({ type: 'STOP', reason: 'EmergencyStop' });
      assert.equal(rig.state, 'connected.session.energized.stopping');
      assert.deepEqual(rig.io(), ['pilotHigh'], 'contactor stays closed until the EV stops drawing');
      rig.pilot('B');
      assert.equal(rig.state, 'connected.finishing');
      assert.deepEqual(rig.io(), ['openContactor', 'stopSession(EmergencyStop)', 'pilotHigh', 'unlockConnector']);
    });

    it(`STOP: if the EV stays in C, power is cut under load after ${POWER_OFF_UNDER_LOAD_MS} ms`, async () => {
      const rig = chargingRig();
      rig.send({ type: 'STOP', reason: 'Local' });
      rig.io();
      await rig.clock.advance(POWER_OFF_UNDER_LOAD_MS - 1);
      assert.equal(rig.state, 'connected.session.energized.stopping');
      assert.deepEqual(rig.io(), []);
      await rig.clock.advance(1);
      assert.equal(rig.state, 'connected.finishing');
      assert.deepEqual(rig.io(), ['openContactor', 'stopSession(Local)', 'pilotHigh', 'unlockConnector']);
    });

    it('STOP before charging goes straight to finishing with its reason; a new card there starts a new session', () => {
      const rig = new Rig().send(...READY).pilot('B').send(AUTH, LOCKED);
      rig.io();
      rig.send({ type: 'STOP', reason: 'Other' });
      assert.equal(rig.state, 'connected.finishing');
      assert.deepEqual(rig.io(), ['stopSession(Other)', 'pilotHigh', 'unlockConnector'], 'the reason of this STOP');
      rig.send({ type: 'LOCK', locked: false }); // the lock driver reports the release
      rig.send({ type: 'AUTHORIZED', idTag: 'CARD-2' });
      assert.equal(rig.state, 'connected.session.preparing');
      assert.deepEqual(rig.io(), ['startSession(CARD-2)', 'lockConnector']);
      rig.send(LOCKED);
      assert.deepEqual(rig.io(), ['pilotPwmAtAllowed(16)']);
    });

    it('LIMIT < 6 A: X1 (suspendedEVSE) with the contactor opened once the EV leaves C; ≥ 6 A offers again after the PWM interval', async () => {
      const rig = chargingRig();
      rig.io();
      rig.send(limit(5));
      assert.equal(rig.state, 'connected.session.energized.stopping');
      assert.deepEqual(rig.io(), ['pilotHigh']);
      rig.send(limit(16));
      assert.equal(rig.state, 'connected.session.energized.stopping', 'waits for the EV to react');
      rig.pilot('B');
      assert.equal(rig.state, 'connected.session.suspendedEVSE.holding');
      assert.deepEqual(rig.io(), ['openContactor', 'pilotHigh']);
      await rig.clock.advance(BASE_INPUT.pilotResumeHoldMs - 1);
      assert.deepEqual(rig.io(), [], 'X1 holds for pilotResumeHoldMs, so the pilot cannot toggle faster');
      await rig.clock.advance(1);
      assert.equal(rig.state, 'connected.session.offering');
      assert.deepEqual(rig.io(), ['pilotPwmAtAllowed(16)']);
      assert.equal(rig.count('stopSession'), 0, 'a pause is not the end of the session');
      rig.pilot('C');
      assert.equal(rig.state, 'connected.session.energized.charging');
    });

    it('LIMIT < 6 A with the EV staying in C: contactor opens after 6 s, session kept', async () => {
      const rig = chargingRig().send(limit(0));
      rig.io();
      await rig.clock.advance(POWER_OFF_UNDER_LOAD_MS - 1);
      assert.deepEqual(rig.io(), []);
      await rig.clock.advance(1);
      assert.equal(rig.state, 'connected.session.suspendedEVSE.holding');
      assert.deepEqual(rig.io(), ['openContactor', 'pilotHigh']);
      rig.send(limit(10));
      await rig.clock.advance(BASE_INPUT.pilotResumeHoldMs);
      assert.equal(rig.state, 'connected.session.energized.charging', 'EV still in C: offering closes at once');
      assert.deepEqual(rig.io(), ['pilotPwmAtAllowed(10)', 'closeContactor']);
    });

    it('LIMIT < 6 A in suspendedEV goes to suspendedEVSE', () => {
      const rig = chargingRig().pilot('B');
      rig.io();
      rig.send(limit(0));
      assert.equal(rig.state, 'connected.session.suspendedEVSE.holding');
      assert.deepEqual(rig.io(), ['pilotHigh']);
    });
  });

  describe('rules from the backend', () => {
    const INOPERATIVE: ChargingPointEvent = { type: 'OPERATIVE', operative: false };
    const OPERATIVE: ChargingPointEvent = { type: 'OPERATIVE', operative: true };

    it('an inoperative connector takes no card, before or after plug-in, and starts no session', () => {
      const rig = new Rig().send(...READY, INOPERATIVE, AUTH);
      assert.equal(rig.state, 'idle.vacant');
      rig.pilot('B').send(AUTH);
      assert.equal(rig.state, 'connected.awaitingAuthorization');
      assert.equal(rig.context.authorized, false, 'the card is not kept for later');
      rig.send(OPERATIVE);
      assert.equal(rig.state, 'connected.awaitingAuthorization');
      rig.send(AUTH);
      assert.equal(rig.state, 'connected.session.preparing');
    });

    it('free charging waits while inoperative', () => {
      const rig = new Rig({ freeCharging: true }).send(...READY, INOPERATIVE).pilot('B');
      assert.equal(rig.state, 'connected.awaitingAuthorization');
      rig.send(OPERATIVE);
      assert.equal(rig.state, 'connected.session.preparing');
    });

    it('a session running when the connector became inoperative goes on; the next one is refused', () => {
      const rig = chargingRig().send(INOPERATIVE);
      assert.equal(rig.state, 'connected.session.energized.charging');
      rig.send({ type: 'STOP', reason: 'Remote' }).pilot('B');
      assert.equal(rig.state, 'connected.finishing');
      rig.send(AUTH);
      assert.equal(rig.state, 'connected.finishing');
    });

    it('keepSessionOnUnplug: an unplug de-energizes and waits with X1; the replug goes on; a STOP ends it with its reason', () => {
      const rig = chargingRig().send({ type: 'CONFIGURE', keepSessionOnUnplug: true });
      rig.io();
      rig.pilot('A');
      assert.equal(rig.state, 'connected.session.evDisconnected');
      assert.deepEqual(rig.io(), ['openContactor', 'pilotHigh']);
      assert.equal(rig.count('stopSession'), 0);
      rig.pilot('B');
      assert.equal(rig.state, 'connected.session.preparing');
      rig.pilot('A').send({ type: 'STOP', reason: 'Remote' });
      assert.equal(rig.state, 'idle.vacant');
      assert.ok(rig.io().includes('stopSession(Remote)'));
    });

    it('without keepSessionOnUnplug an unplug ends the session (EVDisconnected)', () => {
      const rig = chargingRig();
      rig.io();
      rig.pilot('A');
      assert.equal(rig.state, 'idle.vacant');
      assert.ok(rig.io().includes('stopSession(EVDisconnected)'));
    });

    it('unlockOnUnplug false: the socket keeps the cable after the unplug, until a card', () => {
      const rig = chargingRig().send({ type: 'CONFIGURE', unlockOnUnplug: false });
      rig.io();
      rig.pilot('A');
      assert.equal(rig.state, 'idle.vacant');
      assert.ok(!rig.io().includes('unlockConnector'), 'still locked');
      rig.send(AUTH);
      assert.deepEqual(rig.io(), ['unlockConnector']);
    });

    it('unlockOnUnplug (the default): the unplug releases the cable', () => {
      const rig = chargingRig();
      rig.io();
      rig.pilot('A');
      assert.ok(rig.io().includes('unlockConnector'));
    });
  });

  describe('PWM update pacing', () => {
    it('applies one change at once, holds later ones for pwmMinUpdateIntervalMs, then applies the latest once', async () => {
      const rig = chargingRig({ pwmMinUpdateIntervalMs: 5000 });
      const pwm = () => rig.callsOf('pilotPwmAtAllowed').map((c) => [c.at, c.arg]);
      assert.deepEqual(pwm(), [[0, 16]]);
      await rig.clock.advance(1000);
      rig.send(limit(16));
      assert.equal(rig.count('pilotPwmAtAllowed'), 1, 'same value: no update');
      rig.send(limit(20));
      assert.deepEqual(pwm(), [[0, 16], [1000, 20]]);
      assert.equal(rig.pacing, 'holding');
      await rig.clock.advance(1000);
      rig.send(limit(24));
      await rig.clock.advance(1000);
      rig.send(limit(28));
      assert.equal(rig.context.offeredCurrentA, 20, 'held');
      await rig.clock.advance(2999);
      assert.equal(rig.count('pilotPwmAtAllowed'), 2);
      await rig.clock.advance(1);
      assert.deepEqual(pwm(), [[0, 16], [1000, 20], [6000, 28]]);
      assert.equal(rig.context.offeredCurrentA, 28);
      await rig.clock.advance(20_000);
      assert.equal(rig.count('pilotPwmAtAllowed'), 3, 'nothing more to apply');
      assert.equal(rig.pacing, 'ready');
      assert.equal(rig.state, 'connected.session.energized.charging');
      assert.equal(rig.count('openContactor'), 1, 'only the one from idle: PWM updates never open the contactor');
    });

    it('a held change back to the offered value is not applied', async () => {
      const rig = chargingRig();
      rig.send(limit(20), limit(25), limit(20));
      await rig.clock.advance(5000);
      assert.deepEqual(rig.callsOf('pilotPwmAtAllowed').map((c) => c.arg), [16, 20]);
    });

    it('does not update PWM while it is off', async () => {
      const rig = new Rig().send(...READY).pilot('B');
      rig.send(limit(20), limit(30));
      await rig.clock.advance(10_000);
      assert.equal(rig.count('pilotPwmAtAllowed'), 0);
      assert.equal(rig.pacing, 'ready');
    });
  });

  describe('faults', () => {
    it('while charging: state F, open, stopSession(Fault) for stateFDurationMs, then X1 and unlock', async () => {
      const rig = chargingRig({ stateFDurationMs: 300 });
      rig.io();
      rig.send(FAULT);
      assert.equal(rig.state, 'fault.signalling');
      assert.deepEqual(rig.io(), ['openContactor', 'stopSession(Fault)', 'openContactor', 'pilotError']);
      assert.equal(rig.context.pwmOn, false);
      await rig.clock.advance(299);
      assert.deepEqual(rig.io(), []);
      await rig.clock.advance(1);
      assert.equal(rig.state, 'fault.holding');
      assert.deepEqual(rig.io(), ['pilotHigh', 'unlockConnector']);
    });

    it('an emergency stop ends the session with reason EmergencyStop', () => {
      const rig = chargingRig().send({ type: 'FAULTS', blocking: true, stateF: true, reason: 'EmergencyStop' });
      assert.deepEqual(rig.callsOf('stopSession').map((c) => c.arg), ['EmergencyStop']);
    });

    describe('released emergency stop in free charging: energy again only after a new driver action', () => {
      const ESTOP: ChargingPointEvent = { type: 'FAULTS', blocking: true, stateF: true, reason: 'EmergencyStop' };
      const released = async () => {
        const rig = chargingRig({ freeCharging: true }).send(ESTOP);
        await rig.clock.advance(10_000);
        rig.send(NO_FAULT);
        await rig.clock.advance(60_000);
        return rig;
      };

      it('does not start a session by itself after the release', async () => {
        const rig = await released();
        assert.equal(rig.state, 'connected.awaitingAuthorization');
        assert.equal(rig.count('startSession'), 1);
        assert.equal(rig.count('closeContactor'), 1);
      });

      it('a replug starts one', async () => {
        const rig = await released();
        rig.pilot('A').pilot('B');
        assert.equal(rig.state, 'connected.session.preparing');
        assert.equal(rig.count('startSession'), 2);
      });

      it('a card starts one', async () => {
        const rig = await released();
        rig.send({ type: 'AUTHORIZED', idTag: null });
        assert.equal(rig.state, 'connected.session.preparing');
        assert.equal(rig.count('startSession'), 2);
      });

      it('any other fault clearing in free charging resumes as before (no driver action needed)', async () => {
        const rig = chargingRig({ freeCharging: true }).send(FAULT);
        await rig.clock.advance(10_000);
        rig.send(NO_FAULT);
        assert.equal(rig.count('startSession'), 2);
      });
    });

    it('a fault without state F goes straight to holding', () => {
      const rig = chargingRig();
      rig.io();
      rig.send({ type: 'FAULTS', blocking: true, stateF: false, reason: 'Fault' });
      assert.equal(rig.state, 'fault.holding');
      assert.deepEqual(rig.io(), ['openContactor', 'stopSession(Fault)', 'openContactor', 'pilotHigh', 'unlockConnector']);
    });

    it('cleared with the EV still plugged: back to awaitingAuthorization, the old card does not restart', async () => {
      const rig = chargingRig().send(FAULT);
      rig.send(AUTH);
      assert.equal(rig.state, 'fault.signalling', 'cards are ignored during a fault');
      await rig.clock.advance(2000); // past the contactor's 2 s minimum off time
      rig.io();
      rig.send(NO_FAULT);
      assert.equal(rig.state, 'connected.awaitingAuthorization');
      assert.deepEqual(rig.io(), ['pilotHigh', 'openContactor', 'unlockConnector', 'pilotHigh']);
      assert.equal(rig.context.authorized, false);
      assert.equal(rig.count('startSession'), 1);
      rig.send(AUTH, LOCKED, DIODE);
      assert.equal(rig.state, 'connected.session.energized.charging');
      assert.equal(rig.count('startSession'), 2);
    });

    it('cleared during state F goes to idle at once', () => {
      const rig = new Rig().send(FAULT);
      assert.equal(rig.state, 'fault.signalling');
      rig.send(NO_FAULT);
      assert.equal(rig.state, 'idle.vacant');
    });

    it('a card waiting for the plug is dropped by a fault', () => {
      const rig = new Rig().send(...READY, AUTH, FAULT, NO_FAULT);
      assert.equal(rig.state, 'idle.vacant');
      rig.pilot('B');
      assert.equal(rig.state, 'connected.awaitingAuthorization');
      assert.equal(rig.count('startSession'), 0);
    });

    it('in free charging, a cleared fault starts a new session (no card needed)', () => {
      const rig = chargingRig({ freeCharging: true }).send(FAULT, NO_FAULT);
      assert.equal(rig.state, 'connected.session.preparing');
      assert.deepEqual(rig.callsOf('startSession').map((c) => c.arg), [null, null]);
      assert.deepEqual(rig.callsOf('stopSession').map((c) => c.arg), ['Fault']);
    });
  });
});
