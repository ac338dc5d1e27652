// The event-loop watchdog (issue 8 item 4): a stall of the main thread is a real stall (a busy
// wait), so this runs on the real clock, but it asserts on conditions, never on durations: the
// busy wait ends as soon as the coil is seen released by the worker thread (or gives up after a
// bound far above any machine's speed, which then fails the test).

import { strict as assert } from 'node:assert';
import { setTimeout as sleep } from 'node:timers/promises';
import { anyCoilEnergized } from '../../../hal/safe-state.js';
import { LoopWatchdog } from '../../../app/safety/loop-watchdog.js';
import { startCharger, type ChargerFixture } from '../../support/charger-fixture.js';
import { EX_SOFTWARE, TWO_CONNECTORS, bothCharging } from './two-connectors.js';

/** How long the test lets a stall or a recovery run before it calls the watchdog broken (not a timing assertion). */
const GIVE_UP_MS = 10_000;


/** Busy-waits (the event loop is stalled throughout) until `released()` or GIVE_UP_MS. */
function stallUntil(released: () => boolean): boolean {
  const giveUpAt = Date.now() + GIVE_UP_MS;
  while (Date.now() < giveUpAt) if (released()) return true;
  return false;
}

describe('event-loop watchdog', function () {
  this.timeout(30_000);
  let f: ChargerFixture | null = null;
  let watchdog: LoopWatchdog | null = null;
  afterEach(async () => {
    await watchdog?.stop();
    watchdog = null;
    await f?.dispose();
    f = null;
  });

  it('a stalled event loop while charging: the worker de-energizes every coil during the stall, then the main thread fails safe (exit 70, every CP in state F)', async () => {
    f = await bothCharging();
    const coils = f.board.hardware.safeState.coils!;
    assert.equal(anyCoilEnergized(coils), true, 'coils energized before the stall');
    const fixture = f;
    watchdog = await LoopWatchdog.start({
      release: f.board.hardware.safeState,
      onStall: (stall) => fixture.failSafe!.path.trip({ source: 'eventLoopStall', where: 'event loop', error: `stalled (${JSON.stringify(stall)})` }),
    });
    watchdog.arm();

    const releasedDuringStall = stallUntil(() => !anyCoilEnergized(coils));
    assert.equal(releasedDuringStall, true, `the coils were still energized after a ${GIVE_UP_MS} ms stall`);
    assert.equal(stallUntil(() => watchdog!.fired), true, 'the worker raises its flag just after the release');

    // The loop runs again: its next heartbeat sees the watchdog fired and takes the fail-safe path.
    for (const giveUpAt = Date.now() + GIVE_UP_MS; f.failSafe!.exits.length === 0 && Date.now() < giveUpAt;) await sleep(5);
    assert.deepEqual(f.failSafe!.exits, [EX_SOFTWARE]);
    assert.equal(f.failSafe!.log[0]!.source, 'eventLoopStall');

    await f.advance(50); // the simulated contacts follow their coils (20 ms drop-out)
    assert.deepEqual(f.sim.snapshot().connectors.map((c) => c.contactsClosed), [false, false]);
    for (const connector of f.board.hardware.connectors) assert.equal(connector.pilot.read().positiveV, -12, 'state F (reference A1)');
  });

  it('keeps the coils released until the process is gone: a close commanded after the stall does not re-energize', async () => {
    f = await startCharger(TWO_CONNECTORS, { failSafe: true });
    const coils = f.board.hardware.safeState.coils!;
    const contactor = f.board.hardware.connectors[0]!.contactor;
    let stalls = 0;
    watchdog = await LoopWatchdog.start({ release: f.board.hardware.safeState, onStall: () => void (stalls += 1) });
    watchdog.arm();
    stallUntil(() => watchdog!.fired);
    assert.equal(watchdog.fired, true);
    contactor.close(); // a callback that ran before the fail-safe path
    assert.equal(anyCoilEnergized(coils), true);
    for (const giveUpAt = Date.now() + GIVE_UP_MS; anyCoilEnergized(coils) && Date.now() < giveUpAt;) await sleep(5);
    assert.equal(anyCoilEnergized(coils), false, 'the worker released the coil again');
    assert.equal(stalls, 1, 'reported once');
  });

  it('a clean stop ends the worker; nothing is released after it', async () => {
    f = await startCharger(TWO_CONNECTORS, { failSafe: true });
    const coils = f.board.hardware.safeState.coils!;
    watchdog = await LoopWatchdog.start({ release: f.board.hardware.safeState, onStall: () => assert.fail('no stall') });
    watchdog.arm();
    await watchdog.stop();
    f.board.hardware.connectors[0]!.contactor.close();
    const giveUpAt = Date.now() + 200;
    while (Date.now() < giveUpAt); // a stall with no watchdog running
    assert.equal(anyCoilEnergized(coils), true);
    assert.equal(watchdog.fired, false);
  });

  it('is not armed before arm(): a stall while the firmware still starts releases nothing', async () => {
    f = await startCharger(TWO_CONNECTORS, { failSafe: true });
    const coils = f.board.hardware.safeState.coils!;
    watchdog = await LoopWatchdog.start({ release: f.board.hardware.safeState, onStall: () => assert.fail('no stall') });
    f.board.hardware.connectors[0]!.contactor.close();
    const giveUpAt = Date.now() + 500;
    while (Date.now() < giveUpAt); // a stall before arm(), as module loading is at start
    assert.equal(anyCoilEnergized(coils), true);
    assert.equal(watchdog.fired, false);
  });
});
