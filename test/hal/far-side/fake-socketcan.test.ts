import { strict as assert } from 'node:assert';
import { VirtualClock } from '../../../hal/clock.js';
import { FakeSocketCan, type FakeRawChannel } from '../../../hal/far-side/fake-socketcan.js';
import { McuSimulator } from '../../../hal/far-side/mcu-simulator.js';
import type { CanMessage } from '../../../hal/can/socketcan-api.js';
import { CounterSequence, decodeFrame, encodeFrame, FAULT_FLAGS, frameId, type AppFrame, type FrameKind } from '../../../hal/can/frames.js';
import { BASE_ID, evLevels, type EvState } from '../can/can-fixture.js';

describe('FakeSocketCan', () => {
  it('delivers a frame to every other started channel on the interface, asynchronously, not to its sender', async () => {
    const fake = new FakeSocketCan({ interfaces: ['can0', 'can1'] });
    const a = fake.createRawChannel('can0');
    const b = fake.createRawChannel('can0');
    const c = fake.createRawChannel('can0');
    const other = fake.createRawChannel('can1');
    const got = new Map<string, CanMessage[]>();
    for (const channel of [a, b, c, other]) {
      got.set(channel.name, []);
      channel.addListener('onMessage', (message) => got.get(channel.name)!.push(message));
    }
    a.start();
    b.start();
    other.start();
    assert.equal(a.send({ id: 0x123, data: Buffer.from([1, 2, 3]) }), 16);
    assert.equal(got.get(b.name)!.length, 0, 'not synchronously');
    await Promise.resolve();
    assert.deepEqual(got.get(b.name), [{ id: 0x123, data: Buffer.from([1, 2, 3]) }]);
    assert.equal(got.get(a.name)!.length, 0);
    assert.equal(got.get(c.name)!.length, 0, 'not started');
    assert.equal(got.get(other.name)!.length, 0, 'another interface');
    assert.equal(fake.bus('can0').log.length, 1);
  });

  it('applies receive filters as the kernel does', async () => {
    const fake = new FakeSocketCan();
    const rx = fake.createRawChannel('can0');
    const seen: number[] = [];
    rx.addListener('onMessage', (m) => seen.push(m.id));
    rx.setRxFilters([{ id: 0x100, mask: 0x780 }]);
    rx.start();
    for (const id of [0x0ff, 0x100, 0x17f, 0x180]) fake.bus('can0').inject({ id, data: Buffer.alloc(8) });
    await Promise.resolve();
    assert.deepEqual(seen, [0x100, 0x17f]);
  });

  it('validates sends like the package, refuses while the bus is down, and stops', async () => {
    const fake = new FakeSocketCan();
    const channel = fake.createRawChannel('can0');
    let stopped = false;
    channel.addListener('onStopped', () => (stopped = true));
    assert.throws(() => channel.addListener('onBogus' as 'onStopped', () => {}), /Event not supported/);
    assert.throws(() => channel.send({ id: 1, data: [1, 2] as unknown as Buffer }), /Data field must be a Buffer/);
    assert.throws(() => channel.send({ id: 1, data: Buffer.alloc(9) }), RangeError);
    assert.throws(() => channel.send({ id: 0x800, data: Buffer.alloc(8) }), RangeError);
    fake.bus('can0').down = true;
    assert.equal(channel.send({ id: 1, data: Buffer.alloc(8) }), -1);
    channel.start();
    channel.stop();
    await Promise.resolve();
    assert.equal(stopped, true);
    assert.throws(() => channel.send({ id: 1, data: Buffer.alloc(8) }), /Invalid channel/);
  });

  it('throws ENODEV for an interface that does not exist', () => {
    const fake = new FakeSocketCan({ interfaces: [] });
    assert.throws(() => fake.createRawChannel('can0'), (error: NodeJS.ErrnoException) => error.code === 'ENODEV');
    assert.throws(() => fake.createRawChannelWithOptions('can0', { non_block_send: true }), (error: NodeJS.ErrnoException) => error.code === 'ENODEV');
  });
});

