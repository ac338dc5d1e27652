import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { systemClock, VirtualClock } from '../../../hal/clock.js';
import { HardwareUnavailableError } from '../../../hal/hardware-packages.js';
import { RfidReaderSimulator } from '../../../hal/far-side/rfid-reader-simulator.js';
import { PN532_COMMANDS } from '../../../hal/serial/pn532-frames.js';
import { SerialRfidReader, type RfidProtocol, type SerialRfidOptions } from '../../../hal/serial/serial-rfid-reader.js';
import { catchUncaught } from '../../support/uncaught.js';
import { makeBench, sleep, waitFor, type Bench } from './serial-fixtures.js';

const FAST: Partial<SerialRfidOptions> = { pollIntervalMs: 20, responseTimeoutMs: 100, watchdogIntervalMs: 50, reopenBackoffMs: [50, 100] };

describe('serial RFID reader (socat pty pair)', function () {
  this.timeout(10_000);
  let bench: Bench;
  let sim: RfidReaderSimulator | null = null;
  let reader: SerialRfidReader | null = null;
  let uids: string[] = [];
  let errors: string[] = [];

  beforeEach(async () => {
    bench = await makeBench();
    uids = [];
    errors = [];
  });

  afterEach(async () => {
    await reader?.close();
    await sim?.close();
    await bench.dispose();
    reader = null;
    sim = null;
  });

  async function start(protocol: RfidProtocol, extra: Partial<SerialRfidOptions> = {}, clock = systemClock): Promise<SerialRfidReader> {
    sim = await RfidReaderSimulator.open({ path: bench.devicePath, baudRate: 115200, protocol });
    reader = await SerialRfidReader.open({ path: bench.driverPath, baudRate: 115200, protocol, ...FAST, ...extra }, clock);
    reader.onCard((card) => uids.push(card.uid));
    reader.onError((error) => errors.push(error.message));
    return reader;
  }

  describe('uid-line', () => {
    it('delivers one card per line, whatever the case, separators and line ending', async () => {
      const r = await start('uid-line');
      await sim!.presentCard('04A1B2C3');
      await sim!.presentCard('04a1b2c3d4e5f6', { lowerCase: true, lineEnding: '\n' });
      await sim!.presentCard('DEADBEEF', { separator: ':', lowerCase: true, lineEnding: '\r' });
      await sim!.presentCard('0102030405', { separator: ' ' });
      await waitFor(() => uids.length === 4, 'four cards');
      assert.deepEqual(uids, ['04A1B2C3', '04A1B2C3D4E5F6', 'DEADBEEF', '0102030405']);
      assert.deepEqual(r.stats, { cards: 4, badFrames: 0, disconnects: 0, reopens: 0, timeouts: 0 });
    });

    it('drops and counts garbage lines and binary junk; the next valid line still works', async () => {
      const r = await start('uid-line');
      await sim!.writeRaw('hello world\r\n');
      await sim!.writeRaw(Buffer.from([0x02, 0xff, 0x00, 0x9c, 0x0a]));
      await sim!.writeRaw('04A1B\r\n'); // odd number of digits
      await sim!.writeRaw('04:A1:B2C3\r\n'); // mixed grouping
      await sim!.writeRaw(`${'A'.repeat(200)}\r\n`); // runaway line
      await sim!.presentCard('04A1B2C3');
      await waitFor(() => uids.length === 1, 'the valid card');
      assert.deepEqual(uids, ['04A1B2C3']);
      assert.equal(r.stats.badFrames, 5);
    });

    it('a card listener that throws: the other listeners still get the card, and the error reaches the process uncaught (hal/listeners.ts), not onError', async () => {
      const r = await start('uid-line');
      const after: string[] = [];
      r.onCard(() => {
        throw new Error('card listener bug');
      });
      r.onCard((card) => after.push(card.uid));
      const uncaught = catchUncaught();
      try {
        await sim!.presentCard('04A1B2C3');
        await waitFor(() => uncaught.errors.length === 1, 'the uncaught error');
      } finally {
        uncaught.restore();
      }
      assert.deepEqual(uncaught.errors.map(String), ['Error: card listener bug']);
      assert.deepEqual([uids, after], [['04A1B2C3'], ['04A1B2C3']]);
      assert.deepEqual(errors, [], 'a listener bug is no reader problem');
    });

    it('assembles a line that arrives in pieces', async () => {
      await start('uid-line');
      await sim!.writeRaw('04A1');
      await sleep(20);
      await sim!.writeRaw('B2C3\r');
      await sleep(20);
      await sim!.writeRaw('\n');
      await waitFor(() => uids.length === 1, 'the card');
      assert.deepEqual(uids, ['04A1B2C3']);
    });

    it('reports an unplugged port, reopens it with backoff when it comes back, and reads cards again', async () => {
      const r = await start('uid-line');
      await sim!.presentCard('04A1B2C3');
      await waitFor(() => uids.length === 1, 'the first card');
      await sim!.close();
      await bench.unplug();
      await waitFor(() => r.stats.disconnects === 1, 'the disconnect');
      assert.match(errors[0]!, /RFID reader at .*driver: port lost \(.*\); reopening/);
      await waitFor(() => errors.some((e) => /cannot reopen the port \(attempt \d\): ENOENT/.test(e)), 'a failed reopen');
      await bench.plug();
      sim = await RfidReaderSimulator.open({ path: bench.devicePath, baudRate: 115200, protocol: 'uid-line' });
      await waitFor(() => r.stats.reopens === 1, 'the reopen');
      await sim.presentCard('DEADBEEF');
      await waitFor(() => uids.length === 2, 'the card after the reopen');
      assert.deepEqual(uids, ['04A1B2C3', 'DEADBEEF']);
      assert.equal(r.stats.disconnects, 1);
    });

    it('waits out the backoff on its clock before each reopen attempt', async () => {
      const clock = new VirtualClock();
      const r = await start('uid-line', { watchdogIntervalMs: 1000, reopenBackoffMs: [250, 1000] }, clock);
      await sim!.close();
      await bench.unplug();
      // The port may say it is gone (EBADF, EIO) or go quiet; then the watchdog notices the node is gone.
      await waitFor(() => r.stats.disconnects === 1, 'the port to report itself gone', 500).catch(async () => {
        await clock.advance(1000);
        await waitFor(() => r.stats.disconnects === 1, 'the watchdog to notice');
      });
      // Either way the loss happened at the clock's present time: the backoff counts from here.
      const attempts = () => errors.filter((e) => /cannot reopen/.test(e)).length;
      await clock.advance(249);
      await sleep(30);
      assert.equal(attempts(), 0);
      await clock.advance(1);
      await waitFor(() => attempts() === 1, 'the first attempt, at 250 ms');
      await clock.advance(999);
      await sleep(30);
      assert.equal(attempts(), 1);
      await clock.advance(1);
      await waitFor(() => attempts() === 2, 'the second attempt, 1000 ms later');
      await clock.advance(1000);
      await waitFor(() => attempts() === 3, 'the third attempt: the last delay repeats');
    });
  });

  describe('pn532-hsu', () => {
    it('wakes the PN532 up and configures it before polling', async () => {
      await start('pn532-hsu');
      await waitFor(() => sim!.commands.length >= 3, 'the first poll');
      assert.deepEqual(sim!.commands.slice(0, 3), [PN532_COMMANDS.samConfiguration, PN532_COMMANDS.rfConfiguration, PN532_COMMANDS.inListPassiveTarget]);
    });

    it('reports a card once when it enters the field, and again after it left and came back', async () => {
      const r = await start('pn532-hsu');
      sim!.presentCard('04A1B2C3');
      await waitFor(() => uids.length === 1, 'the card');
      const polls = sim!.commands.length;
      await waitFor(() => sim!.commands.length >= polls + 5, 'more polls');
      assert.equal(uids.length, 1, 'not again while it stays in the field');
      sim!.removeCard();
      await waitFor(() => sim!.commands.length >= polls + 8, 'polls without a card');
      sim!.presentCard('04A1B2C3D4E5F6');
      await waitFor(() => uids.length === 2, 'the second card');
      assert.deepEqual(uids, ['04A1B2C3', '04A1B2C3D4E5F6']);
      assert.equal(r.stats.badFrames, 0);
    });

    for (const corruption of ['checksum', 'length', 'partial', 'garbage-before'] as const) {
      it(`drops and counts a frame spoiled by ${corruption}, and reads the card from a valid frame`, async () => {
        const r = await start('pn532-hsu');
        await waitFor(() => sim!.commands.length >= 3, 'polling');
        sim!.corruptNextAnswer(corruption);
        sim!.presentCard('04A1B2C3');
        await waitFor(() => uids.length === 1, 'the card');
        assert.deepEqual(uids, ['04A1B2C3']);
        assert.equal(r.stats.badFrames, 1);
      });
    }

    it('counts garbage between frames and keeps working', async () => {
      const r = await start('pn532-hsu');
      await sim!.writeRaw(Buffer.from([0x13, 0x37, 0x00, 0xff, 0x05, 0x00, 0x42]));
      sim!.presentCard('04A1B2C3');
      await waitFor(() => uids.length === 1, 'the card');
      assert.ok(r.stats.badFrames >= 1, `badFrames ${r.stats.badFrames}`);
    });

    it('reports a PN532 that stops answering, and wakes it up again when it is back', async () => {
      const r = await start('pn532-hsu');
      await waitFor(() => sim!.commands.length >= 3, 'polling');
      sim!.silent = true;
      await waitFor(() => errors.some((e) => /did not answer 3 commands in a row/.test(e)), 'the report');
      assert.ok(r.stats.timeouts >= 3);
      const before = sim!.commands.length;
      sim!.silent = false;
      sim!.presentCard('04A1B2C3');
      await waitFor(() => uids.length === 1, 'the card');
      assert.equal(sim!.commands[before], PN532_COMMANDS.samConfiguration, 'woken up and configured again');
    });

    it('refuses to open when the PN532 does not answer', async () => {
      sim = await RfidReaderSimulator.open({ path: bench.devicePath, baudRate: 115200, protocol: 'pn532-hsu' });
      sim.silent = true;
      await assert.rejects(SerialRfidReader.open({ path: bench.driverPath, baudRate: 115200, protocol: 'pn532-hsu', ...FAST }, systemClock), (error: unknown) => {
        assert.ok(error instanceof HardwareUnavailableError);
        assert.equal(error.device, 'RFID reader');
        assert.match(error.reason, /the PN532 does not answer/);
        return true;
      });
    });

    it('reopens an unplugged PN532 and configures it again', async () => {
      const r = await start('pn532-hsu');
      await sim!.close();
      await bench.unplug();
      await waitFor(() => r.stats.disconnects === 1, 'the disconnect');
      await bench.plug();
      sim = await RfidReaderSimulator.open({ path: bench.devicePath, baudRate: 115200, protocol: 'pn532-hsu' });
      sim.presentCard('04A1B2C3');
      await waitFor(() => uids.length === 1, 'the card after the reopen');
      assert.equal(sim.commands[0], PN532_COMMANDS.samConfiguration);
      assert.equal(r.stats.reopens, 1);
    });
  });

  it('refuses to open a missing device, naming the device, the path and the reason', async () => {
    const path = join(tmpdir(), 'no-such-rfid-device');
    await assert.rejects(SerialRfidReader.open({ path, baudRate: 9600, protocol: 'uid-line' }, systemClock), (error: unknown) => {
      assert.ok(error instanceof HardwareUnavailableError);
      assert.equal(error.device, 'RFID reader');
      assert.equal(error.path, path);
      assert.match(error.reason, /ENOENT/);
      return true;
    });
  });
});
