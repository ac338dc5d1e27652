import { strict as assert } from 'node:assert';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { MeterCommunicationError, type MeterReading, type SwitchPosition } from '../../hal/interfaces.js';
import { catchUncaught } from '../support/uncaught.js';
import { makeBoard, near, startCharging } from './sim-fixture.js';

/** Starts a read and tells whether it has settled, without awaiting it. */
function track<T>(promise: Promise<T>): { settled: () => boolean; result: Promise<T> } {
  let done = false;
  const result = promise.finally(() => {
    done = true;
  });
  result.catch(() => {});
  return { settled: () => done, result };
}

describe('sim energy meter', () => {
  it('answers after 20 ms with the mains and what the EV draws', async () => {
    const f = makeBoard();
    await startCharging(f, 16);
    const read = track(f.c1.meter.read());
    await f.clock.advance(19);
    assert.equal(read.settled(), false);
    await f.clock.advance(1);
    const reading: MeterReading = await read.result;
    assert.deepEqual(reading.phases[0], { voltageV: 230, currentA: 16, powerW: 3680 });
    assert.equal(reading.totalPowerW, 3 * 3680);
    assert.equal(reading.frequencyHz, 50);
    f.sim.setMainsVoltage([220, 230, 240]);
    const next = f.c1.meter.read();
    await f.clock.advance(20);
    assert.deepEqual((await next).phases.map((p) => p.voltageV), [220, 230, 240]);
    f.board.stop();
  });

  it('counts energy only while the contacts are closed, as V × I × t', async () => {
    const f = makeBoard();
    const readNow = async (): Promise<number> => {
      const p = f.c1.meter.read();
      await f.clock.advance(20);
      return (await p).importEnergyWh;
    };
    f.sim.plug(1);
    f.c1.pilot.setOutput({ mode: 'pwm', dutyPercent: 16 / 0.6 });
    await f.clock.advance(1000);
    const start = await readNow();
    assert.equal(start, 1000);
    await f.clock.advance(5000); // in C, contacts open
    assert.equal(await readNow(), start);
    f.c1.contactor.close();
    await f.clock.advance(20);
    const closedAt = await readNow();
    await f.clock.advance(60_000 - 20);
    const after = await readNow(); // 60 s closed
    const expected = (3 * 230 * 16 * 60) / 3600; // 184 Wh
    assert.ok(near(after - closedAt, expected, 0.5), `${after - closedAt} Wh ≠ ${expected} Wh`);
    f.c1.contactor.open();
    await f.clock.advance(20);
    const opened = await readNow();
    await f.clock.advance(10_000);
    assert.equal(await readNow(), opened);
    f.board.stop();
  });

  it('rejects after a 200 ms timeout on communication loss', async () => {
    const f = makeBoard();
    f.sim.injectFault(1, 'meterCommLoss');
    const read = track(f.c1.meter.read());
    await f.clock.advance(199);
    assert.equal(read.settled(), false);
    await f.clock.advance(1);
    await assert.rejects(read.result, MeterCommunicationError);
    f.sim.clearFault(1, 'meterCommLoss');
    const ok = f.c1.meter.read();
    await f.clock.advance(20);
    assert.equal((await ok).importEnergyWh, 1000);
    f.board.stop();
  });
});

