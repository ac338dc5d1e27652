import { strict as assert } from 'node:assert';
import {
  COUNTER_BYTE,
  CounterSequence,
  CounterTracker,
  CRC_BYTE,
  crc8SaeJ1850,
  decodeFrame,
  encodeFrame,
  FAULT_FLAGS,
  faultFlagNames,
  FRAME_KINDS,
  frameCrc,
  frameId,
  identify,
  MAX_BASE_ID,
  type CanFrame,
  type Payload,
} from '../../../hal/can/frames.js';
import { hex } from './can-fixture.js';

const BASE = 0x100;

/** Rewrites bytes and fixes the CRC, so only the field under test is wrong. */
function withBytes(frame: CanFrame, edits: Record<number, number>): CanFrame {
  const data = Buffer.from(frame.data);
  for (const [index, value] of Object.entries(edits)) data[Number(index)] = value;
  data[CRC_BYTE] = frameCrc(frame.id, data);
  return { id: frame.id, data };
}

const SAMPLES: Payload[] = [
  { kind: 'appHeartbeat', state: 'running', requestReports: false },
  { kind: 'appHeartbeat', state: 'stopping', requestReports: true },
  { kind: 'mcuHeartbeat', uptimeMs: 0, state: 'booting', protocolVersion: 1, appCounterEcho: 0 },
  { kind: 'mcuHeartbeat', uptimeMs: 2 ** 32 - 1, state: 'fault', protocolVersion: 1, appCounterEcho: 255 },
  { kind: 'pilotCommand', connectorId: 1, output: { mode: 'pwm', dutyPercent: 26.7 } },
  { kind: 'pilotCommand', connectorId: 8, output: { mode: 'pwm', dutyPercent: 0 } },
  { kind: 'pilotCommand', connectorId: 2, output: { mode: 'pwm', dutyPercent: 100 } },
  { kind: 'pilotCommand', connectorId: 3, output: { mode: 'high' } },
  { kind: 'pilotCommand', connectorId: 4, output: { mode: 'error' } },
  { kind: 'powerCommand', connectorId: 1, allow: true },
  { kind: 'powerCommand', connectorId: 8, allow: false },
  { kind: 'lockCommand', connectorId: 1, position: 'locked' },
  { kind: 'lockCommand', connectorId: 2, position: 'unlocked' },
  { kind: 'rcdTestCommand', connectorId: 5, sequence: 200 },
  {
    kind: 'status', connectorId: 1, faults: FAULT_FLAGS.contactorWelded | FAULT_FLAGS.lockFault, contactorMirror: 'closed',
    contactorDrive: false, powerAllowed: false, lock: 'locked', residualCurrent: 'dc', pilotOutput: { mode: 'error' },
  },
  {
    kind: 'status', connectorId: 7, faults: 0, contactorMirror: 'open', contactorDrive: true, powerAllowed: true,
    lock: null, residualCurrent: null, pilotOutput: { mode: 'pwm', dutyPercent: 53.3 },
  },
  {
    kind: 'status', connectorId: 2, faults: 0xffff, contactorMirror: 'open', contactorDrive: false, powerAllowed: false,
    lock: 'unlocked', residualCurrent: 'ac', pilotOutput: { mode: 'high' },
  },
  { kind: 'pilotLevels', connectorId: 1, highMv: 5620, lowMv: -11950 },
  { kind: 'pilotLevels', connectorId: 2, highMv: -12000, lowMv: null },
  { kind: 'pilotLevels', connectorId: 3, highMv: 32767, lowMv: -32767 },
  { kind: 'proximity', connectorId: 1, ohms: 220 },
  { kind: 'proximity', connectorId: 2, ohms: Number.POSITIVE_INFINITY },
  { kind: 'proximity', connectorId: 3, ohms: 0 },
  { kind: 'temperature', connectorId: 1, celsius: -5.5 },
  { kind: 'temperature', connectorId: 2, celsius: null },
  { kind: 'temperature', connectorId: 3, celsius: 71.3 },
  { kind: 'rcdTestResult', connectorId: 1, sequence: 1, result: 'passed' },
  { kind: 'rcdTestResult', connectorId: 2, sequence: 255, result: 'noTrip' },
  { kind: 'rcdTestResult', connectorId: 3, sequence: 0, result: 'noRecovery' },
  { kind: 'rcdTestResult', connectorId: 4, sequence: 9, result: 'refused' },
];

