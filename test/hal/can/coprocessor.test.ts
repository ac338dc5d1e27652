import { strict as assert } from 'node:assert';
import { VirtualClock } from '../../../hal/clock.js';
import { HardwareUnavailableError } from '../../../hal/hardware-packages.js';
import type { LockPosition, PilotLevels, ProximityReading, ResidualCurrentTrip, SwitchPosition } from '../../../hal/interfaces.js';
import { CanCoprocessor, COMMAND_REFRESH_MS, RCD_SELF_TEST_TIMEOUT_MS } from '../../../hal/can/coprocessor.js';
import { FakeSocketCan } from '../../../hal/far-side/fake-socketcan.js';
import { encodeFrame, FAULT_FLAGS, frameId, type AppFrame } from '../../../hal/can/frames.js';
import { catchUncaught } from '../../support/uncaught.js';
import { BASE_ID, hex, makeRig, TWO_CONNECTORS, type Rig } from './can-fixture.js';

const OPTIONS = { interface: 'can0', baseId: BASE_ID, connectors: TWO_CONNECTORS, heartbeatIntervalMs: 100, heartbeatTimeoutMs: 300 };

/** Brings connector 1 to charging: EV in C, PWM on, power allowed, contacts closed. */
async function charge(rig: Rig): Promise<void> {
  await rig.untilAlive();
  rig.ev.set(1, 'C');
  rig.link.pilot(1).setOutput({ mode: 'pwm', dutyPercent: 26.7 });
  await rig.clock.advance(50);
  rig.link.contactor(1).close();
  await rig.clock.advance(50);
  assert.equal(rig.link.contactor(1).readFeedback(), 'closed');
}

