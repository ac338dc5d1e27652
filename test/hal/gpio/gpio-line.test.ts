import { strict as assert } from 'node:assert';
import { OutputWriteError } from '../../../hal/interfaces.js';
import { existsSync } from 'node:fs';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { CHATTER_LIMIT_FACTOR, GpioInput, GpioOutput } from '../../../hal/gpio/gpio-line.js';
import { HardwareUnavailableError } from '../../../hal/hardware-packages.js';
import { catchUncaught } from '../../support/uncaught.js';
import { gpioRig } from './rig.js';

describe('GPIO output', () => {
  it('starts de-asserted, in one write of direction and level', async () => {
    const rig = gpioRig();
    const out = await rig.output(5);
    assert.equal(rig.onoff.line(5).direction, 'low');
    assert.equal(rig.onoff.line(5).level, 0);
    assert.equal(out.asserted, false);
  });

  it('active-low: exported "high" (de-asserted), asserting drives the pin low', async () => {
    const rig = gpioRig();
    const out = await rig.output(6, true);
    const line = rig.onoff.line(6);
    assert.equal(line.direction, 'high');
    assert.equal(line.activeLow, true);
    assert.equal(line.level, 1);
    out.set(true);
    assert.equal(line.level, 0);
    assert.equal(out.asserted, true);
    assert.equal(rig.onoff.isAsserted(6), true);
  });

  it('writes every command and de-asserts and unexports on close (idempotent)', async () => {
    const rig = gpioRig();
    const out = await rig.output(7);
    out.set(true);
    out.set(false);
    out.set(true);
    assert.deepEqual(rig.onoff.line(7).writes, [0, 1, 0, 1]);
    out.close();
    out.close();
    assert.equal(rig.onoff.line(7).level, 0);
    assert.equal(rig.onoff.line(7).exported, false);
    out.set(true); // after close: remembered, not written
    assert.deepEqual(rig.onoff.line(7).writes, [0, 1, 0, 1, 0]);
  });

  it('throws OutputWriteError on a failed write (a safety output that cannot be written is a fault), naming the line', async () => {
    const rig = gpioRig();
    const out = await rig.output(8);
    rig.onoff.failWrites(8);
    assert.throws(() => out.set(true), (error: unknown) =>
      error instanceof OutputWriteError && error.path === '/sys/class/gpio/gpio8/value' && /EIO/.test(error.reason));
    assert.equal(out.writeErrors, 1);
    assert.equal(out.asserted, true, 'asserted is the last command');
    assert.doesNotThrow(() => out.close(), 'closing is best effort');
  });
});

describe('GPIO input', () => {
  it('reads the level at open and honours activeLow', async () => {
    const rig = gpioRig();
    rig.onoff.setLevel(10, 1);
    const high = await rig.input(10);
    assert.equal(high.read(), true);
    rig.onoff.setLevel(11, 1);
    const activeLow = await rig.input(11, 0, true);
    assert.equal(activeLow.read(), false);
    assert.equal(rig.onoff.line(11).edge, 'both', 'interrupts on both edges');
    assert.equal(rig.onoff.line(11).watchers, 1);
  });

  it('without debounce, reports each change at once', async () => {
    const rig = gpioRig();
    const input = await rig.input(12);
    const seen: boolean[] = [];
    input.onChange((v) => seen.push(v));
    rig.onoff.setLevel(12, 1);
    rig.onoff.setLevel(12, 0);
    assert.deepEqual(seen, [true, false]);
  });

  it('debounces: a glitch shorter than debounceMs is ignored, a steady change counts after debounceMs', async () => {
    const rig = gpioRig();
    const input = await rig.input(13, 20);
    const seen: boolean[] = [];
    input.onChange((v) => seen.push(v));
    rig.onoff.setLevel(13, 1);
    await rig.clock.advance(5);
    rig.onoff.setLevel(13, 0);
    await rig.clock.advance(50);
    assert.deepEqual(seen, []);
    assert.equal(input.read(), false);

    rig.onoff.setLevel(13, 1);
    await rig.clock.advance(19);
    assert.equal(input.read(), false, 'not yet: still within the debounce time');
    await rig.clock.advance(1);
    assert.equal(input.read(), true);
    assert.deepEqual(seen, [true]);
  });

  it('bounce during the debounce restarts it; the settled level counts', async () => {
    const rig = gpioRig();
    const input = await rig.input(14, 10);
    const seen: boolean[] = [];
    input.onChange((v) => seen.push(v));
    for (const level of [1, 0, 1, 0, 1] as const) {
      rig.onoff.setLevel(14, level);
      await rig.clock.advance(3);
    }
    assert.deepEqual(seen, []);
    await rig.clock.advance(7);
    assert.deepEqual(seen, [true]);
  });

  it('a line that keeps chattering reads as not asserted (a loose wire cannot hide an alarm)', async () => {
    const rig = gpioRig();
    rig.onoff.setLevel(15, 1);
    const input = await rig.input(15, 10);
    const seen: boolean[] = [];
    input.onChange((v) => seen.push(v));
    let level: 0 | 1 = 1;
    for (let t = 0; t < CHATTER_LIMIT_FACTOR * 10 + 10; t += 4) {
      level = level ? 0 : 1;
      rig.onoff.setLevel(15, level);
      await rig.clock.advance(4);
    }
    assert.equal(input.read(), false);
    assert.deepEqual(seen, [false]);
    rig.onoff.setLevel(15, 1);
    await rig.clock.advance(10);
    assert.equal(input.read(), true, 'recovers once settled');
  });

  it('an unreadable line reads as not asserted and counts an error', async () => {
    const rig = gpioRig();
    rig.onoff.setLevel(16, 1);
    const input = await rig.input(16);
    assert.equal(input.read(), true);
    rig.onoff.failReads(16);
    rig.onoff.setLevel(16, 0);
    rig.onoff.setLevel(16, 1);
    assert.equal(input.read(), false);
    assert.ok(input.readErrors >= 1);
  });

  it('close stops watching, clears the debounce timer and unexports', async () => {
    const rig = gpioRig();
    const input = await rig.input(17, 20);
    const seen: boolean[] = [];
    input.onChange((v) => seen.push(v));
    rig.onoff.setLevel(17, 1);
    input.close();
    input.close();
    assert.equal(rig.clock.pendingTimers, 0);
    assert.equal(rig.onoff.line(17).exported, false);
    await rig.clock.advance(50);
    assert.deepEqual(seen, []);
  });

  it('every listener hears a change even when one throws; the error reaches the process uncaught (hal/listeners.ts)', async () => {
    const rig = gpioRig();
    const input = await rig.input(18);
    const seen: string[] = [];
    input.onChange(() => {
      throw new Error('listener bug');
    });
    input.onChange((v) => seen.push(`second ${v}`));
    const uncaught = catchUncaught();
    try {
      assert.doesNotThrow(() => rig.onoff.setLevel(18, 1), 'not into the interrupt callback');
      assert.deepEqual(seen, ['second true']);
      await nextTurn();
    } finally {
      uncaught.restore();
    }
    assert.deepEqual(uncaught.errors.map(String), ['Error: listener bug']);
  });
});