/** A simulated MCU driven by hand-made app frames (no CanCoprocessor in between). */
async function simRig(hasLock = true) {
  const clock = new VirtualClock();
  const fake = new FakeSocketCan({ clock });
  const ev = { state: 'A' as EvState };
  const connectors = [{ connectorId: 1, hasLock }];
  const mcu = new McuSimulator(fake.createRawChannel('can0'), { baseId: BASE_ID, clock, connectors, levels: (_id, output) => evLevels(ev.state, output) });
  const app: FakeRawChannel = fake.createRawChannel('can0');
  const received: { at: number; kind: FrameKind; payload: unknown }[] = [];
  app.addListener('onMessage', (message) => {
    const result = decodeFrame(BASE_ID, message);
    if (result.ok) received.push({ at: clock.now(), kind: result.payload.kind, payload: result.payload });
  });
  app.start();
  const sequence = new CounterSequence();
  const send = (frame: AppFrame) => {
    const id = frameId(BASE_ID, frame.kind, 'connectorId' in frame ? frame.connectorId : undefined);
    app.send({ id, data: encodeFrame(BASE_ID, frame, sequence.take(id)).data });
  };
  let beat: ReturnType<VirtualClock['setInterval']> | null = null;
  const heartbeats = (on: boolean) => {
    if (beat !== null) clock.clearInterval(beat);
    beat = on ? clock.setInterval(() => send({ kind: 'appHeartbeat', state: 'running', requestReports: false }), 100) : null;
    if (on) send({ kind: 'appHeartbeat', state: 'running', requestReports: false });
  };
  const statusFaults = () => (received.filter((r) => r.kind === 'status').at(-1)!.payload as { faults: number }).faults;
  mcu.start();
  return { clock, fake, mcu, app, ev, received, send, heartbeats, statusFaults };
}

