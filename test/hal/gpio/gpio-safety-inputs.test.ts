import { strict as assert } from 'node:assert';
import { GpioEmergencyStop, GpioGroundMonitor, GpioResidualCurrentMonitor } from '../../../hal/gpio/gpio-safety-inputs.js';
import type { ResidualCurrentTrip } from '../../../hal/interfaces.js';
import { gpioRig } from './rig.js';

describe('GPIO emergency stop (fail-safe)', () => {
  it('healthy chain asserted = not pressed; pressing opens it', async () => {
    const rig = gpioRig();
    rig.onoff.setLevel(2, 1);
    const stop = new GpioEmergencyStop(await rig.input(2, 10));
    const seen: boolean[] = [];
    stop.onChange((p) => seen.push(p));
    assert.equal(stop.isPressed(), false);
    rig.onoff.setLevel(2, 0);
    await rig.clock.advance(10);
    assert.equal(stop.isPressed(), true);
    rig.onoff.setLevel(2, 1);
    await rig.clock.advance(10);
    assert.deepEqual(seen, [true, false]);
  });

  it('a broken wire or an unpowered chain reads as pressed, from the start', async () => {
    const rig = gpioRig();
    const stop = new GpioEmergencyStop(await rig.input(2, 10)); // nothing drives the line: 0
    assert.equal(stop.isPressed(), true);
  });

  it('active-low wiring: the healthy chain pulls the pin low', async () => {
    const rig = gpioRig();
    rig.onoff.setLevel(2, 0);
    const stop = new GpioEmergencyStop(await rig.input(2, 0, true));
    assert.equal(stop.isPressed(), false);
    rig.onoff.setLevel(2, 1); // a cut wire floats up to the pull-up
    assert.equal(stop.isPressed(), true);
  });
});

describe('GPIO ground monitor (fail-safe)', () => {
  it('PE present while asserted; a lost PE or a broken wire reads absent', async () => {
    const rig = gpioRig();
    rig.onoff.setLevel(3, 1);
    const ground = new GpioGroundMonitor(await rig.input(3, 5));
    const seen: boolean[] = [];
    ground.onChange((p) => seen.push(p));
    assert.equal(ground.isPresent(), true);
    rig.onoff.setLevel(3, 0);
    await rig.clock.advance(5);
    assert.equal(ground.isPresent(), false);
    assert.deepEqual(seen, [false]);
  });

  it('unpowered monitor: absent from the start', async () => {
    const rig = gpioRig();
    assert.equal(new GpioGroundMonitor(await rig.input(3)).isPresent(), false);
  });
});

const AC = 40;
const DC = 41;
const TEST = 42;

/** An RDC-DD module: healthy outputs high; the test coil trips AC (and DC when told) after tripMs; recovers releaseMs after. */
async function rcdRig(module: { tripMs?: number | null; tripsDc?: boolean; releaseMs?: number | null; powered?: boolean } = {}) {
  const rig = gpioRig();
  const { tripMs = 30, tripsDc = false, releaseMs = 20, powered = true } = module;
  rig.onoff.setLevel(AC, powered ? 1 : 0);
  rig.onoff.setLevel(DC, powered ? 1 : 0);
  rig.onoff.onWrite((event) => {
    if (event.line !== TEST) return;
    if (rig.onoff.isAsserted(TEST)) {
      if (tripMs === null) return;
      rig.clock.setTimeout(() => {
        rig.onoff.setLevel(AC, 0);
        if (tripsDc) rig.onoff.setLevel(DC, 0);
      }, tripMs);
    } else if (releaseMs !== null) {
      rig.clock.setTimeout(() => {
        rig.onoff.setLevel(AC, 1);
        rig.onoff.setLevel(DC, 1);
      }, releaseMs);
    }
  });
  const lines = { acHealthy: await rig.input(AC, 5), dcHealthy: await rig.input(DC, 5), testCoil: await rig.output(TEST) };
  const rcd = new GpioResidualCurrentMonitor(lines, rig.clock, { selfTestTripWithinMs: 100, selfTestReleaseWithinMs: 100 });
  const trips: (ResidualCurrentTrip | null)[] = [];
  rcd.onTrip((t) => trips.push(t));
  return { rig, rcd, trips };
}

