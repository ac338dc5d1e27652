// The pure parts of the serial drivers: PN532 frames, UID lines, register maps and their codec.

import { strict as assert } from 'node:assert';
import { modbusCrc } from '../../../hal/far-side/modbus-meter-simulator.js';
import { ABB_B23, SDM630, type MeterQuantity } from '../../../hal/serial/meter-register-maps.js';
import { ACK_FRAME, encodeFrame, ERROR_FRAME, NACK_FRAME, Pn532FrameDecoder, type BadFrameReason, type Pn532Frame } from '../../../hal/serial/pn532-frames.js';
import { targetUid } from '../../../hal/serial/pn532-session.js';
import { decodeBlock, encodeField, planReads } from '../../../hal/serial/register-codec.js';
import { parseUidLine, UidLineDecoder } from '../../../hal/serial/uid-line-decoder.js';

function decoder(): { push(bytes: number[] | Buffer): void; frames: Pn532Frame[]; bad: BadFrameReason[]; d: Pn532FrameDecoder } {
  const frames: Pn532Frame[] = [];
  const bad: BadFrameReason[] = [];
  const d = new Pn532FrameDecoder((f) => frames.push(f), (r) => bad.push(r));
  return { push: (bytes) => d.push(Buffer.from(bytes)), frames, bad, d };
}

const info = (data: number[]): Pn532Frame => ({ kind: 'information', tfi: 0xd5, data: Buffer.from(data) });

describe('PN532 frames', () => {
  it('encodes a command as the user manual shows it (GetFirmwareVersion: 00 00 FF 02 FE D4 02 2A 00)', () => {
    assert.deepEqual([...encodeFrame(0xd4, Buffer.from([0x02]))], [0x00, 0x00, 0xff, 0x02, 0xfe, 0xd4, 0x02, 0x2a, 0x00]);
  });

  it('decodes ACK, NACK, error and information frames, even byte by byte', () => {
    const t = decoder();
    const stream = Buffer.concat([ACK_FRAME, encodeFrame(0xd5, Buffer.from([0x03, 0x32, 0x01, 0x06, 0x07])), NACK_FRAME, ERROR_FRAME]);
    for (const byte of stream) t.push([byte]);
    assert.deepEqual(t.frames, [{ kind: 'ack' }, info([0x03, 0x32, 0x01, 0x06, 0x07]), { kind: 'nack' }, { kind: 'error' }]);
    assert.deepEqual(t.bad, []);
  });

  it('round-trips an extended frame', () => {
    const t = decoder();
    const data = Array.from({ length: 300 }, (_, i) => i & 0xff);
    t.push(encodeFrame(0xd5, Buffer.from(data)));
    assert.deepEqual(t.frames, [info(data)]);
  });

  it('counts garbage once and resynchronises on the next start code', () => {
    const t = decoder();
    t.push([0x13, 0x37, 0x42, 0x00, 0x99, ...encodeFrame(0xd5, Buffer.from([0x15]))]);
    assert.deepEqual(t.frames, [info([0x15])]);
    assert.deepEqual(t.bad, ['garbage']);
  });

  it('drops a frame with a bad data checksum, counting it once, and reads the next one', () => {
    const t = decoder();
    const spoiled = encodeFrame(0xd5, Buffer.from([0x4b, 0x00]));
    spoiled[spoiled.length - 2] ^= 0xff;
    t.push([...spoiled, ...encodeFrame(0xd5, Buffer.from([0x4b, 0x00]))]);
    assert.deepEqual(t.frames, [info([0x4b, 0x00])]);
    assert.deepEqual(t.bad, ['data checksum']);
  });

  it('drops a frame with a bad length checksum, counting it once (its body is not counted again)', () => {
    const t = decoder();
    const spoiled = encodeFrame(0xd5, Buffer.from([0x4b, 0x01, 0x01, 0x00, 0x04, 0x08, 0x04, 1, 2, 3, 4]));
    spoiled[4] ^= 0x01;
    t.push(spoiled);
    t.push(encodeFrame(0xd5, Buffer.from([0x33])));
    assert.deepEqual(t.frames, [info([0x33])]);
    assert.deepEqual(t.bad, ['length checksum']);
  });

  it('gives up a frame cut short: the next frame is read, once it is complete or on reset', () => {
    const t = decoder();
    const whole = encodeFrame(0xd5, Buffer.from([0x4b, 0x00]));
    t.push([...whole.subarray(0, 6), ...whole]); // the cut frame takes the next one's bytes: bad checksum
    assert.deepEqual(t.frames, [info([0x4b, 0x00])]);
    assert.deepEqual(t.bad, ['data checksum']);
    t.push([0x00, 0x00, 0xff, 0x40, 0xc0, 0xd5, 0x4b, ...whole]); // claims 64 bytes, but a whole frame follows
    assert.deepEqual(t.frames, [info([0x4b, 0x00]), info([0x4b, 0x00])]);
    assert.deepEqual(t.bad, ['data checksum', 'partial']);
    t.bad.length = 0;
    t.push(whole.subarray(0, 5));
    t.d.reset();
    assert.deepEqual(t.bad, ['partial']);
    t.push(whole);
    assert.equal(t.frames.length, 3);
  });

  it('rejects an information frame of length 0', () => {
    const t = decoder();
    t.push([0x00, 0x00, 0xff, 0x00, 0x00, 0x00]); // LEN 0, LCS 0: not an ACK, and no TFI
    assert.deepEqual(t.bad, ['length']);
  });

  it('reads the UID out of an InListPassiveTarget answer', () => {
    assert.equal(targetUid(Buffer.from([0x00])), null);
    assert.equal(targetUid(Buffer.from([0x01, 0x01, 0x00, 0x04, 0x08, 0x04, 0xde, 0xad, 0xbe, 0xef])), 'DEADBEEF');
    assert.equal(targetUid(Buffer.from([0x01, 0x01, 0x00, 0x44, 0x00, 0x07, 1, 2, 3, 4, 5, 6, 7])), '01020304050607');
    assert.throws(() => targetUid(Buffer.from([0x01, 0x01, 0x00, 0x04, 0x08, 0x05, 1, 2, 3, 4, 5])), /bad NFCID1 length 5/);
    assert.throws(() => targetUid(Buffer.from([0x01, 0x01, 0x00, 0x04, 0x08, 0x04, 1, 2])), /bad NFCID1 length/);
  });
});

