import { strict as assert } from 'node:assert';
import type { PilotLevels } from '../../hal/interfaces.js';
import { duty, makeBoard, near } from './sim-fixture.js';

const B_V = (12 * 2740) / 3740; // A1: R2 2.74 kΩ against 1 kΩ source
const C_OHMS = (2740 * 1300) / 4040;
const C_V = (12 * C_OHMS) / (C_OHMS + 1000);
const D_V = (12 * 240) / 1240;

function assertLevels(actual: PilotLevels, positiveV: number, negativeV: number | null): void {
  assert.ok(near(actual.positiveV, positiveV), `positive ${actual.positiveV} ≠ ${positiveV}`);
  if (negativeV === null) assert.equal(actual.negativeV, null);
  else assert.ok(actual.negativeV !== null && near(actual.negativeV, negativeV), `negative ${actual.negativeV} ≠ ${negativeV}`);
}

describe('sim control pilot', () => {
  it('reads A, B, C with a working diode', async () => {
    const f = makeBoard();
    const cp = f.c1.pilot;
    assert.deepEqual(cp.output, { mode: 'high' });
    assertLevels(cp.read(), 12, null);
    f.sim.plug(1);
    assertLevels(cp.read(), 8.79, null);
    assert.ok(near(cp.read().positiveV, B_V, 1e-9));
    cp.setOutput({ mode: 'pwm', dutyPercent: duty(16) });
    assertLevels(cp.read(), B_V, -12);
    await f.clock.advance(999);
    assert.equal(f.snap().evState, 'B');
    await f.clock.advance(1);
    assert.equal(f.snap().evState, 'C');
    assertLevels(cp.read(), 5.62, -12);
    assert.ok(near(cp.read().positiveV, C_V, 1e-9));
    f.board.stop();
  });

  it('reads D when the EV asks for ventilation', async () => {
    const f = makeBoard();
    f.sim.plug(1, { ev: { requestsVentilation: true } });
    f.c1.pilot.setOutput({ mode: 'pwm', dutyPercent: duty(16) });
    await f.clock.advance(1000);
    assert.equal(f.snap().evState, 'D');
    assertLevels(f.c1.pilot.read(), D_V, -12);
    assert.ok(near(D_V, 2.32));
    f.board.stop();
  });

  it('makes the low level symmetric without the diode (EV parameter or fault)', async () => {
    const f = makeBoard();
    f.sim.plug(1, { ev: { hasDiode: false } });
    f.c1.pilot.setOutput({ mode: 'pwm', dutyPercent: duty(16) });
    assertLevels(f.c1.pilot.read(), B_V, -B_V);
    await f.clock.advance(1000);
    assertLevels(f.c1.pilot.read(), C_V, -C_V);
    f.sim.setEv(1, { hasDiode: true });
    assertLevels(f.c1.pilot.read(), C_V, -12);
    f.sim.injectFault(1, 'diodeMissing');
    assertLevels(f.c1.pilot.read(), C_V, -C_V);
    assert.deepEqual(f.snap().faults, ['diodeMissing']);
    f.sim.clearFault(1, 'diodeMissing');
    assertLevels(f.c1.pilot.read(), C_V, -12);
    f.board.stop();
  });

  it('reads −12 V in state F and the EV goes to B at once', async () => {
    const f = makeBoard();
    f.sim.plug(1);
    f.c1.pilot.setOutput({ mode: 'pwm', dutyPercent: duty(16) });
    await f.clock.advance(1000);
    f.c1.contactor.close();
    await f.clock.advance(20);
    assert.deepEqual(f.snap().drawnCurrentA, [16, 16, 16]);
    f.c1.pilot.setOutput({ mode: 'error' });
    assertLevels(f.c1.pilot.read(), -12, null);
    assert.equal(f.snap().evState, 'B');
    assert.deepEqual(f.snap().drawnCurrentA, [0, 0, 0]);
    f.c1.pilot.setOutput({ mode: 'high' });
    assertLevels(f.c1.pilot.read(), B_V, null);
    f.board.stop();
  });

  it('reads ≈0 V when the CP is shorted to ground', async () => {
    const f = makeBoard();
    f.sim.plug(1);
    f.c1.pilot.setOutput({ mode: 'pwm', dutyPercent: duty(16) });
    await f.clock.advance(1000);
    f.sim.injectFault(1, 'cpShortToGround');
    assertLevels(f.c1.pilot.read(), 0, 0);
    f.c1.pilot.setOutput({ mode: 'high' });
    assertLevels(f.c1.pilot.read(), 0, null);
    f.sim.clearFault(1, 'cpShortToGround');
    assertLevels(f.c1.pilot.read(), B_V, null);
    f.board.stop();
  });

  it('reads open (A) and reports no ground on PE loss', async () => {
    const f = makeBoard();
    const ground: boolean[] = [];
    f.board.hardware.groundMonitor.onChange((present) => ground.push(present));
    f.sim.plug(1);
    f.c1.pilot.setOutput({ mode: 'pwm', dutyPercent: duty(16) });
    assert.equal(f.board.hardware.groundMonitor.isPresent(), true);
    f.sim.injectFault(null, 'peLoss');
    assertLevels(f.c1.pilot.read(), 12, -12);
    assert.equal(f.board.hardware.groundMonitor.isPresent(), false);
    assert.equal(f.sim.snapshot().groundPresent, false);
    f.sim.clearFault(null, 'peLoss');
    assert.equal(f.board.hardware.groundMonitor.isPresent(), true);
    assertLevels(f.c1.pilot.read(), B_V, -12);
    assert.deepEqual(ground, [false, true]);
    f.board.stop();
  });

  it('recovers from a glitch by itself', async () => {
    const f = makeBoard();
    f.sim.plug(1);
    f.c1.pilot.setOutput({ mode: 'high' });
    const seen: PilotLevels[] = [];
    f.c1.pilot.onLevels((levels) => seen.push(levels));
    f.sim.injectFault(1, 'cpGlitch');
    assertLevels(f.c1.pilot.read(), 0, null);
    assert.deepEqual(f.snap().faults, ['cpGlitch']);
    await f.clock.advance(19);
    assertLevels(f.c1.pilot.read(), 0, null);
    await f.clock.advance(1);
    assertLevels(f.c1.pilot.read(), B_V, null);
    assert.deepEqual(f.snap().faults, []);
    assert.equal(seen.length, 2);
    assert.equal(f.snap().evState, 'B');

    f.sim.injectFault(1, 'cpGlitch', { glitchLevelV: 4.5, durationMs: 50 });
    assertLevels(f.c1.pilot.read(), 4.5, null);
    await f.clock.advance(49);
    assertLevels(f.c1.pilot.read(), 4.5, null);
    await f.clock.advance(1);
    assertLevels(f.c1.pilot.read(), B_V, null);
    f.board.stop();
  });

  it('notifies once per setOutput, even when the levels do not change', () => {
    const f = makeBoard();
    let calls = 0;
    f.c1.pilot.onLevels(() => calls++);
    f.c1.pilot.setOutput({ mode: 'high' });
    assert.equal(calls, 1);
    f.sim.plug(1); // A → B
    assert.equal(calls, 2);
    f.c1.pilot.setOutput({ mode: 'pwm', dutyPercent: 50 });
    assert.equal(calls, 3);
    f.c1.pilot.setOutput({ mode: 'error' });
    assert.equal(calls, 4);
    f.sim.unplug(1);
    assert.equal(calls, 4); // F reads −12 V with or without an EV
    f.c1.pilot.setOutput({ mode: 'high' });
    assertLevels(f.c1.pilot.read(), 12, null);
    assert.throws(() => f.c1.pilot.setOutput({ mode: 'pwm', dutyPercent: 101 }), RangeError);
    f.board.stop();
  });
});