describe('GPIO lines that cannot be opened', () => {
  async function refusal(open: () => Promise<unknown>): Promise<HardwareUnavailableError> {
    try {
      await open();
    } catch (error) {
      assert.ok(error instanceof HardwareUnavailableError, `expected HardwareUnavailableError, got ${String(error)}`);
      return error;
    }
    assert.fail('expected the open to fail');
  }

  it('names the device, the line and the reason when the line is busy', async () => {
    const rig = gpioRig();
    rig.onoff.failExport(17, 'EBUSY');
    const error = await refusal(() => GpioOutput.open({ line: 17 }, 'contactor coil (connector 1)', { onoff: rig.onoff.module }));
    assert.equal(error.device, 'contactor coil (connector 1)');
    assert.equal(error.path, '/sys/class/gpio/gpio17');
    assert.match(error.reason, /gpio17 cannot be exported: the line is in use/);
    assert.match(error.message, /^cannot open contactor coil \(connector 1\) at \/sys\/class\/gpio\/gpio17: gpio17 cannot be exported/);
  });

  it('says when the line does not exist on this SoC', async () => {
    const rig = gpioRig();
    rig.onoff.failExport(999, 'EINVAL', 'Invalid argument');
    const error = await refusal(() => GpioInput.open({ line: 999, debounceMs: 0 }, 'e-stop', { onoff: rig.onoff.module }));
    assert.match(error.message, /e-stop at \/sys\/class\/gpio\/gpio999: gpio999 cannot be exported: no such line on this SoC/);
  });

  it('says when the sysfs GPIO interface is not there (onoff: accessible false)', async () => {
    const rig = gpioRig();
    rig.onoff.accessible = false;
    const error = await refusal(() => GpioInput.open({ line: 4, debounceMs: 5 }, 'ground monitor', { onoff: rig.onoff.module }));
    assert.equal(error.path, '/sys/class/gpio/gpio4');
    assert.match(error.reason, /gpio4: the sysfs GPIO interface \(\/sys\/class\/gpio\) is missing or not writable/);
  });

  it('refuses a bad line number or debounce before touching the hardware', async () => {
    const rig = gpioRig();
    await assert.rejects(GpioOutput.open({ line: -1 }, 'x', { onoff: rig.onoff.module }), RangeError);
    await assert.rejects(GpioInput.open({ line: 1, debounceMs: -5 }, 'x', { onoff: rig.onoff.module }), RangeError);
    assert.equal(rig.onoff.events.length, 0);
  });

  it('without GPIO hardware, the real onoff package refuses with a clear reason', async function () {
    if (existsSync('/sys/class/gpio')) this.skip(); // a real board: do not touch its lines
    const error = await refusal(() => GpioOutput.open({ line: 21 }, 'status LED red'));
    assert.equal(error.device, 'status LED red');
    assert.equal(error.path, '/sys/class/gpio/gpio21');
    assert.ok(error.reason.length > 0);
  });
});