describe('McuSimulator (the documented MCU)', () => {
  it('boots into its safe state: state F, no power, waiting for the app', async () => {
    const r = await simRig();
    await r.clock.advance(200);
    assert.equal(r.mcu.state, 'safe');
    assert.deepEqual(r.mcu.connectorState(1).pilotOutput, { mode: 'error' });
    assert.equal(r.mcu.connectorState(1).faults & FAULT_FLAGS.appWatchdog, 0, 'no watchdog flag at boot');
    r.heartbeats(true);
    await r.clock.advance(200);
    assert.equal(r.mcu.state, 'safe', 'the app has not acknowledged with allow-power = 0');
    r.send({ kind: 'powerCommand', connectorId: 1, allow: false });
    await r.clock.advance(10);
    assert.equal(r.mcu.state, 'running');
    assert.deepEqual(r.mcu.connectorState(1).pilotOutput, { mode: 'error' }, 'F until the app sends its output');
    r.mcu.close();
  });

  it('reports at the documented rates while running', async () => {
    const r = await simRig();
    r.heartbeats(true);
    r.send({ kind: 'powerCommand', connectorId: 1, allow: false });
    r.send({ kind: 'pilotCommand', connectorId: 1, output: { mode: 'high' } });
    await r.clock.advance(2000);
    const start = r.clock.now();
    await r.clock.advance(1000);
    const count = (kind: FrameKind) => r.received.filter((f) => f.kind === kind && f.at > start).length;
    assert.equal(count('mcuHeartbeat'), 10);
    assert.equal(count('pilotLevels'), 20);
    assert.equal(count('status'), 10);
    assert.equal(count('proximity'), 5);
    assert.equal(count('temperature'), 1);
    r.mcu.close();
  });

  it('goes safe 300 ms after the last app heartbeat, and at once on "stopping"', async () => {
    const r = await simRig();
    r.heartbeats(true);
    r.send({ kind: 'powerCommand', connectorId: 1, allow: false });
    await r.clock.advance(50);
    assert.equal(r.mcu.state, 'running');
    r.heartbeats(false);
    const lastBeat = r.mcu.lastAppHeartbeat!.at;
    await r.clock.advance(lastBeat + 300 - r.clock.now());
    assert.equal(r.mcu.state, 'running');
    await r.clock.advance(10);
    assert.equal(r.mcu.state, 'safe');
    assert.ok(r.statusFaults() & FAULT_FLAGS.appWatchdog);
    r.heartbeats(true);
    r.send({ kind: 'powerCommand', connectorId: 1, allow: false });
    await r.clock.advance(20);
    assert.equal(r.mcu.state, 'running');
    assert.equal(r.statusFaults(), 0);
    r.send({ kind: 'appHeartbeat', state: 'stopping', requestReports: false });
    await r.clock.advance(0);
    assert.equal(r.mcu.state, 'safe');
    r.heartbeats(false);
    r.mcu.close();
  });

  it('flags a welded contactor 200 ms after releasing the coil', async () => {
    const r = await simRig();
    r.heartbeats(true);
    r.send({ kind: 'powerCommand', connectorId: 1, allow: false });
    await r.clock.advance(20);
    r.ev.state = 'C';
    r.send({ kind: 'pilotCommand', connectorId: 1, output: { mode: 'pwm', dutyPercent: 50 } });
    r.send({ kind: 'powerCommand', connectorId: 1, allow: true });
    await r.clock.advance(50);
    assert.equal(r.mcu.connectorState(1).contactorMirror, 'closed');
    r.mcu.inputs(1).welded = true;
    r.send({ kind: 'powerCommand', connectorId: 1, allow: false });
    await r.clock.advance(190);
    assert.equal(r.statusFaults() & FAULT_FLAGS.contactorWelded, 0);
    await r.clock.advance(20);
    assert.ok(r.statusFaults() & FAULT_FLAGS.contactorWelded);
    assert.equal(r.mcu.connectorState(1).contactorDrive, false);
    r.heartbeats(false);
    r.mcu.close();
  });

  it('releases the plug 5 s into its safe state once the contacts are open, and flags a jammed lock', async () => {
    const r = await simRig();
    r.heartbeats(true);
    r.send({ kind: 'powerCommand', connectorId: 1, allow: false });
    await r.clock.advance(20);
    r.send({ kind: 'lockCommand', connectorId: 1, position: 'locked' });
    await r.clock.advance(200);
    assert.equal(r.mcu.connectorState(1).lock, 'locked');
    r.heartbeats(false);
    await r.clock.advance(400);
    assert.equal(r.mcu.state, 'safe');
    await r.clock.advance(4500);
    assert.equal(r.mcu.connectorState(1).lock, 'locked');
    await r.clock.advance(700);
    assert.equal(r.mcu.connectorState(1).lock, 'unlocked');
    // A jammed lock: the flag after 1 s.
    r.heartbeats(true);
    r.send({ kind: 'powerCommand', connectorId: 1, allow: false });
    await r.clock.advance(20);
    r.mcu.inputs(1).lockJammed = true;
    r.send({ kind: 'lockCommand', connectorId: 1, position: 'locked' });
    await r.clock.advance(1100);
    assert.ok(r.statusFaults() & FAULT_FLAGS.lockFault);
    r.heartbeats(false);
    r.mcu.close();
  });

  it('drops app frames with a bad CRC or a repeated counter', async () => {
    const r = await simRig();
    const frame = encodeFrame(BASE_ID, { kind: 'lockCommand', connectorId: 1, position: 'locked' }, 0);
    const bad = Buffer.from(frame.data);
    bad[7] = bad[7]! ^ 1;
    r.app.send({ id: frame.id, data: bad });
    r.app.send({ id: frame.id, data: frame.data });
    r.app.send({ id: frame.id, data: frame.data });
    await r.clock.advance(0);
    assert.equal(r.mcu.droppedFrames, 2);
    assert.equal(r.mcu.accepted.length, 1);
    r.mcu.close();
  });
});
