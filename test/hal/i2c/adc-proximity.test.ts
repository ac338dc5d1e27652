import { strict as assert } from 'node:assert';
import { AdcProximityPilot, proximityOhms } from '../../../hal/i2c/adc-proximity.js';
import type { CableRatingA, ProximityReading } from '../../../hal/interfaces.js';
import { NOMINAL_PROXIMITY_OHMS } from '../../../hal/proximity-resistance.js';
import { analogRig, type AnalogRig } from './rig.js';

const CHANNEL = 2;
const PULL_UP_OHMS = 1000;
const SUPPLY_V = 3.3;
const POLL_MS = 50;

describe('ADC proximity pilot', () => {
  let rig: AnalogRig;
  let pp: AdcProximityPilot;
  let seen: ProximityReading[];
  /** The cable's PP–PE resistor; Infinity with no cable. */
  let cableOhms: number;

  beforeEach(async () => {
    rig = await analogRig();
    cableOhms = Number.POSITIVE_INFINITY;
    // The divider, as physics: the ADC sees the PP node.
    rig.chip.setChannelSource(CHANNEL, () => (Number.isFinite(cableOhms) ? (SUPPLY_V * cableOhms) / (cableOhms + PULL_UP_OHMS) : SUPPLY_V));
    pp = new AdcProximityPilot(rig.adc, rig.clock, { channel: CHANNEL, fullScaleV: 4.096, pullUpOhms: PULL_UP_OHMS, supplyV: SUPPLY_V, pollMs: POLL_MS });
    seen = [];
    pp.onChange((reading) => seen.push(reading));
    await pp.ready();
  });

  afterEach(async () => {
    pp.close();
    await rig.dispose();
  });

  it('reads no cable with the node at the supply', () => {
    assert.deepEqual(pp.read(), { kind: 'noCable' });
  });

  for (const [rating, ohms] of Object.entries(NOMINAL_PROXIMITY_OHMS)) {
    it(`reads a ${rating} A cable (${ohms} Ω) through the divider`, async () => {
      cableOhms = ohms;
      await rig.clock.advance(POLL_MS);
      const reading = pp.read();
      assert.equal(reading.kind, 'cable');
      assert.equal((reading as { ratingA: CableRatingA }).ratingA, Number(rating));
      const measured = (reading as { ohms: number }).ohms;
      assert.ok(Math.abs(measured - ohms) <= ohms * 0.01 + 1, `${measured} Ω for ${ohms} Ω`);
      assert.equal(seen.length, 1);
    });
  }

  it('a resistance in a gap reads the lower rating; out of bounds reads invalid', async () => {
    cableOhms = 3000;
    await rig.clock.advance(POLL_MS);
    assert.deepEqual([pp.read().kind, (pp.read() as { ratingA?: number }).ratingA], ['cable', 13]);
    cableOhms = 30;
    await rig.clock.advance(POLL_MS);
    assert.equal(pp.read().kind, 'invalid');
    cableOhms = 0; // PP shorted to PE
    await rig.clock.advance(POLL_MS);
    assert.deepEqual(pp.read(), { kind: 'invalid', ohms: 0 });
  });

  it('reports plug and unplug, not the jitter of one cable', async () => {
    cableOhms = 220;
    await rig.clock.advance(POLL_MS);
    cableOhms = 223;
    await rig.clock.advance(POLL_MS * 3);
    cableOhms = Number.POSITIVE_INFINITY;
    await rig.clock.advance(POLL_MS);
    assert.deepEqual(
      seen.map((r) => r.kind),
      ['cable', 'noCable'],
    );
  });

  it('a failed read keeps the last reading and counts an error', async () => {
    cableOhms = 680;
    await rig.clock.advance(POLL_MS);
    rig.chip.failing = true;
    cableOhms = Number.POSITIVE_INFINITY;
    await rig.clock.advance(POLL_MS * 2);
    assert.equal(pp.read().kind, 'cable');
    assert.equal(pp.readErrors, 2);
  });

  it('divider arithmetic: R = Rpull × V / (Vs − V); ≥ 98 % of Vs is open', () => {
    assert.equal(proximityOhms(1.65, 1000, 3.3), 1000);
    assert.equal(proximityOhms(3.3 * 0.98, 1000, 3.3), Number.POSITIVE_INFINITY);
    assert.equal(proximityOhms(-0.01, 1000, 3.3), 0);
  });
});
