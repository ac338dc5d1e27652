import { strict as assert } from 'node:assert';
import { GpioRgbLed } from '../../../hal/gpio/gpio-led.js';
import type { LedColor } from '../../../hal/interfaces.js';
import { gpioRig } from './rig.js';

async function ledRig() {
  const rig = gpioRig();
  const led = new GpioRgbLed({ red: await rig.output(1), green: await rig.output(2), blue: await rig.output(3, true) }, rig.clock);
  const rgb = (): string => [1, 2, 3].map((line) => (rig.onoff.isAsserted(line) ? '1' : '0')).join('');
  return { rig, led, rgb };
}

describe('GPIO RGB status LED', () => {
  it('mixes each colour from the three lines', async () => {
    const { led, rgb } = await ledRig();
    assert.equal(rgb(), '000');
    const expected: Record<LedColor, string> = { off: '000', red: '100', green: '010', blue: '001', yellow: '110', white: '111' };
    for (const [color, lines] of Object.entries(expected) as [LedColor, string][]) {
      led.set(color, 'steady');
      assert.equal(rgb(), lines, color);
      assert.equal(led.color, color);
    }
  });

  it('blinks slow at 1 Hz and fast at 4 Hz, starting lit', async () => {
    const { rig, led, rgb } = await ledRig();
    led.set('green', 'slow');
    assert.equal(led.blink, 'slow');
    const slow: string[] = [];
    for (let i = 0; i < 4; i += 1) {
      slow.push(rgb());
      await rig.clock.advance(500);
    }
    assert.deepEqual(slow, ['010', '000', '010', '000']);

    led.set('yellow', 'fast');
    const fast: string[] = [];
    for (let i = 0; i < 8; i += 1) {
      fast.push(rgb());
      await rig.clock.advance(125);
    }
    assert.deepEqual(fast, ['110', '000', '110', '000', '110', '000', '110', '000']);
  });

  it('setting the same state again keeps the blink phase; steady stops the timer', async () => {
    const { rig, led, rgb } = await ledRig();
    led.set('red', 'slow');
    await rig.clock.advance(500);
    assert.equal(rgb(), '000');
    led.set('red', 'slow');
    assert.equal(rgb(), '000', 'no restart');
    led.set('red', 'steady');
    assert.equal(rgb(), '100');
    assert.equal(rig.clock.pendingTimers, 0);
  });

  it('close turns it off and clears the timer', async () => {
    const { rig, led, rgb } = await ledRig();
    led.set('white', 'fast');
    led.close();
    assert.equal(rgb(), '000');
    assert.equal(rig.clock.pendingTimers, 0);
  });
});