describe('sim contactor and lock', () => {
  it('mirror contact follows the command after 20 ms', async () => {
    const f = makeBoard();
    const k = f.c1.contactor;
    const seen: SwitchPosition[] = [];
    k.onFeedback((p) => seen.push(p));
    k.close();
    assert.equal(k.commanded, 'closed');
    assert.equal(k.readFeedback(), 'open');
    await f.clock.advance(20);
    assert.equal(k.readFeedback(), 'closed');
    k.open();
    await f.clock.advance(20);
    assert.equal(k.readFeedback(), 'open');
    assert.deepEqual(seen, ['closed', 'open']);
    f.board.stop();
  });

  it('stays closed when welded, and the meter keeps counting', async () => {
    const f = makeBoard();
    await startCharging(f, 16);
    f.sim.injectFault(1, 'contactorWelded');
    f.c1.contactor.open();
    await f.clock.advance(1000);
    assert.equal(f.c1.contactor.commanded, 'open');
    assert.equal(f.c1.contactor.readFeedback(), 'closed');
    assert.equal(f.snap().contactsClosed, true);
    assert.deepEqual(f.snap().drawnCurrentA, [16, 16, 16]);
    f.sim.clearFault(1, 'contactorWelded');
    await f.clock.advance(20);
    assert.equal(f.c1.contactor.readFeedback(), 'open');
    f.board.stop();
  });

  it('welds at the next close when injected while open', async () => {
    const f = makeBoard();
    const k = f.c1.contactor;
    f.sim.injectFault(1, 'contactorWelded');
    k.close();
    await f.clock.advance(20);
    assert.equal(k.readFeedback(), 'closed');
    k.open();
    await f.clock.advance(100);
    assert.equal(k.readFeedback(), 'closed');
    f.board.stop();
  });

  it('stays open when it will not close', async () => {
    const f = makeBoard();
    const k = f.c1.contactor;
    f.sim.injectFault(1, 'contactorWontClose');
    k.close();
    await f.clock.advance(100);
    assert.equal(k.commanded, 'closed');
    assert.equal(k.readFeedback(), 'open');
    f.board.stop();
  });

  it('lock follows after 200 ms, and not at all with lockFailure', async () => {
    const f = makeBoard();
    const lock = f.c1.lock!;
    lock.lock();
    await f.clock.advance(199);
    assert.equal(lock.readFeedback(), 'unlocked');
    await f.clock.advance(1);
    assert.equal(lock.readFeedback(), 'locked');
    f.sim.injectFault(1, 'lockFailure');
    lock.unlock();
    await f.clock.advance(1000);
    assert.equal(lock.commanded, 'unlocked');
    assert.equal(lock.readFeedback(), 'locked');
    f.board.stop();
  });
});

describe('sim residual current monitor', () => {
  it('trips synchronously and clears', () => {
    const f = makeBoard();
    const rcd = f.c1.residualCurrent;
    const seen: (string | null)[] = [];
    rcd.onTrip((t) => seen.push(t));
    f.sim.injectFault(1, 'rcdTripAc');
    assert.equal(rcd.readTrip(), 'ac');
    f.sim.clearFault(1, 'rcdTripAc');
    f.sim.injectFault(1, 'rcdTripDc');
    assert.equal(rcd.readTrip(), 'dc');
    f.sim.clearFault(1, 'rcdTripDc');
    assert.equal(rcd.readTrip(), null);
    assert.deepEqual(seen, ['ac', null, 'dc', null]);
    f.board.stop();
  });

  it('a trip reaches every listener even when one throws; the error reaches the process uncaught (hal/listeners.ts)', async () => {
    const f = makeBoard();
    const rcd = f.c1.residualCurrent;
    const seen: (string | null)[] = [];
    rcd.onTrip(() => {
      throw new Error('listener bug');
    });
    rcd.onTrip((t) => seen.push(t));
    const uncaught = catchUncaught();
    try {
      assert.doesNotThrow(() => f.sim.injectFault(1, 'rcdTripAc'), 'not into the simulation control');
      assert.deepEqual(seen, ['ac']);
      await nextTurn();
    } finally {
      uncaught.restore();
    }
    assert.deepEqual(uncaught.errors.map(String), ['Error: listener bug']);
    f.board.stop();
  });

  it('self-test passes after 100 ms, fails with rcdSelfTestFail', async () => {
    const f = makeBoard();
    const rcd = f.c1.residualCurrent;
    const pass = track(rcd.selfTest());
    await f.clock.advance(99);
    assert.equal(pass.settled(), false);
    await f.clock.advance(1);
    assert.equal(await pass.result, true);
    f.sim.injectFault(1, 'rcdSelfTestFail');
    const fail = rcd.selfTest();
    await f.clock.advance(100);
    assert.equal(await fail, false);
    f.board.stop();
  });
});