describe('CAN frames: codec', () => {
  it('uses CRC-8/SAE-J1850 (check value 0x4B) over id and bytes 0–6, as documented', () => {
    assert.equal(crc8SaeJ1850(Buffer.from('123456789')), 0x4b);
    // The example frames in docs/can-coprocessor-protocol.md.
    const heartbeat = encodeFrame(BASE, { kind: 'appHeartbeat', state: 'running', requestReports: false }, 0x2a);
    assert.equal(heartbeat.id, 0x109);
    assert.equal(hex(heartbeat.data), '01 00 00 00 00 00 2a 41');
    const pwm = encodeFrame(BASE, { kind: 'pilotCommand', connectorId: 1, output: { mode: 'pwm', dutyPercent: 26.7 } }, 3);
    assert.equal(pwm.id, 0x110);
    assert.equal(hex(pwm.data), '0b 01 00 00 00 00 03 69');
    const mcu = encodeFrame(BASE, { kind: 'mcuHeartbeat', uptimeMs: 123456, state: 'running', protocolVersion: 1, appCounterEcho: 0x2a }, 7);
    assert.equal(hex(mcu.data), '40 e2 01 00 11 2a 07 bf');
    const levels = encodeFrame(BASE, { kind: 'pilotLevels', connectorId: 1, highMv: 5620, lowMv: -11950 }, 200);
    assert.equal(levels.id, 0x130);
    assert.equal(hex(levels.data), 'f4 15 52 d1 00 00 c8 f7');
  });

  it('round-trips every frame kind, with its counter', () => {
    const kinds = new Set<string>();
    SAMPLES.forEach((payload, index) => {
      const frame = encodeFrame(BASE, payload, index);
      assert.equal(frame.data.length, 8);
      assert.equal(frame.data[COUNTER_BYTE], index);
      const result = decodeFrame(BASE, frame);
      assert.ok(result.ok, `${payload.kind}: ${result.ok ? '' : result.detail}`);
      assert.deepEqual(result.payload, payload);
      assert.equal(result.counter, index);
      kinds.add(payload.kind);
    });
    assert.deepEqual([...kinds].sort(), [...FRAME_KINDS].sort());
  });

  it('rounds PWM to 0.1 %, and clamps 65535 Ω and above to open circuit', () => {
    const pwm = decodeFrame(BASE, encodeFrame(BASE, { kind: 'pilotCommand', connectorId: 1, output: { mode: 'pwm', dutyPercent: 16 / 0.6 } }, 0));
    assert.ok(pwm.ok);
    assert.deepEqual(pwm.payload, { kind: 'pilotCommand', connectorId: 1, output: { mode: 'pwm', dutyPercent: 26.7 } });
    const far = decodeFrame(BASE, encodeFrame(BASE, { kind: 'proximity', connectorId: 1, ohms: 70_000 }, 0));
    assert.ok(far.ok);
    assert.equal((far.payload as { ohms: number }).ohms, Number.POSITIVE_INFINITY);
  });

  it('lays ids out as base + offset + connector slot', () => {
    assert.equal(frameId(BASE, 'status', 1), 0x100);
    assert.equal(frameId(BASE, 'status', 8), 0x107);
    assert.equal(frameId(BASE, 'mcuHeartbeat'), 0x108);
    assert.equal(frameId(BASE, 'appHeartbeat'), 0x109);
    assert.equal(frameId(BASE, 'pilotCommand', 2), 0x111);
    assert.equal(frameId(BASE, 'powerCommand', 1), 0x118);
    assert.equal(frameId(BASE, 'lockCommand', 1), 0x120);
    assert.equal(frameId(BASE, 'rcdTestCommand', 1), 0x128);
    assert.equal(frameId(BASE, 'pilotLevels', 1), 0x130);
    assert.equal(frameId(BASE, 'proximity', 1), 0x138);
    assert.equal(frameId(BASE, 'temperature', 1), 0x140);
    assert.equal(frameId(BASE, 'rcdTestResult', 8), 0x14f);
    assert.deepEqual(identify(BASE, 0x113), { kind: 'pilotCommand', connectorId: 4 });
    assert.equal(identify(BASE, 0x10a), null);
    assert.equal(identify(BASE, 0x150), null);
    assert.equal(frameId(MAX_BASE_ID, 'rcdTestResult', 8), 0x7ff);
    assert.throws(() => encodeFrame(MAX_BASE_ID + 1, SAMPLES[0]!, 0), RangeError);
    assert.throws(() => encodeFrame(-1, SAMPLES[0]!, 0), RangeError);
    assert.throws(() => frameId(BASE, 'status', 0), RangeError);
    assert.throws(() => frameId(BASE, 'status', 9), RangeError);
  });

  it('names fault flags', () => {
    assert.deepEqual(faultFlagNames(FAULT_FLAGS.appWatchdog | FAULT_FLAGS.overTemperature), ['overTemperature', 'appWatchdog']);
    assert.deepEqual(faultFlagNames(0x8000), []);
  });

  it('refuses to encode values the protocol cannot carry', () => {
    const cases: Payload[] = [
      { kind: 'pilotCommand', connectorId: 1, output: { mode: 'pwm', dutyPercent: 100.1 } },
      { kind: 'pilotCommand', connectorId: 1, output: { mode: 'pwm', dutyPercent: Number.NaN } },
      { kind: 'pilotCommand', connectorId: 1, output: { mode: 'bogus' } as never },
      { kind: 'temperature', connectorId: 1, celsius: 4000 },
      { kind: 'pilotLevels', connectorId: 1, highMv: 40_000, lowMv: null },
      { kind: 'proximity', connectorId: 1, ohms: -1 },
      { kind: 'rcdTestCommand', connectorId: 1, sequence: 256 },
      { kind: 'mcuHeartbeat', uptimeMs: -1, state: 'running', protocolVersion: 1, appCounterEcho: 0 },
    ];
    for (const payload of cases) assert.throws(() => encodeFrame(BASE, payload, 0), /RangeError|TypeError/, JSON.stringify(payload));
    assert.throws(() => encodeFrame(BASE, SAMPLES[0]!, 256), RangeError);
  });
});

