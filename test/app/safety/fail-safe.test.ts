// Software faults fail safe (issue 8 item 3): a driver write that throws inside a machine's action,
// a driver event listener that throws, and an unhandled rejection, each end with every contactor
// open, every control pilot in state F, the fault logged and the exit asked for, non-zero. The
// whole charger runs on the simulated board and a virtual clock; the exit is recorded instead of taken.

import { strict as assert } from 'node:assert';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { ChargerFixture } from '../../support/charger-fixture.js';
import { catchUncaught } from '../../support/uncaught.js';
import { EX_SOFTWARE, bothCharging } from './two-connectors.js';

/** The simulated contactor's drop-out (hal/sim/sim-actuators.ts CONTACTOR_DELAY_MS is 20 ms); a margin over it. */
const DROP_OUT_MS = 50;

async function bothContactsClosed(): Promise<ChargerFixture> {
  const f = await bothCharging();
  assert.deepEqual(f.sim.snapshot().connectors.map((c) => c.contactsClosed), [true, true]);
  return f;
}

/** Every contactor open (the contacts themselves, in the simulated world) and every pilot driving −12 V (state F). */
function assertSafe(f: ChargerFixture): void {
  assert.deepEqual(f.sim.snapshot().connectors.map((c) => c.contactsClosed), [false, false], 'contacts');
  for (const connector of f.board.hardware.connectors) {
    assert.equal(connector.pilot.output.mode, 'error', `connector ${connector.connectorId} pilot output`);
    assert.equal(connector.pilot.read().positiveV, -12, `connector ${connector.connectorId} CP level (state F: −12 V, reference A1)`);
  }
}

describe('fail-safe on a software fault', function () {
  let f: ChargerFixture | null = null;
  afterEach(async () => {
    await f?.dispose();
    f = null;
  });

  it('a CP PWM write that throws during a limit change while charging: every contactor opens, every CP to state F, the fault logged, exit 70', async () => {
    f = await bothContactsClosed();
    f.sim.injectFault(1, 'outputWriteFails'); // the CP driver and the contactor driver of connector 1 now throw
    f.charger.setExternalLimit(1, 10, 'test'); // a lower limit: the machine writes the new PWM duty
    await f.advance(6000 + DROP_OUT_MS); // within the PWM update interval (reference A3: at most one every 5 s)

    assert.deepEqual(f.failSafe!.exits, [EX_SOFTWARE]);
    assert.equal(f.failSafe!.log.length, 1);
    assert.equal(f.failSafe!.log[0]!.source, 'actor');
    assert.match(f.failSafe!.log[0]!.where, /connector 1 charging-point machine/);
    assert.match(f.failSafe!.log[0]!.error, /OutputWriteError/);
    assertSafe(f);

    // The hole the review found: after the EV unplugged, the contactor stayed closed.
    f.sim.unplug(1);
    f.sim.unplug(2);
    await f.advance(1000);
    assertSafe(f);
  });

  it('a contactor coil write that throws while charging: the same', async () => {
    f = await bothContactsClosed();
    f.sim.injectFault(2, 'outputWriteFails');
    f.sim.pauseEv(2); // C→B: the machine opens connector 2's contactor, whose driver throws
    await f.advance(1000);
    assert.deepEqual(f.failSafe!.exits, [EX_SOFTWARE]);
    assert.match(f.failSafe!.log[0]!.where, /connector 2/);
    assertSafe(f);
  });

  it('an unhandled rejection anywhere in the process: the same', async () => {
    f = await bothContactsClosed();
    const uninstall = f.failSafe!.path.install(process);
    try {
      void Promise.reject(new Error('injected: nobody handles this'));
      for (let turn = 0; turn < 100 && f.failSafe!.exits.length === 0; turn += 1) await nextTurn();
    } finally {
      uninstall();
    }
    assert.deepEqual(f.failSafe!.exits, [EX_SOFTWARE]);
    assert.equal(f.failSafe!.log[0]!.source, 'unhandledRejection');
    assert.match(f.failSafe!.log[0]!.error, /injected: nobody handles this/);
    await f.advance(DROP_OUT_MS);
    assertSafe(f);
  });

  it('a driver event listener that throws (hal/listeners.ts): the same, through the uncaught exception', async () => {
    f = await bothContactsClosed();
    // It throws once: the test's exit does not end the process, and the fail-safe's own pilot
    // write would otherwise wake it again, and again.
    const off = f.board.hardware.connectors[0]!.pilot.onLevels(() => {
      off();
      throw new Error('injected: a bug in a pilot listener');
    });
    const uncaught = catchUncaught();
    const uninstall = f.failSafe!.path.install(process);
    try {
      f.sim.pauseEv(1); // C→B: the pilot levels change
      await f.advance(DROP_OUT_MS);
    } finally {
      uninstall();
      uncaught.restore();
    }
    assert.deepEqual(f.failSafe!.exits, [EX_SOFTWARE]);
    assert.equal(f.failSafe!.log[0]!.source, 'uncaughtException');
    assert.match(f.failSafe!.log[0]!.error, /injected: a bug in a pilot listener/);
    assertSafe(f);
  });

  it('an exit by any way de-energizes the coils (the process exit handler)', async () => {
    f = await bothContactsClosed();
    const fakeProcess = new (await import('node:events')).EventEmitter();
    const uninstall = f.failSafe!.path.install(fakeProcess);
    fakeProcess.emit('exit', 0);
    uninstall();
    assert.deepEqual(f.failSafe!.exits, [], 'an exit is no fault: nothing logged, no second exit');
    await f.advance(DROP_OUT_MS);
    assertSafe(f);
  });

  it('an uncaught exception or a fatal signal: the same, once (a second fault while dying exits no second time)', async () => {
    f = await bothContactsClosed();
    const fakeProcess = new (await import('node:events')).EventEmitter();
    const uninstall = f.failSafe!.path.install(fakeProcess);
    fakeProcess.emit('uncaughtException', new TypeError('injected: undefined is not a function'));
    fakeProcess.emit('SIGQUIT', 'SIGQUIT');
    uninstall();
    assert.deepEqual(f.failSafe!.exits, [EX_SOFTWARE]);
    assert.equal(f.failSafe!.log.length, 1);
    assert.equal(f.failSafe!.log[0]!.source, 'uncaughtException');
    await f.advance(DROP_OUT_MS);
    assertSafe(f);
  });

  it('a fatal signal alone', async () => {
    f = await bothContactsClosed();
    const fakeProcess = new (await import('node:events')).EventEmitter();
    const uninstall = f.failSafe!.path.install(fakeProcess);
    fakeProcess.emit('SIGHUP', 'SIGHUP');
    uninstall();
    assert.deepEqual(f.failSafe!.exits, [EX_SOFTWARE]);
    assert.deepEqual([f.failSafe!.log[0]!.source, f.failSafe!.log[0]!.where], ['signal', 'SIGHUP']);
    await f.advance(DROP_OUT_MS);
    assertSafe(f);
  });
});