describe('UID lines', () => {
  it('accepts hex UIDs of 4 to 10 bytes, in either case, plain or as separated byte pairs', () => {
    assert.equal(parseUidLine('04A1B2C3'), '04A1B2C3');
    assert.equal(parseUidLine('  04a1b2c3d4e5f6 '), '04A1B2C3D4E5F6');
    assert.equal(parseUidLine('de:ad:be:ef'), 'DEADBEEF');
    assert.equal(parseUidLine('01 02 03 04 05'), '0102030405');
    assert.equal(parseUidLine('0102030405060708090A'), '0102030405060708090A');
  });

  it('refuses anything else', () => {
    for (const line of ['04A1B2', '04A1B2C', '0102030405060708090A0B', 'hello', '04:A1:B2C3', '04-A1-B2-C3', '0x04A1B2C3', '04A1B2C3\u0000']) {
      assert.equal(parseUidLine(line), null, line);
    }
  });

  it('splits on CR, LF and CR LF, and drops a runaway line up to its end', () => {
    const uids: string[] = [];
    const bad: string[] = [];
    const d = new UidLineDecoder((u) => uids.push(u), (r) => bad.push(r));
    d.push(Buffer.from(`04A1B2C3\r\nDEADBEEF\n${'F'.repeat(100)}CAFEBABE\rCAFEBABE\r`));
    assert.deepEqual(uids, ['04A1B2C3', 'DEADBEEF', 'CAFEBABE']);
    assert.deepEqual(bad, ['line too long']);
    d.push(Buffer.from('0102'));
    d.reset();
    assert.deepEqual(bad, ['line too long', 'partial line']);
  });
});

describe('meter register maps', () => {
  const all = Object.keys(SDM630.fields) as MeterQuantity[];

  it('plans the SDM630 in three input-register requests and the ABB B23 in two holding-register requests', () => {
    assert.deepEqual(planReads(SDM630, all).map((b) => [b.start, b.count]), [[0x0000, 18], [0x0034, 2], [0x0046, 4]]);
    assert.deepEqual(planReads(ABB_B23, all).map((b) => [b.start, b.count]), [[0x5000, 4], [0x5b00, 45]]);
  });

  it('never lets a request pass registers the meter does not document, or grow past its limit', () => {
    const narrow = { ...ABB_B23, maxRegistersPerRequest: 20 };
    for (const block of planReads(narrow, all)) assert.ok(block.count <= 20, `${block.start}: ${block.count}`);
    const sdm = planReads(SDM630, ['voltageL1', 'totalPower']);
    assert.deepEqual(sdm.map((b) => [b.start, b.count]), [[0x0000, 2], [0x0034, 2]]);
  });

  it('decodes SDM630 IEEE-754 floats, high word first (230.0 V = 0x4366 0x0000), kWh to Wh', () => {
    const block = planReads(SDM630, ['voltageL1'])[0]!;
    assert.equal(decodeBlock(SDM630, block, Buffer.from([0x43, 0x66, 0x00, 0x00])).get('voltageL1'), 230);
    const energy = planReads(SDM630, ['importEnergy'])[0]!;
    assert.equal(decodeBlock(SDM630, energy, encodeField(SDM630.fields.importEnergy, 98_765_000)).get('importEnergy'), 98_765_000);
    assert.equal(decodeBlock(SDM630, block, Buffer.from([0x7f, 0xc0, 0x00, 0x00])).get('voltageL1'), null, 'NaN is no value');
  });

  it('decodes ABB B23 scaled integers, and its all-ones marker as no value', () => {
    const block = planReads(ABB_B23, ['voltageL1', 'powerL1', 'frequency'])[0]!;
    const bytes = Buffer.alloc(block.count * 2);
    bytes.writeUInt32BE(2301, 0); // 0x5B00: 230.1 V
    bytes.writeInt32BE(-150_025, (0x5b16 - 0x5b00) * 2); // -1500.25 W (exporting)
    bytes.writeUInt16BE(4998, (0x5b2c - 0x5b00) * 2); // 49.98 Hz
    assert.deepEqual([...decodeBlock(ABB_B23, block, bytes)], [['voltageL1', 230.1], ['powerL1', -1500.25], ['frequency', 49.98]]);
    bytes.writeUInt32BE(0xffffffff, 0);
    assert.equal(decodeBlock(ABB_B23, block, bytes).get('voltageL1'), null);
    const energy = planReads(ABB_B23, ['importEnergy'])[0]!;
    const raw = Buffer.alloc(8);
    raw.writeBigUInt64BE(123_456_789n); // 0.01 kWh
    assert.equal(decodeBlock(ABB_B23, energy, raw).get('importEnergy'), 1_234_567_890);
  });

  it('checks Modbus CRCs like the specification example (01 03 00 00 00 0A → C5 CD)', () => {
    assert.equal(modbusCrc(Buffer.from([0x01, 0x03, 0x00, 0x00, 0x00, 0x0a])), 0xcdc5);
  });
});