describe('GPIO residual current monitor', () => {
  it('reports AC and DC trips; DC wins when both trip', async () => {
    const { rig, rcd, trips } = await rcdRig();
    assert.equal(rcd.readTrip(), null);
    rig.onoff.setLevel(AC, 0);
    await rig.clock.advance(5);
    assert.equal(rcd.readTrip(), 'ac');
    rig.onoff.setLevel(DC, 0);
    await rig.clock.advance(5);
    assert.equal(rcd.readTrip(), 'dc');
    rig.onoff.setLevel(AC, 1);
    rig.onoff.setLevel(DC, 1);
    await rig.clock.advance(5);
    assert.deepEqual(trips, ['ac', 'dc', null]);
  });

  it('fail-safe: an unpowered module or broken wires read as tripped (DC)', async () => {
    const { rcd } = await rcdRig({ powered: false });
    assert.equal(rcd.readTrip(), 'dc');
  });

  it('self-test passes when the AC output trips and both recover in time', async () => {
    const { rig, rcd, trips } = await rcdRig({ tripsDc: true });
    const result = rcd.selfTest();
    assert.equal(rig.onoff.isAsserted(TEST), true, 'test coil energised');
    await rig.clock.advance(300);
    assert.equal(await result, true);
    assert.equal(rig.onoff.isAsserted(TEST), false, 'test coil released');
    assert.deepEqual(trips, [], "the test's own trips are not reported");
    assert.equal(rcd.readTrip(), null);
  });

  it('self-test fails when the module does not trip within the limit (and releases the coil)', async () => {
    const { rig, rcd } = await rcdRig({ tripMs: null });
    const result = rcd.selfTest();
    await rig.clock.advance(99);
    assert.equal(rig.onoff.isAsserted(TEST), true);
    await rig.clock.advance(1);
    assert.equal(await result, false);
    assert.equal(rig.onoff.isAsserted(TEST), false);
  });

  it('self-test fails when the trip comes too late', async () => {
    const { rig, rcd } = await rcdRig({ tripMs: 150 });
    const result = rcd.selfTest();
    await rig.clock.advance(400);
    assert.equal(await result, false);
  });

  it('self-test fails when the module does not recover after the release, and the trip is then reported', async () => {
    const { rig, rcd, trips } = await rcdRig({ releaseMs: null });
    const result = rcd.selfTest();
    await rig.clock.advance(300);
    assert.equal(await result, false);
    assert.equal(rcd.readTrip(), 'ac');
    assert.deepEqual(trips, ['ac']);
  });

  it('self-test fails at once on a module already tripped', async () => {
    const { rig, rcd } = await rcdRig({ powered: false });
    assert.equal(await rcd.selfTest(), false);
    assert.equal(rig.onoff.isAsserted(TEST), false);
  });

  it('concurrent calls share one test; it never rejects, even when the coil cannot be driven', async () => {
    const { rig, rcd } = await rcdRig();
    rig.onoff.failWrites(TEST);
    const a = rcd.selfTest();
    const b = rcd.selfTest();
    assert.equal(a, b);
    await rig.clock.advance(300);
    assert.equal(await a, false);
  });

  it('close ends a running test as failed and clears its timers', async () => {
    const { rig, rcd } = await rcdRig({ tripMs: null });
    const result = rcd.selfTest();
    await rig.clock.advance(10);
    rcd.close();
    assert.equal(await result, false);
    assert.equal(rig.onoff.isAsserted(TEST), false);
    await rig.clock.advance(50); // lets the modelled module's own release timers run out
    assert.equal(rig.clock.pendingTimers, 0);
  });
});
