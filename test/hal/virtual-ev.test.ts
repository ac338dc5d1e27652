import { strict as assert } from 'node:assert';
import { evCurrentFromDuty } from '../../hal/sim/pilot-physics.js';
import { duty, makeBoard, startCharging } from './sim-fixture.js';

describe('virtual EV', () => {
  it('decodes the duty cycle like an EV (A2 EV side)', () => {
    assert.equal(evCurrentFromDuty(5), 0);
    assert.equal(evCurrentFromDuty(7.9), 0);
    assert.equal(evCurrentFromDuty(8), 4.8);
    assert.equal(evCurrentFromDuty(10), 6);
    assert.equal(evCurrentFromDuty(duty(16)), 16);
    assert.equal(evCurrentFromDuty(85), 51);
    assert.equal(evCurrentFromDuty(90), 65);
    assert.equal(evCurrentFromDuty(96.5), 80);
    assert.equal(evCurrentFromDuty(97), 0);
    assert.equal(evCurrentFromDuty(100), 0);
  });

  it('draws the offered current on 3 phases only once the contacts are closed', async () => {
    const f = makeBoard();
    f.sim.plug(1);
    assert.equal(f.snap().evState, 'B');
    f.c1.pilot.setOutput({ mode: 'pwm', dutyPercent: duty(16) });
    await f.clock.advance(1000);
    assert.equal(f.snap().evState, 'C');
    assert.deepEqual(f.snap().drawnCurrentA, [0, 0, 0]);
    f.c1.contactor.close();
    await f.clock.advance(19);
    assert.deepEqual(f.snap().drawnCurrentA, [0, 0, 0]);
    await f.clock.advance(1);
    assert.deepEqual(f.snap().drawnCurrentA, [16, 16, 16]);
    assert.equal(f.snap().contactsClosed, true);
    f.board.stop();
  });

  it('does not wake below 6 A or without PWM', async () => {
    const f = makeBoard();
    f.sim.plug(1);
    await f.clock.advance(5000);
    assert.equal(f.snap().evState, 'B');
    f.c1.pilot.setOutput({ mode: 'pwm', dutyPercent: 5 });
    await f.clock.advance(5000);
    assert.equal(f.snap().evState, 'B');
    f.board.stop();
  });

  it('never draws more than its charger takes', async () => {
    const f = makeBoard();
    await startCharging(f, 32, { maxCurrentA: 10 });
    assert.deepEqual(f.snap().drawnCurrentA, [10, 10, 10]);
    f.board.stop();
  });

  it('follows a new PWM limit only after followDelayMs', async () => {
    const f = makeBoard();
    await startCharging(f, 16);
    f.c1.pilot.setOutput({ mode: 'pwm', dutyPercent: duty(10) });
    await f.clock.advance(1999);
    assert.deepEqual(f.snap().drawnCurrentA, [16, 16, 16]);
    await f.clock.advance(1);
    assert.deepEqual(f.snap().drawnCurrentA, [10, 10, 10]);
    f.sim.setEv(1, { followDelayMs: 500 });
    f.c1.pilot.setOutput({ mode: 'pwm', dutyPercent: duty(20) });
    await f.clock.advance(499);
    assert.deepEqual(f.snap().drawnCurrentA, [10, 10, 10]);
    await f.clock.advance(1);
    assert.deepEqual(f.snap().drawnCurrentA, [20, 20, 20]);
    f.board.stop();
  });

  it('ignores the PWM limit when told to', async () => {
    const f = makeBoard();
    await startCharging(f, 16, { ignorePwm: true });
    assert.deepEqual(f.snap().drawnCurrentA, [32, 32, 32]);
    f.board.stop();
  });

  it('draws on L1 only for a 1-phase EV, or on a 1-phase connector', async () => {
    const f = makeBoard();
    await startCharging(f, 16, { phases: 1 });
    assert.deepEqual(f.snap().drawnCurrentA, [16, 0, 0]);
    f.board.stop();

    const g = makeBoard([{ connectorId: 1, kind: 'tethered', phases: 1, cableRatingA: 32 }]);
    await startCharging(g, 16);
    assert.deepEqual(g.snap().drawnCurrentA, [16, 0, 0]);
    assert.equal(g.snap().cableRatingA, 32);
    assert.equal(g.c1.proximity, null);
    assert.equal(g.c1.lock, null);
    g.board.stop();
  });

  it('drops its current when the PWM is removed and goes to B within 3 s', async () => {
    const f = makeBoard();
    await startCharging(f, 16, { followDelayMs: 5000 });
    f.c1.pilot.setOutput({ mode: 'high' });
    assert.deepEqual(f.snap().drawnCurrentA, [0, 0, 0]);
    assert.equal(f.snap().evState, 'C');
    await f.clock.advance(2999);
    assert.equal(f.snap().evState, 'C');
    await f.clock.advance(1);
    assert.equal(f.snap().evState, 'B');
    f.board.stop();
  });

  it('goes back to B and stays there when the battery reaches the target', async () => {
    const f = makeBoard();
    // 3 × 230 V × 16 A = 11.04 kW: 1 % of 1 kWh takes ≈3.3 s.
    await startCharging(f, 16, { batteryCapacityWh: 1000, socPercent: 50, targetSocPercent: 51 });
    assert.equal(f.snap().evState, 'C');
    await f.clock.advance(3000);
    assert.equal(f.snap().evState, 'C');
    await f.clock.advance(500);
    assert.equal(f.snap().evState, 'B');
    assert.deepEqual(f.snap().drawnCurrentA, [0, 0, 0]);
    assert.ok(f.snap().ev!.socPercent >= 51);
    await f.clock.advance(10000);
    assert.equal(f.snap().evState, 'B');
    f.board.stop();
  });

  it('pauses and resumes', async () => {
    const f = makeBoard();
    await startCharging(f, 16);
    f.sim.pauseEv(1);
    assert.equal(f.snap().evState, 'B');
    assert.equal(f.snap().evPaused, true);
    assert.deepEqual(f.snap().drawnCurrentA, [0, 0, 0]);
    await f.clock.advance(5000);
    assert.equal(f.snap().evState, 'B');
    f.sim.resumeEv(1);
    assert.equal(f.snap().evState, 'C');
    assert.deepEqual(f.snap().drawnCurrentA, [16, 16, 16]);
    f.board.stop();
  });

  it('over-draws while evOverdraw is injected', async () => {
    const f = makeBoard();
    await startCharging(f, 16);
    f.sim.injectFault(1, 'evOverdraw');
    assert.deepEqual(f.snap().drawnCurrentA, [26, 26, 26]);
    f.sim.injectFault(1, 'evOverdraw', { overdrawA: 4 });
    assert.deepEqual(f.snap().drawnCurrentA, [20, 20, 20]);
    f.sim.clearFault(1, 'evOverdraw');
    assert.deepEqual(f.snap().drawnCurrentA, [16, 16, 16]);
    f.board.stop();
  });

  it('over-draws on one phase alone when told which', async () => {
    const f = makeBoard();
    await startCharging(f, 16, { overdrawA: 3, overdrawPhase: 3 });
    assert.deepEqual(f.snap().drawnCurrentA, [16, 16, 19]);
    f.sim.injectFault(1, 'evOverdraw', { overdrawA: 4, overdrawPhase: 2 });
    assert.deepEqual(f.snap().drawnCurrentA, [16, 20, 16]);
    f.sim.clearFault(1, 'evOverdraw');
    assert.deepEqual(f.snap().drawnCurrentA, [16, 16, 19]);
    f.sim.setEv(1, { overdrawPhase: 'all' });
    assert.deepEqual(f.snap().drawnCurrentA, [19, 19, 19]);
    assert.throws(() => f.sim.setEv(1, { overdrawPhase: 4 as never }), /overdrawPhase/);
    assert.throws(() => f.sim.injectFault(1, 'evOverdraw', { overdrawPhase: 0 as never }), /overdrawPhase/);
    f.board.stop();
  });

  it('unplugs to A with no cable and no current', async () => {
    const f = makeBoard();
    await startCharging(f, 16, {});
    assert.deepEqual(f.c1.proximity!.read(), { kind: 'cable', ratingA: 32, ohms: 220 });
    f.sim.unplug(1);
    const snap = f.snap();
    assert.equal(snap.evState, 'A');
    assert.equal(snap.plugged, false);
    assert.equal(snap.cableRatingA, null);
    assert.deepEqual(snap.drawnCurrentA, [0, 0, 0]);
    assert.deepEqual(f.c1.proximity!.read(), { kind: 'noCable' });
    assert.equal(f.c1.pilot.read().positiveV, 12);
    f.board.stop();
  });

  it('plugs cables of any rating, and an invalid one', () => {
    const f = makeBoard();
    const seen: string[] = [];
    f.c1.proximity!.onChange((r) => seen.push(r.kind));
    f.sim.plug(1, { cableRatingA: 13 });
    assert.equal(f.snap().cableRatingA, 13);
    f.sim.unplug(1);
    f.sim.plug(1, { cableOhms: 20 });
    assert.deepEqual(f.c1.proximity!.read(), { kind: 'invalid', ohms: 20 });
    assert.equal(f.snap().cableRatingA, null);
    assert.deepEqual(seen, ['cable', 'noCable', 'invalid']);
    assert.throws(() => f.sim.plug(1), /already/);
    f.board.stop();
  });

  it('rejects bad EV parameters and EV commands without an EV', () => {
    const f = makeBoard();
    assert.throws(() => f.sim.pauseEv(1), /no EV/);
    assert.throws(() => f.sim.plug(1, { ev: { phases: 2 as 1 } }), /phases/);
    assert.equal(f.snap().plugged, false);
    f.sim.plug(1);
    assert.throws(() => f.sim.setEv(1, { socPercent: 120 }), /socPercent/);
    f.board.stop();
  });
  it('shows the cable on PP before the EV on CP, and takes EV changes live', async () => {
    const f = makeBoard();
    const order: string[] = [];
    f.c1.proximity!.onChange((r) => order.push(`PP ${r.kind}`));
    f.c1.pilot.onLevels((l) => order.push(`CP ${l.positiveV.toFixed(1)}`));
    f.sim.plug(1, { ev: { phases: undefined, bogus: 1 } as never });
    f.sim.unplug(1);
    assert.deepEqual(order, ['PP cable', 'CP 8.8', 'CP 12.0', 'PP noCable']);
    await startCharging(f, 16);
    assert.equal(f.snap().ev!.phases, 3);
    assert.equal('bogus' in f.snap().ev!, false);
    f.sim.setEv(1, { requestsVentilation: true });
    assert.equal(f.snap().evState, 'D');
    f.sim.setEv(1, { maxCurrentA: 8 });
    assert.deepEqual(f.snap().drawnCurrentA, [8, 8, 8]);
    f.board.stop();
  });
});
