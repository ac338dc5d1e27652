import { strict as assert } from 'node:assert';
import { AdcControlPilot, LEVEL_CHANGE_V, UNREADABLE_AFTER_ERRORS } from '../../../hal/i2c/adc-pilot.js';
import type { PilotLevels } from '../../../hal/interfaces.js';
import { analogRig, cpToAdc, CP_OFFSET_V, CP_SCALE, type AnalogRig } from './rig.js';

const HIGH_CHANNEL = 0;
const LOW_CHANNEL = 1;
const POLL_MS = 10;
/** Volts of one ADC count on the CP side: the tolerance of a measured level. */
const TOLERANCE_V = (4.096 / 32768) * CP_SCALE + 1e-9;

function near(actual: number | null, expected: number): void {
  assert.ok(actual !== null && Math.abs(actual - expected) <= TOLERANCE_V, `expected ${expected} V, got ${actual}`);
}

describe('ADC control pilot', () => {
  let rig: AnalogRig;
  let pilot: AdcControlPilot;
  let seen: PilotLevels[];

  /** What the line shows: the high and low levels of the peak detectors. */
  function line(highV: number, lowV: number): void {
    rig.chip.setChannelVolts(HIGH_CHANNEL, cpToAdc(highV));
    rig.chip.setChannelVolts(LOW_CHANNEL, cpToAdc(lowV));
  }

  beforeEach(async () => {
    rig = await analogRig();
    line(12, 12);
    pilot = new AdcControlPilot(rig.pwm, rig.adc, rig.clock, {
      highChannel: HIGH_CHANNEL,
      lowChannel: LOW_CHANNEL,
      fullScaleV: 4.096,
      scale: CP_SCALE,
      offsetV: CP_OFFSET_V,
      pollMs: POLL_MS,
    });
    seen = [];
    pilot.onLevels((levels) => seen.push(levels));
  });

  afterEach(async () => {
    pilot.close();
    await rig.dispose();
  });

  it('starts at X1 (duty 100 %, steady +12 V) and measures at once', async () => {
    assert.deepEqual(pilot.output, { mode: 'high' });
    assert.equal(rig.dutyPercent(), 100);
    assert.deepEqual(pilot.read(), { positiveV: 12, negativeV: null }, 'the nominal level until the first sample');
    await pilot.ready();
    near(pilot.read().positiveV, 12);
    assert.equal(pilot.read().negativeV, null);
  });

  it('reads each IEC state’s high level through the divider (steady output: negativeV null)', async () => {
    await pilot.ready();
    for (const cpV of [12, 9, 6, 3, 0]) {
      line(cpV, cpV);
      await rig.clock.advance(POLL_MS);
      near(pilot.read().positiveV, cpV);
      assert.equal(pilot.read().negativeV, null);
    }
    assert.equal(seen.length, 4, 'one report per moved level');
  });

  it("'error' drives duty 0 % (steady −12 V) and reports at once", async () => {
    await pilot.ready();
    pilot.setOutput({ mode: 'error' });
    assert.equal(rig.dutyPercent(), 0);
    assert.equal(seen.length, 1, 'reported on setOutput');
    assert.equal(seen[0]!.negativeV, null);
    line(-12, -12);
    await rig.clock.advance(1);
    near(pilot.read().positiveV, -12);
    assert.equal(pilot.read().negativeV, null);
  });

  it("'pwm' drives the duty and reports both levels; the low level only from a sample after the change", async () => {
    await pilot.ready();
    line(9, 9); // state B, steady +12 V output loaded by the EV
    await rig.clock.advance(POLL_MS);
    pilot.setOutput({ mode: 'pwm', dutyPercent: 53.3 });
    assert.ok(Math.abs(rig.dutyPercent() - 53.3) < 1e-6);
    assert.deepEqual(pilot.output, { mode: 'pwm', dutyPercent: 53.3 });
    assert.equal(seen.at(-1)!.negativeV, null, 'no low level sampled yet under PWM');
    line(9, -12); // the EV's diode: the low half stays at −12 V
    await rig.clock.advance(1);
    near(pilot.read().positiveV, 9);
    near(pilot.read().negativeV, -12);
    near(seen.at(-1)!.negativeV, -12);

    line(6, -12); // EV goes to C
    await rig.clock.advance(POLL_MS);
    near(pilot.read().positiveV, 6);

    pilot.setOutput({ mode: 'high' });
    assert.equal(rig.dutyPercent(), 100);
    assert.equal(pilot.read().negativeV, null);
  });

  it('a missing diode shows as a low level mirroring the high level', async () => {
    await pilot.ready();
    pilot.setOutput({ mode: 'pwm', dutyPercent: 25 });
    line(9, -9);
    await rig.clock.advance(POLL_MS);
    near(pilot.read().positiveV, 9);
    near(pilot.read().negativeV, -9);
  });

  it(`reports a level only when it moves by more than ${LEVEL_CHANGE_V} V`, async () => {
    await pilot.ready();
    line(9, 9);
    await rig.clock.advance(POLL_MS);
    const before = seen.length;
    line(9.15, 9.15);
    await rig.clock.advance(POLL_MS * 3);
    assert.equal(seen.length, before);
    near(pilot.read().positiveV, 9.15); // read() has the newest anyway
    line(9.3, 9.3);
    await rig.clock.advance(POLL_MS);
    assert.equal(seen.length, before + 1);
  });

  it('a failed read keeps the last levels and counts an error; failures in a row report the pilot unreadable', async () => {
    await pilot.ready();
    line(6, 6);
    await rig.clock.advance(POLL_MS);
    const before = seen.length;
    rig.chip.failing = true;
    line(0, 0);
    await rig.clock.advance(POLL_MS * (UNREADABLE_AFTER_ERRORS - 1));
    near(pilot.read().positiveV, 6);
    assert.equal(seen.length, before, 'one or two failed samples change nothing');
    await rig.clock.advance(POLL_MS);
    assert.ok(Number.isNaN(pilot.read().positiveV), 'a dead ADC cannot hold the pilot at a valid state');
    assert.equal(seen.length, before + 1);
    assert.ok(pilot.readErrors >= UNREADABLE_AFTER_ERRORS);
    rig.chip.failing = false;
    await rig.clock.advance(POLL_MS);
    near(pilot.read().positiveV, 0);
    assert.equal(seen.length, before + 2);
  });

  it('samples every pollMs; close stops sampling', async () => {
    await pilot.ready();
    const conversions = rig.chip.conversions.length;
    await rig.clock.advance(POLL_MS * 5);
    assert.equal(rig.chip.conversions.length - conversions, 5, 'one high-channel conversion per poll (steady output)');
    pilot.close();
    assert.equal(rig.clock.pendingTimers, 0);
  });

  it('refuses a bad duty or options', () => {
    assert.throws(() => pilot.setOutput({ mode: 'pwm', dutyPercent: 120 }), RangeError);
    assert.throws(
      () => new AdcControlPilot(rig.pwm, rig.adc, rig.clock, { highChannel: 0, lowChannel: 1, fullScaleV: 5, scale: 1, offsetV: 0, pollMs: 10 }),
      RangeError,
    );
  });
});