describe('CAN frames: malformed frames', () => {
  const good = encodeFrame(BASE, { kind: 'temperature', connectorId: 1, celsius: 30 }, 5);

  it('rejects a wrong DLC', () => {
    for (const length of [0, 1, 7]) {
      const result = decodeFrame(BASE, { id: good.id, data: good.data.subarray(0, length) });
      assert.equal(result.ok, false);
      assert.equal(!result.ok && result.error, 'dlc');
    }
    const long = decodeFrame(BASE, { id: good.id, data: Buffer.concat([good.data, Buffer.from([0])]) });
    assert.equal(!long.ok && long.error, 'dlc');
  });

  it('rejects every single-bit error in the data (bad CRC)', () => {
    for (let bit = 0; bit < 64; bit++) {
      const data = Buffer.from(good.data);
      data[bit >> 3] = data[bit >> 3]! ^ (1 << (bit & 7));
      const result = decodeFrame(BASE, { id: good.id, data });
      assert.equal(!result.ok && result.error, 'crc', `bit ${bit}`);
    }
  });

  it('rejects a payload under another id (the id is in the CRC)', () => {
    const result = decodeFrame(BASE, { id: frameId(BASE, 'temperature', 2), data: good.data });
    assert.equal(!result.ok && result.error, 'crc');
  });

  it('rejects undefined field values, and another protocol version', () => {
    const cases: [CanFrame, string][] = [
      [withBytes(encodeFrame(BASE, SAMPLES[4]!, 0), { 0: 0xe9, 1: 0x03 }), 'value'], // duty 100.1 %
      [withBytes(encodeFrame(BASE, SAMPLES[0]!, 0), { 0: 0 }), 'value'], // app state 0
      [withBytes(encodeFrame(BASE, SAMPLES[9]!, 0), { 0: 2 }), 'value'], // allow-power 2
      [withBytes(encodeFrame(BASE, SAMPLES[11]!, 0), { 0: 7 }), 'value'], // lock 7
      [withBytes(encodeFrame(BASE, SAMPLES[14]!, 0), { 3: 3 }), 'value'], // RCD code 3
      [withBytes(encodeFrame(BASE, SAMPLES[14]!, 0), { 4: 0x00, 5: 0x10 }), 'value'], // pilot word 0x1000
      [withBytes(encodeFrame(BASE, SAMPLES[17]!, 0), { 0: 0x00, 1: 0x80 }), 'value'], // high level missing
      [withBytes(encodeFrame(BASE, SAMPLES[26]!, 0), { 1: 4 }), 'value'], // self-test result 4
      [withBytes(encodeFrame(BASE, SAMPLES[2]!, 0), { 4: 0x14 }), 'value'], // MCU state 4
      [withBytes(encodeFrame(BASE, SAMPLES[2]!, 0), { 4: 0x21 }), 'version'], // protocol 2
    ];
    for (const [frame, error] of cases) {
      const result = decodeFrame(BASE, frame);
      assert.equal(result.ok, false, hex(frame.data));
      assert.equal(!result.ok && result.error, error, `${hex(frame.data)}: ${!result.ok && result.detail}`);
    }
  });

  it('ignores reserved bytes and bits', () => {
    const frame = withBytes(encodeFrame(BASE, SAMPLES[9]!, 0), { 3: 0xff, 5: 0x55 });
    const result = decodeFrame(BASE, frame);
    assert.ok(result.ok);
    assert.deepEqual(result.payload, SAMPLES[9]);
  });

  it('tells foreign ids from unknown ids in its own range', () => {
    const foreign = decodeFrame(BASE, { id: 0x0ff, data: good.data });
    assert.equal(!foreign.ok && foreign.error, 'foreign');
    const beyond = decodeFrame(BASE, { id: BASE + 0x50, data: good.data });
    assert.equal(!beyond.ok && beyond.error, 'foreign');
    const reserved = decodeFrame(BASE, { id: BASE + 0x0a, data: good.data });
    assert.equal(!reserved.ok && reserved.error, 'unknownId');
  });
});

