import { strict as assert } from 'node:assert';
import { GpioContactor } from '../../../hal/gpio/gpio-contactor.js';
import type { SwitchPosition } from '../../../hal/interfaces.js';
import { gpioRig } from './rig.js';

const COIL = 20;
const MIRROR = 21;

async function contactorRig() {
  const rig = gpioRig();
  rig.onoff.setLevel(MIRROR, 1); // mirror (NC auxiliary) contact closed: main contacts open
  const coil = await rig.output(COIL);
  const mirror = await rig.input(MIRROR, 5);
  const contactor = new GpioContactor(coil, mirror);
  /** The contactor's mechanics: main contacts follow the coil, the mirror contact is their opposite. */
  const follow = (): void => rig.onoff.setLevel(MIRROR, rig.onoff.isAsserted(COIL) ? 0 : 1);
  return { rig, contactor, follow };
}

describe('GPIO contactor', () => {
  it('drives the coil and reports the main contacts from the mirror contact', async () => {
    const { rig, contactor, follow } = await contactorRig();
    const seen: SwitchPosition[] = [];
    contactor.onFeedback((p) => seen.push(p));
    assert.equal(contactor.commanded, 'open');
    assert.equal(contactor.readFeedback(), 'open');

    contactor.close();
    assert.equal(rig.onoff.isAsserted(COIL), true);
    assert.equal(contactor.commanded, 'closed');
    assert.equal(contactor.readFeedback(), 'open', 'the contacts have not moved yet');
    follow();
    await rig.clock.advance(5);
    assert.equal(contactor.readFeedback(), 'closed');

    contactor.open();
    assert.equal(rig.onoff.isAsserted(COIL), false);
    follow();
    await rig.clock.advance(5);
    assert.equal(contactor.readFeedback(), 'open');
    assert.deepEqual(seen, ['closed', 'open']);
  });

  it('a welded contactor: coil off, mirror stays open, feedback says closed', async () => {
    const { rig, contactor, follow } = await contactorRig();
    contactor.close();
    follow();
    await rig.clock.advance(5);
    contactor.open(); // welded: the contacts do not follow
    await rig.clock.advance(100);
    assert.equal(contactor.commanded, 'open');
    assert.equal(contactor.readFeedback(), 'closed');
  });

  it('fail-safe: a broken or unpowered feedback wire reads as contacts closed', async () => {
    const { rig, contactor } = await contactorRig();
    const seen: SwitchPosition[] = [];
    contactor.onFeedback((p) => seen.push(p));
    rig.onoff.setLevel(MIRROR, 0); // wire cut: the input falls to its inactive level
    await rig.clock.advance(5);
    assert.equal(contactor.readFeedback(), 'closed');
    assert.deepEqual(seen, ['closed']);
  });

  it('a feedback glitch shorter than the debounce is not reported', async () => {
    const { rig, contactor } = await contactorRig();
    const seen: SwitchPosition[] = [];
    contactor.onFeedback((p) => seen.push(p));
    rig.onoff.setLevel(MIRROR, 0);
    await rig.clock.advance(2);
    rig.onoff.setLevel(MIRROR, 1);
    await rig.clock.advance(20);
    assert.deepEqual(seen, []);
  });

  it('unsubscribing stops the feedback events', async () => {
    const { rig, contactor, follow } = await contactorRig();
    const seen: SwitchPosition[] = [];
    const stop = contactor.onFeedback((p) => seen.push(p));
    stop();
    contactor.close();
    follow();
    await rig.clock.advance(10);
    assert.deepEqual(seen, []);
  });
});