describe('sim station devices', () => {
  it('temperatures, emergency stop, card reader, LED and display', () => {
    const f = makeBoard();
    const hw = f.board.hardware;
    const temps: (number | null)[] = [];
    f.c1.socketTemperature.onChange((t) => temps.push(t));
    assert.equal(f.c1.socketTemperature.read(), 25);
    f.sim.injectFault(1, 'overTemperature', { temperatureC: 72 });
    assert.equal(f.c1.socketTemperature.read(), 72);
    assert.equal(f.snap().socketTemperatureC, 72);
    f.sim.clearFault(1, 'overTemperature');
    assert.deepEqual(temps, [72, 25]);
    f.sim.injectFault(null, 'overTemperature', { location: 'enclosure', temperatureC: 90 });
    assert.equal(hw.enclosureTemperature.read(), 90);
    assert.equal(f.sim.snapshot().enclosureTemperatureC, 90);
    f.sim.clearFault(null, 'overTemperature');
    assert.equal(hw.enclosureTemperature.read(), 25);

    const stops: boolean[] = [];
    hw.emergencyStop.onChange((p) => stops.push(p));
    f.sim.injectFault(null, 'emergencyStop');
    assert.equal(hw.emergencyStop.isPressed(), true);
    f.sim.clearFault(null, 'emergencyStop');
    assert.deepEqual(stops, [true, false]);

    const cards: string[] = [];
    hw.rfid.onCard((c) => cards.push(c.uid));
    f.sim.presentCard('04a1b2c3');
    assert.deepEqual(cards, ['04A1B2C3']);

    f.c1.led.set('green', 'slow');
    assert.equal(f.c1.led.color, 'green');
    assert.equal(f.c1.led.blink, 'slow');
    hw.display.show(['Charging 11.0 kW at connector 1', 'b', 'c', 'd', 'e']);
    assert.deepEqual(hw.display.lines, ['Charging 11.0 kW at ', 'b', 'c', 'd']);
    f.board.stop();
  });
});

describe('sim board control', () => {
  it('rejects a wrong connector/fault combination', () => {
    const f = makeBoard();
    assert.throws(() => f.sim.injectFault(1, 'emergencyStop'), /station-wide/);
    assert.throws(() => f.sim.injectFault(1, 'peLoss'), /station-wide/);
    assert.throws(() => f.sim.injectFault(null, 'contactorWelded'), /needs a connector id/);
    assert.throws(() => f.sim.injectFault(null, 'overTemperature'), /socket needs a connector id/);
    assert.throws(() => f.sim.injectFault(1, 'overTemperature', { location: 'enclosure' }), /station-wide/);
    assert.throws(() => f.sim.injectFault(9, 'rcdTripAc'), /unknown connector 9/);
    assert.throws(() => f.sim.injectFault(1, 'melted' as 'peLoss'), /unknown fault/);
    assert.throws(() => f.sim.clearFault(null, 'lockFailure'), /needs a connector id/);
    assert.throws(() => f.sim.injectFault(1, 'evOverdraw', { overdrawA: -1 }), /overdrawA/);
    f.board.stop();

    const t = makeBoard([{ connectorId: 1, kind: 'tethered', phases: 3, cableRatingA: 20 }]);
    assert.throws(() => t.sim.injectFault(1, 'lockFailure'), /no lock/);
    t.board.stop();
  });

  it('gives a JSON-serialisable snapshot', async () => {
    const f = makeBoard([
      { connectorId: 1, kind: 'socket', phases: 3 },
      { connectorId: 2, kind: 'tethered', phases: 1, cableRatingA: 32 },
    ]);
    await startCharging(f, 16);
    f.sim.injectFault(1, 'rcdSelfTestFail');
    const snap = f.sim.snapshot();
    assert.deepEqual(JSON.parse(JSON.stringify(snap)), snap);
    assert.deepEqual(snap.mainsVoltageV, [230, 230, 230]);
    assert.equal(snap.connectors.length, 2);
    assert.deepEqual(snap.connectors[0]!.faults, ['rcdSelfTestFail']);
    assert.equal(snap.connectors[0]!.ev!.phases, 3);
    assert.equal(snap.connectors[1]!.evState, 'A');
    f.board.stop();
  });

  it('close() clears every timer', async () => {
    const f = makeBoard();
    await startCharging(f, 16);
    f.c1.pilot.setOutput({ mode: 'pwm', dutyPercent: 10 / 0.6 });
    f.c1.lock!.lock();
    void f.c1.meter.read().catch(() => {});
    assert.ok(f.clock.pendingTimers > 0);
    await f.board.hardware.close();
    assert.equal(f.clock.pendingTimers, 0);
  });

  it('takes many fault injections while charging, cheaply', async () => {
    const f = makeBoard();
    await startCharging(f, 16);
    const started = process.hrtime.bigint();
    for (let i = 0; i < 20_000; i++) {
      f.sim.injectFault(1, 'rcdTripAc');
      f.sim.clearFault(1, 'rcdTripAc');
      f.sim.injectFault(1, 'cpGlitch');
      f.sim.injectFault(1, 'evOverdraw');
      f.sim.clearFault(1, 'evOverdraw');
    }
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    assert.ok(ms < 2000, `${ms} ms`);
    await f.clock.advance(20);
    assert.deepEqual(f.snap().faults, []);
    assert.equal(f.clock.pendingTimers, 1); // only the physics tick
    f.board.stop();
  });
});