describe('CanCoprocessor: opening', () => {
  let rig: Rig;
  afterEach(async () => rig?.close());

  it('sends the app heartbeat and its whole (safe) command state at once, non-blocking, filtered to its block', async () => {
    rig = await makeRig({ startMcu: false });
    const appChannel = rig.fake.channels[1]!;
    assert.equal(appChannel.options.non_block_send, true);
    const sent = rig.bus.log.filter((r) => r.from === appChannel.name).map((r) => `${r.id.toString(16)} ${hex(r.data)}`);
    const withoutCrc = sent.map((line) => line.slice(0, -3));
    assert.deepEqual(withoutCrc, [
      '109 01 01 00 00 00 00 00', // heartbeat, running, requesting every report
      '110 ff ff 00 00 00 00 00', // connector 1: steady +12 V
      '118 00 00 00 00 00 00 00', //              no power
      '120 00 00 00 00 00 00 00', //              unlocked
      '111 ff ff 00 00 00 00 00', // connector 2 (no lock)
      '119 00 00 00 00 00 00 00',
    ]);
    // A foreign frame on the bus does not reach the driver (kernel filter on 0x100–0x17F).
    rig.bus.inject({ id: 0x200, data: Buffer.alloc(8) });
    await rig.clock.advance(0);
    assert.equal(rig.link.stats.framesReceived, 0);
  });

  it('reads not alive until the MCU has sent two heartbeats in running, then fires onChange once', async () => {
    rig = await makeRig();
    const changes: boolean[] = [];
    rig.link.onChange((alive) => changes.push(alive));
    assert.equal(rig.link.isAlive(), false);
    await rig.clock.advance(20);
    assert.equal(rig.mcu.state, 'running');
    assert.equal(rig.link.isAlive(), false, 'one heartbeat proves nothing');
    await rig.clock.advance(100);
    assert.equal(rig.link.isAlive(), true);
    assert.deepEqual(changes, [true]);
    assert.equal(rig.link.mcuInfo?.state, 'running');
  });

  it('throws HardwareUnavailableError naming the device, the interface and the reason when the interface is missing', async () => {
    const clock = new VirtualClock();
    const fake = new FakeSocketCan({ interfaces: [] });
    await assert.rejects(CanCoprocessor.open(OPTIONS, clock, { socketcan: fake }), (error: unknown) => {
      assert.ok(error instanceof HardwareUnavailableError);
      assert.equal(error.device, 'safety co-processor');
      assert.equal(error.path, 'can0');
      assert.match(error.reason, /no network interface "can0" \(ENODEV/);
      assert.match(error.message, /^cannot open safety co-processor at can0: /);
      return true;
    });
    assert.equal(clock.pendingTimers, 0);
  });

  it('maps a createRawChannel that throws ENODEV (and other failures) to HardwareUnavailableError', async () => {
    const fake = new FakeSocketCan();
    fake.createRawChannel = () => {
      throw Object.assign(new Error('Error while creating channel'), { code: 'ENODEV' });
    };
    await assert.rejects(CanCoprocessor.open(OPTIONS, new VirtualClock(), { socketcan: fake }), /cannot open safety co-processor at can0: no network interface "can0" \(ENODEV/);
    const plain = new FakeSocketCan();
    plain.createRawChannel = () => {
      throw Object.assign(new Error('Permission denied'), { code: 'EACCES' });
    };
    await assert.rejects(CanCoprocessor.open(OPTIONS, new VirtualClock(), { socketcan: plain }), (error: unknown) =>
      error instanceof HardwareUnavailableError && /Permission denied \(EACCES\)/.test(error.reason));
  });

  it('refuses options that cannot work, as HardwareUnavailableError', async () => {
    const fake = new FakeSocketCan();
    const cases: [Partial<typeof OPTIONS>, RegExp][] = [
      [{ baseId: 0x7c0 }, /base id 1984/],
      [{ heartbeatIntervalMs: 200 }, /heartbeatIntervalMs 200 must be > 0 and ≤ 150/],
      [{ heartbeatTimeoutMs: 150 }, /heartbeatTimeoutMs 150 must be ≥ 200/],
      [{ connectors: [{ connectorId: 1, hasLock: true }, { connectorId: 1, hasLock: false }] } as never, /connector ids repeat/],
      [{ connectors: [{ connectorId: 9, hasLock: true }] } as never, /connector id 9/],
      [{ connectors: [] } as never, /no connectors/],
    ];
    for (const [change, message] of cases) {
      await assert.rejects(CanCoprocessor.open({ ...OPTIONS, ...change }, new VirtualClock(), { socketcan: fake }), (error: unknown) =>
        error instanceof HardwareUnavailableError && message.test(error.reason));
    }
    assert.equal(fake.channels.length, 0);
  });

  it('gives each connector its devices; a lock only where the MCU drives one', async () => {
    rig = await makeRig({ startMcu: false });
    assert.notEqual(rig.link.lock(1), null);
    assert.equal(rig.link.lock(2), null);
    assert.equal(rig.link.pilot(1), rig.link.pilot(1));
    assert.equal(rig.link.socketTemperature(2).location, 'socket');
    assert.throws(() => rig.link.pilot(3), /serves connectors 1, 2, not 3/);
    // Before the first report: state A, no cable, open, unlocked, no trip, no temperature.
    assert.deepEqual(rig.link.pilot(1).read(), { positiveV: 12, negativeV: null });
    assert.deepEqual(rig.link.proximity(1).read(), { kind: 'noCable' });
    assert.equal(rig.link.contactor(1).readFeedback(), 'open');
    assert.equal(rig.link.lock(1)!.readFeedback(), 'unlocked');
    assert.equal(rig.link.residualCurrent(1).readTrip(), null);
    assert.equal(rig.link.socketTemperature(1).read(), null);
  });
});

describe('CanCoprocessor: app heartbeat', () => {
  let rig: Rig;
  afterEach(async () => rig?.close());

  it('sends one every heartbeatIntervalMs on the clock, counters advancing, and the MCU echoes it', async () => {
    rig = await makeRig({ heartbeatIntervalMs: 50 });
    const start = rig.clock.now();
    await rig.clock.advance(2000);
    const beats = rig.frames('appHeartbeat');
    assert.equal(beats.length, 41);
    beats.forEach((beat, i) => {
      assert.equal(beat.record.at - start, i * 50);
      assert.equal(beat.counter, i);
      assert.deepEqual(beat.payload, { kind: 'appHeartbeat', state: 'running', requestReports: i === 0 || i === 3 });
    });
    assert.equal(rig.mcu.appHeartbeatsReceived, 41);
    // The MCU's last heartbeat (at 1910 ms) echoes the app heartbeat it heard last (1900 ms, counter 38).
    assert.equal(rig.link.mcuInfo!.appCounterEcho, 38);
  });

  it('asks for every report in the heartbeat after the link came back', async () => {
    rig = await makeRig();
    await rig.untilAlive();
    await rig.clock.advance(200); // the request after the first alive goes out
    rig.bus.clearLog();
    rig.mcu.silent = true;
    await rig.clock.advance(400);
    rig.mcu.silent = false;
    await rig.untilAlive();
    await rig.clock.advance(100);
    const requests = rig.frames('appHeartbeat').filter((beat) => (beat.payload as { requestReports: boolean }).requestReports);
    assert.equal(requests.length, 1);
  });
});

describe('CanCoprocessor: commands', () => {
  let rig: Rig;
  afterEach(async () => rig?.close());

  it('puts each command on the bus with its bytes, and the MCU applies it', async () => {
    rig = await makeRig();
    await rig.untilAlive();
    rig.bus.clearLog();
    const { link } = rig;
    link.pilot(1).setOutput({ mode: 'pwm', dutyPercent: 26.7 });
    link.pilot(2).setOutput({ mode: 'error' });
    link.contactor(1).close();
    link.lock(1)!.lock();
    link.contactor(1).open();
    const lines = rig.bus.log.map((r) => `${r.id.toString(16)} ${hex(r.data).slice(0, 17)}`);
    assert.deepEqual(lines, ['110 0b 01 00 00 00 00', '111 fe ff 00 00 00 00', '118 01 00 00 00 00 00', '120 01 00 00 00 00 00', '118 00 00 00 00 00 00']);
    assert.deepEqual(link.pilot(1).output, { mode: 'pwm', dutyPercent: 26.7 });
    assert.equal(link.contactor(1).commanded, 'open');
    assert.equal(link.lock(1)!.commanded, 'locked');
    await rig.clock.advance(0);
    assert.deepEqual(rig.mcu.connectorState(1).pilotOutput, { mode: 'pwm', dutyPercent: 26.7 });
    assert.deepEqual(rig.mcu.connectorState(2).pilotOutput, { mode: 'error' });
    assert.equal(rig.mcu.connectorState(1).allowPower, false);
  });

  it('refuses a duty the protocol cannot carry, sending nothing and keeping the output', async () => {
    rig = await makeRig();
    rig.bus.clearLog();
    assert.throws(() => rig.link.pilot(1).setOutput({ mode: 'pwm', dutyPercent: 120 }), RangeError);
    assert.deepEqual(rig.link.pilot(1).output, { mode: 'high' });
    assert.equal(rig.bus.log.length, 0);
  });

  it('sends the whole command state again every second', async () => {
    rig = await makeRig();
    await rig.untilAlive();
    rig.link.pilot(1).setOutput({ mode: 'pwm', dutyPercent: 50 });
    rig.bus.clearLog();
    await rig.clock.advance(COMMAND_REFRESH_MS * 3);
    const pilots = rig.frames('pilotCommand', 1);
    assert.equal(pilots.length, 3);
    for (const frame of pilots) assert.deepEqual(frame.payload, { kind: 'pilotCommand', connectorId: 1, output: { mode: 'pwm', dutyPercent: 50 } });
    assert.equal(rig.frames('powerCommand', 2).length, 3);
    assert.equal(rig.frames('lockCommand', 1).length, 3);
    assert.equal(rig.frames('lockCommand', 2).length, 0);
  });

  it('counts a refused send instead of throwing', async () => {
    rig = await makeRig();
    await rig.untilAlive();
    rig.bus.down = true;
    rig.link.contactor(1).open();
    await rig.clock.advance(250);
    assert.ok(rig.link.stats.sendFailures >= 3);
    rig.bus.down = false;
  });
});

describe('CanCoprocessor: reports', () => {
  let rig: Rig;
  afterEach(async () => rig?.close());

  it('updates the pilot levels and fires onLevels on change only', async () => {
    rig = await makeRig();
    await rig.untilAlive();
    const seen: PilotLevels[] = [];
    rig.link.pilot(1).onLevels((levels) => seen.push(levels));
    rig.link.pilot(1).setOutput({ mode: 'pwm', dutyPercent: 10 });
    await rig.clock.advance(0);
    assert.deepEqual(seen, [{ positiveV: 12, negativeV: -12 }], 'levels follow the output at once');
    rig.ev.set(1, 'B');
    await rig.clock.advance(10);
    assert.deepEqual(seen.at(-1), { positiveV: 9, negativeV: -12 });
    await rig.clock.advance(1000);
    assert.equal(seen.length, 2, 'periodic frames with the same levels fire nothing');
    assert.deepEqual(rig.link.pilot(1).read(), { positiveV: 9, negativeV: -12 });
    assert.deepEqual(rig.link.pilot(2).read(), { positiveV: 12, negativeV: null });
  });

  it('classifies the PP resistance and fires onChange', async () => {
    rig = await makeRig();
    await rig.untilAlive();
    const seen: ProximityReading[] = [];
    rig.link.proximity(1).onChange((reading) => seen.push(reading));
    rig.mcu.inputs(1).proximityOhms = 220;
    await rig.clock.advance(10);
    rig.mcu.inputs(1).proximityOhms = 30;
    await rig.clock.advance(10);
    rig.mcu.inputs(1).proximityOhms = Number.POSITIVE_INFINITY;
    await rig.clock.advance(10);
    assert.deepEqual(seen, [{ kind: 'cable', ratingA: 32, ohms: 220 }, { kind: 'invalid', ohms: 30 }, { kind: 'noCable' }]);
  });

  it('reports the socket temperature in 0.1 °C, and null for an unreadable sensor', async () => {
    rig = await makeRig();
    await rig.untilAlive();
    assert.equal(rig.link.socketTemperature(1).read(), 25);
    const seen: (number | null)[] = [];
    rig.link.socketTemperature(1).onChange((t) => seen.push(t));
    rig.mcu.inputs(1).temperatureC = 66.6;
    await rig.clock.advance(10);
    rig.mcu.inputs(1).temperatureC = null;
    await rig.clock.advance(10);
    assert.deepEqual(seen, [66.6, null]);
    assert.equal(rig.link.socketTemperature(2).read(), 25);
  });

  it('closes on allow-power, mirrors the contact, and fires onFeedback', async () => {
    rig = await makeRig();
    const feedback: SwitchPosition[] = [];
    rig.link.contactor(1).onFeedback((p) => feedback.push(p));
    await charge(rig);
    assert.equal(rig.link.connectorStatus(1)?.contactorDrive, true);
    rig.link.contactor(1).open();
    await rig.clock.advance(50);
    assert.deepEqual(feedback, ['closed', 'open']);
  });

  it('reports an RCD trip and its end through onTrip', async () => {
    rig = await makeRig();
    await rig.untilAlive();
    const trips: (ResidualCurrentTrip | null)[] = [];
    rig.link.residualCurrent(2).onTrip((trip) => trips.push(trip));
    rig.mcu.inputs(2).residualCurrent = 'dc';
    await rig.clock.advance(10);
    assert.equal(rig.link.residualCurrent(2).readTrip(), 'dc');
    rig.mcu.inputs(2).residualCurrent = null;
    await rig.clock.advance(10);
    assert.deepEqual(trips, ['dc', null]);
    assert.equal(rig.link.residualCurrent(1).readTrip(), null);
  });

  it('an RCD trip reaches every listener even when one throws; the error reaches the process uncaught (hal/listeners.ts)', async () => {
    rig = await makeRig();
    await rig.untilAlive();
    const trips: (ResidualCurrentTrip | null)[] = [];
    rig.link.residualCurrent(2).onTrip(() => {
      throw new Error('listener bug');
    });
    rig.link.residualCurrent(2).onTrip((trip) => trips.push(trip));
    const uncaught = catchUncaught();
    try {
      rig.mcu.inputs(2).residualCurrent = 'ac';
      await rig.clock.advance(10); // resolves: the bug is not thrown into the socket's callback
      assert.deepEqual(trips, ['ac']);
    } finally {
      uncaught.restore();
    }
    assert.deepEqual(uncaught.errors.map(String), ['Error: listener bug']);
  });

  it('moves the lock and fires onFeedback', async () => {
    rig = await makeRig();
    await rig.untilAlive();
    const seen: LockPosition[] = [];
    rig.link.lock(1)!.onFeedback((p) => seen.push(p));
    rig.link.lock(1)!.lock();
    await rig.clock.advance(150);
    assert.equal(rig.link.lock(1)!.readFeedback(), 'locked');
    rig.link.lock(1)!.unlock();
    await rig.clock.advance(150);
    assert.deepEqual(seen, ['locked', 'unlocked']);
  });

  it('runs the RCD self-test through the MCU', async () => {
    rig = await makeRig();
    // Asked before the link is alive (as the app does at start): sent once it is.
    const first = rig.link.residualCurrent(1).selfTest();
    assert.equal(rig.link.residualCurrent(1).selfTest(), first, 'one test at a time');
    assert.equal(rig.frames('rcdTestCommand', 1).length, 0);
    await rig.clock.advance(400);
    assert.equal(await first, true);
    assert.equal(rig.frames('rcdTestCommand', 1).length, 1);
    rig.mcu.inputs(1).selfTestResult = 'noTrip';
    const second = rig.link.residualCurrent(1).selfTest();
    await rig.clock.advance(300);
    assert.equal(await second, false);
    assert.ok(rig.link.connectorStatus(1)!.faults & FAULT_FLAGS.residualCurrentSelfTest);
  });

  it('fails a self-test the MCU never answers, after RCD_SELF_TEST_TIMEOUT_MS', async () => {
    rig = await makeRig();
    await rig.untilAlive();
    rig.mcu.stop();
    let result: boolean | null = null;
    void rig.link.residualCurrent(1).selfTest().then((passed) => (result = passed));
    await rig.clock.advance(RCD_SELF_TEST_TIMEOUT_MS - 1);
    assert.equal(result, null);
    await rig.clock.advance(1);
    assert.equal(result, false);
  });

  it('fails a self-test while the contacts are closed (the MCU refuses)', async () => {
    rig = await makeRig();
    await charge(rig);
    const test = rig.link.residualCurrent(1).selfTest();
    await rig.clock.advance(10);
    assert.equal(await test, false);
  });
});

describe('CanCoprocessor: the MCU protects by itself', () => {
  let rig: Rig;
  afterEach(async () => rig?.close());

  it('opens when CP leaves C, and closes again only after the app acknowledged with allow-power = 0', async () => {
    rig = await makeRig();
    await charge(rig);
    rig.ev.set(1, 'B');
    await rig.clock.advance(60);
    assert.equal(rig.link.contactor(1).readFeedback(), 'open');
    assert.ok(rig.link.connectorStatus(1)!.faults & FAULT_FLAGS.cpNotChargingWhilePowered);
    rig.ev.set(1, 'C');
    await rig.clock.advance(COMMAND_REFRESH_MS + 100); // the refresh repeats allow-power = 1: not enough
    assert.equal(rig.link.contactor(1).readFeedback(), 'open');
    rig.link.contactor(1).open();
    rig.link.contactor(1).close();
    await rig.clock.advance(50);
    assert.equal(rig.link.contactor(1).readFeedback(), 'closed');
    assert.equal(rig.link.connectorStatus(1)!.faults, 0);
  });

  it('opens at once on an RCD trip and on over-temperature', async () => {
    rig = await makeRig();
    await charge(rig);
    rig.mcu.inputs(1).residualCurrent = 'ac';
    await rig.clock.advance(10);
    assert.equal(rig.mcu.connectorState(1).contactorDrive, false);
    await rig.clock.advance(30);
    assert.equal(rig.link.contactor(1).readFeedback(), 'open');
    rig.mcu.inputs(1).residualCurrent = null;
    rig.link.contactor(1).open();
    rig.link.contactor(1).close();
    await rig.clock.advance(50);
    assert.equal(rig.link.contactor(1).readFeedback(), 'closed');
    rig.mcu.inputs(1).temperatureC = 80;
    await rig.clock.advance(40);
    assert.equal(rig.link.contactor(1).readFeedback(), 'open');
    assert.ok(rig.link.connectorStatus(1)!.faults & FAULT_FLAGS.overTemperature);
  });

  it('goes safe when the app heartbeat stops: F, contacts open, link not alive; back once the app acknowledges', async () => {
    rig = await makeRig();
    await charge(rig);
    const changes: boolean[] = [];
    rig.link.onChange((alive) => changes.push(alive));
    const appChannel = rig.fake.channels[1]!;
    const realSend = appChannel.send.bind(appChannel);
    appChannel.send = () => 16; // the app's frames vanish (a broken transmitter)
    await rig.clock.advance(310);
    assert.equal(rig.mcu.state, 'safe');
    assert.deepEqual(rig.mcu.connectorState(1).pilotOutput, { mode: 'error' });
    await rig.clock.advance(100);
    assert.equal(rig.link.isAlive(), false, 'an MCU in its safe state is not a live safety controller');
    assert.equal(rig.link.contactor(1).readFeedback(), 'open');
    assert.ok(rig.link.connectorStatus(1)!.faults & FAULT_FLAGS.appWatchdog);
    appChannel.send = realSend;
    await rig.clock.advance(500);
    assert.equal(rig.mcu.state, 'safe', 'allow-power = 1 is still commanded: no acknowledgement');
    rig.link.contactor(1).open(); // what the app does on SafetyControllerLost
    await rig.untilAlive();
    assert.deepEqual(changes, [false, true]);
    await rig.clock.advance(10);
    assert.deepEqual(rig.mcu.connectorState(1).pilotOutput, { mode: 'pwm', dutyPercent: 26.7 }, 'outputs sent again on running');
    assert.equal(rig.link.connectorStatus(1)!.faults, 0);
  });

  it('counts an MCU restart and gives the restarted MCU the app outputs', async () => {
    rig = await makeRig();
    await rig.untilAlive();
    rig.link.pilot(2).setOutput({ mode: 'pwm', dutyPercent: 30 });
    await rig.clock.advance(500);
    rig.mcu.reboot();
    await rig.clock.advance(20);
    assert.equal(rig.link.stats.mcuRestarts, 0, 'its first heartbeat after the restart is a counter jump: dropped');
    await rig.clock.advance(200);
    assert.equal(rig.link.stats.mcuRestarts, 1);
    assert.equal(rig.link.isAlive(), true);
    assert.deepEqual(rig.mcu.connectorState(2).pilotOutput, { mode: 'pwm', dutyPercent: 30 });
  });

  it('is not alive while the MCU reports an internal fault', async () => {
    rig = await makeRig();
    await rig.untilAlive();
    rig.mcu.failInternally();
    await rig.clock.advance(110);
    assert.equal(rig.link.isAlive(), false);
    assert.equal(rig.link.mcuInfo!.state, 'fault');
    assert.ok(rig.link.connectorStatus(1)!.faults & FAULT_FLAGS.mcuInternal);
  });
});

describe('CanCoprocessor: a silent MCU', () => {
  let rig: Rig;
  afterEach(async () => rig?.close());

  it('goes not alive heartbeatTimeoutMs after the last heartbeat, and alive again when frames return', async () => {
    rig = await makeRig();
    await charge(rig);
    const changes: boolean[] = [];
    const temperatures: (number | null)[] = [];
    rig.link.onChange((alive) => changes.push(alive));
    rig.link.socketTemperature(1).onChange((t) => temperatures.push(t));
    const lastHeartbeat = () => rig.frames('mcuHeartbeat').at(-1)!.record.at;
    rig.mcu.silent = true;
    const silentFrom = lastHeartbeat();
    await rig.clock.advance(silentFrom + 299 - rig.clock.now());
    assert.equal(rig.link.isAlive(), true);
    await rig.clock.advance(1);
    assert.equal(rig.link.isAlive(), false);
    assert.deepEqual(changes, [false]);
    assert.equal(rig.link.stats.heartbeatTimeouts, 1);
    // While silent: temperatures unknown; contact feedback and RCD as last known.
    assert.equal(rig.link.socketTemperature(1).read(), null);
    assert.equal(rig.link.socketTemperature(2).read(), null);
    assert.deepEqual(temperatures, [null]);
    assert.equal(rig.link.contactor(1).readFeedback(), 'closed');
    assert.equal(rig.link.residualCurrent(1).readTrip(), null);
    await rig.clock.advance(2000);
    assert.deepEqual(changes, [false]);
    rig.mcu.silent = false;
    await rig.clock.advance(100);
    assert.equal(rig.link.isAlive(), true);
    assert.deepEqual(changes, [false, true]);
    await rig.clock.advance(100);
    assert.equal(rig.link.socketTemperature(1).read(), 25, 'temperature back with the requested reports, not a second later');
    assert.equal(rig.link.stats.heartbeatTimeouts, 1);
  });
});

describe('CanCoprocessor: corrupt frames', () => {
  let rig: Rig;
  afterEach(async () => rig?.close());

  it('drops and counts frames with a bad CRC, a repeated counter or a wrong DLC', async () => {
    rig = await makeRig();
    await rig.untilAlive();
    const before = rig.link.stats;
    const temperatures: (number | null)[] = [];
    rig.link.socketTemperature(1).onChange((t) => temperatures.push(t));
    // A repeat first: it repeats the counter of the last frame the link accepted.
    rig.mcu.corruptNext('repeat', { kind: 'temperature' });
    rig.mcu.inputs(1).temperatureC = 40;
    await rig.clock.advance(10);
    assert.equal(rig.link.stats.droppedCounter, before.droppedCounter + 1);
    assert.equal(rig.link.socketTemperature(1).read(), 25);
    rig.mcu.corruptNext('crc', { kind: 'temperature' });
    rig.mcu.inputs(1).temperatureC = 45;
    await rig.clock.advance(10);
    assert.equal(rig.link.stats.droppedCrc, before.droppedCrc + 1);
    rig.mcu.corruptNext('dlc', { kind: 'temperature' });
    rig.mcu.inputs(1).temperatureC = 50;
    await rig.clock.advance(10);
    assert.equal(rig.link.stats.droppedDlc, before.droppedDlc + 1);
    assert.equal(rig.link.socketTemperature(1).read(), 25);
    rig.mcu.inputs(1).temperatureC = 51;
    await rig.clock.advance(10);
    assert.deepEqual(temperatures, [51]);
    assert.equal(rig.link.isAlive(), true);
  });

  it('goes not alive when every heartbeat is corrupt', async () => {
    rig = await makeRig();
    await rig.untilAlive();
    rig.mcu.corruptNext('crc', { kind: 'mcuHeartbeat', count: 1000 });
    await rig.clock.advance(400);
    assert.equal(rig.link.isAlive(), false);
    assert.ok(rig.link.stats.droppedCrc >= 3);
  });

  it('never takes a transmitter stuck on one heartbeat for a live MCU', async () => {
    rig = await makeRig({ startMcu: false });
    const stuck = encodeFrame(BASE_ID, { kind: 'mcuHeartbeat', uptimeMs: 5000, state: 'running', protocolVersion: 1, appCounterEcho: 0 }, 17);
    for (let i = 0; i < 10; i++) {
      rig.bus.inject(stuck);
      await rig.clock.advance(100);
    }
    assert.equal(rig.link.isAlive(), false);
    assert.equal(rig.link.stats.droppedCounter, 9);
  });

  it('counts other frames: foreign, extended, error, app-side ids, unconfigured connectors', async () => {
    rig = await makeRig({ startMcu: false });
    rig.fake.channels[1]!.setRxFilters({ id: 0, mask: 0 }); // see everything, as with a base id that is not a multiple of 0x80
    const pretendApp: AppFrame = { kind: 'powerCommand', connectorId: 1, allow: true };
    rig.bus.inject({ id: 0x0ff, data: Buffer.alloc(8) });
    rig.bus.inject({ id: 0x101, ext: true, data: Buffer.alloc(8) });
    rig.bus.inject({ id: 0x20000004, err: true, data: Buffer.alloc(8) });
    rig.bus.inject(encodeFrame(BASE_ID, pretendApp, 0));
    rig.bus.inject(encodeFrame(BASE_ID, { kind: 'temperature', connectorId: 5, celsius: 20 }, 0));
    rig.bus.inject({ id: frameId(BASE_ID, 'status', 1), rtr: true, data: Buffer.alloc(0) });
    await rig.clock.advance(0);
    const stats = rig.link.stats;
    assert.equal(stats.framesReceived, 6);
    assert.equal(stats.ignored, 2);
    assert.equal(stats.busErrors, 1);
    assert.equal(stats.droppedInvalid, 2);
    assert.equal(stats.droppedDlc, 1);
    assert.equal(stats.framesAccepted, 0);
  });
});

describe('CanCoprocessor: close', () => {
  it('tells the MCU it is stopping, stops sending and resolves pending self-tests false', async () => {
    const rig = await makeRig();
    await rig.untilAlive();
    rig.mcu.stop(); // no answer to the self-test
    const test = rig.link.residualCurrent(1).selfTest();
    rig.mcu.start();
    const changes: boolean[] = [];
    rig.link.onChange((alive) => changes.push(alive));
    await rig.link.close();
    assert.equal(await test, false);
    const last = rig.frames('appHeartbeat').at(-1)!;
    assert.deepEqual(last.payload, { kind: 'appHeartbeat', state: 'stopping', requestReports: false });
    await rig.clock.advance(10);
    assert.equal(rig.mcu.state, 'safe');
    const sentBefore = rig.bus.log.filter((r) => r.from === rig.fake.channels[1]!.name).length;
    await rig.clock.advance(2000);
    assert.equal(rig.bus.log.filter((r) => r.from === rig.fake.channels[1]!.name).length, sentBefore);
    assert.equal(rig.link.isAlive(), false);
    assert.deepEqual(changes, []);
    assert.equal(rig.fake.channels[1]!.isStarted, false);
    await rig.link.close();
    rig.mcu.close();
    assert.equal(rig.clock.pendingTimers, 0);
  });
});
