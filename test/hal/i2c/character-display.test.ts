import { strict as assert } from 'node:assert';
import { VirtualClock } from '../../../hal/clock.js';
import { I2cCharacterDisplay, INIT_TIMING_MS, RETRY_MS } from '../../../hal/i2c/character-display.js';
import { FakeI2cBus, FakePcf8574 } from '../../support/hardware-fakes/fake-i2c-bus.js';

const ADDRESS = 0x27;

function rig(lines: 2 | 4 = 4, width: 16 | 20 = 20) {
  const clock = new VirtualClock();
  const bus = new FakeI2cBus(1);
  const pcf = bus.attach(ADDRESS, new FakePcf8574(clock));
  const display = new I2cCharacterDisplay(bus, ADDRESS, { lines, width }, clock);
  const text = (): string[] => pcf.text(lines, width).map((row) => row.trimEnd());
  return { clock, bus, pcf, display, text };
}

describe('I2C character display (HD44780 via PCF8574)', () => {
  it('show() returns at once; the text appears once written', async () => {
    const { clock, bus, display, text } = rig();
    display.show(['Ready', 'Present your card', 'Connector 1: free', 'Connector 2: 11 kW']);
    assert.equal(bus.transfers.length, 0, 'nothing written synchronously');
    assert.deepEqual(display.lines, ['Ready', 'Present your card', 'Connector 1: free', 'Connector 2: 11 kW']);
    await clock.advance(100);
    assert.deepEqual(text(), ['Ready', 'Present your card', 'Connector 1: free', 'Connector 2: 11 kW']);
    assert.equal(display.idle, true);
  });

  it('initialises by instruction as the datasheet says (4-bit, waits on the clock)', async () => {
    const { clock, pcf, display } = rig();
    const start = clock.now();
    display.show(['x']);
    await clock.advance(100);
    const lcd = pcf.lcd;
    const ins = lcd.instructions.filter((i) => i.rs === 0);
    assert.deepEqual(
      ins.slice(0, 9).map((i) => [i.eightBit, i.value]),
      [
        [true, 0x30],
        [true, 0x30],
        [true, 0x30],
        [true, 0x20],
        [false, 0x28],
        [false, 0x08],
        [false, 0x01],
        [false, 0x06],
        [false, 0x0c],
      ],
    );
    const at = ins.map((i) => i.atMs - start);
    assert.ok(at[0]! >= 40, 'more than 40 ms after power-on');
    assert.ok(at[1]! - at[0]! >= 4.1, 'more than 4.1 ms after the first function set');
    assert.ok(at[2]! - at[1]! >= 0.1, 'more than 100 µs after the second');
    assert.ok(at[7]! - at[6]! >= INIT_TIMING_MS.afterClear && INIT_TIMING_MS.afterClear >= 1.52, 'clear takes 1.52 ms');
    assert.equal(lcd.fourBit, true);
    assert.equal(lcd.twoLines, true);
    assert.equal(lcd.displayOn, true);
    // Every port write keeps the backlight on and R/W low.
    assert.ok(pcf.writes.every((w) => (w.byte & 0x08) !== 0 && (w.byte & 0x02) === 0));
  });

  it('the latest content wins: frames shown meanwhile are never written', async () => {
    const { clock, pcf, display, text } = rig(2, 16);
    display.show(['first']);
    display.show(['second']);
    display.show(['third', 'line two']);
    await clock.advance(100);
    assert.deepEqual(text(), ['third', 'line two']);
    const written = String.fromCharCode(...pcf.lcd.instructions.filter((i) => i.rs === 1).map((i) => i.value));
    assert.ok(!written.includes('first') && !written.includes('second'), written);
  });

  it('rewrites only the rows that changed', async () => {
    const { clock, pcf, display, text } = rig(4, 20);
    display.show(['A', 'B', 'C', 'D']);
    await clock.advance(100);
    const before = pcf.lcd.instructions.length;
    display.show(['A', 'B', 'changed', 'D']);
    await clock.advance(1);
    const addresses = pcf.lcd.instructions
      .slice(before)
      .filter((i) => i.rs === 0 && i.value & 0x80)
      .map((i) => i.value & 0x7f);
    assert.deepEqual(addresses, [0x14], 'row 3 of a 20-wide panel starts at 0x14');
    assert.deepEqual(text(), ['A', 'B', 'changed', 'D']);
  });

  it('cuts lines to the panel, maps ° to the character ROM, clears rows no longer shown', async () => {
    const { clock, display, text } = rig(2, 16);
    display.show(['Socket 23.5°C', 'a line much longer than sixteen', 'a third line']);
    assert.deepEqual(display.lines, ['Socket 23.5°C', 'a line much long']);
    await clock.advance(100);
    assert.deepEqual(text(), ['Socket 23.5°C', 'a line much long']);
    display.show(['only one']);
    await clock.advance(1);
    assert.deepEqual(text(), ['only one', '']);
  });

  it('a failed write counts an error and retries (initialisation included) after RETRY_MS', async () => {
    const { clock, pcf, display, text } = rig(2, 16);
    pcf.failing = true;
    display.show(['Hello']);
    await clock.advance(100);
    assert.equal(display.writeErrors, 1);
    pcf.failing = false;
    await clock.advance(RETRY_MS + 100);
    assert.deepEqual(text(), ['Hello', '']);
    assert.equal(display.idle, true);
  });

  it('close clears its timers', async () => {
    const { clock, pcf, display } = rig();
    display.show(['bye']);
    await clock.advance(10);
    display.close();
    assert.equal(clock.pendingTimers, 0);
    await clock.advance(100);
    assert.equal(pcf.writes.length, 0);
    display.show(['ignored']);
    assert.equal(clock.pendingTimers, 0);
  });
});