describe('CAN frames: counter rule', () => {
  it('accepts the first frame and steps of 1–15, drops repeats and jumps', () => {
    const tracker = new CounterTracker();
    assert.equal(tracker.check(0x108, 10), 'first');
    assert.equal(tracker.check(0x108, 11), 'next');
    assert.equal(tracker.check(0x108, 11), 'repeated');
    assert.equal(tracker.check(0x108, 26), 'skipped'); // 15 ahead: 14 frames lost
    assert.equal(tracker.check(0x108, 42), 'jump'); // 16 ahead
    assert.equal(tracker.check(0x108, 43), 'next'); // resynchronised on the jump
    assert.equal(tracker.check(0x108, 40), 'jump'); // stale: behind
    assert.equal(tracker.check(0x100, 40), 'first'); // counters are per id
  });

  it('wraps 255 → 0', () => {
    const tracker = new CounterTracker();
    tracker.check(1, 254);
    assert.equal(tracker.check(1, 255), 'next');
    assert.equal(tracker.check(1, 0), 'next');
    assert.equal(tracker.check(1, 10), 'skipped');
  });

  it('counts each id on its own when sending', () => {
    const sequence = new CounterSequence();
    assert.deepEqual([sequence.take(1), sequence.take(1), sequence.take(2), sequence.take(1)], [0, 1, 0, 2]);
    assert.equal(sequence.last(1), 2);
    for (let i = 0; i < 253; i++) sequence.take(1);
    assert.equal(sequence.take(1), 0);
  });
});
