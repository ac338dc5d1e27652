import { strict as assert } from 'node:assert';
import {
  CurrentBelowMinimumError,
  MAX_PWM_CURRENT_A,
  MIN_PWM_CURRENT_A,
  currentForDutyCycle,
  dutyCycleForCurrent,
} from '../../state-machines/pwm.js';
import {
  allowedCurrent,
  deratedCurrent,
  nextDerateLevel,
  type DerateLevel,
  type DerateThresholds,
} from '../../state-machines/current-limit.js';
import {
  classifyPilot,
  diodeMissing,
  diodeVerified,
  evRequestsEnergy,
  vehicleConnected,
  type PilotState,
} from '../../state-machines/pilot-state.js';

const near = (actual: number, expected: number, tolerance: number) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${actual} not within ${tolerance} of ${expected}`);

describe('PWM duty cycle (reference A2)', () => {
  it('maps the edges of both ranges, rounding down to 0.1 % (toward the lower current)', () => {
    assert.equal(MIN_PWM_CURRENT_A, 6);
    assert.equal(MAX_PWM_CURRENT_A, 80);
    assert.equal(dutyCycleForCurrent(6), 10);
    assert.equal(dutyCycleForCurrent(13), 21.6, '21.67 %: 21.7 % would offer 13.02 A');
    assert.equal(dutyCycleForCurrent(16), 26.6, '26.67 %: 26.7 % would offer 16.02 A');
    assert.equal(dutyCycleForCurrent(20), 33.3);
    assert.equal(dutyCycleForCurrent(32), 53.3);
    assert.equal(dutyCycleForCurrent(51), 85);
    assert.equal(dutyCycleForCurrent(52.5), 85);
    assert.equal(dutyCycleForCurrent(63), 89.2);
    assert.equal(dutyCycleForCurrent(80), 96);
  });

  it('clamps the 51–52.5 A gap to 51 A', () => {
    for (const amps of [51.01, 51.5, 52, 52.49]) assert.equal(dutyCycleForCurrent(amps), 85, `${amps} A`);
  });

  it('caps currents above 80 A', () => {
    for (const amps of [80.1, 100, 1e6]) assert.equal(dutyCycleForCurrent(amps), 96, `${amps} A`);
  });

  it('refuses what it cannot signal: below 6 A, NaN, infinite', () => {
    for (const amps of [5.9, 5.999, 0, -6, NaN, Infinity, -Infinity]) {
      assert.throws(() => dutyCycleForCurrent(amps), (e: unknown) => {
        assert.ok(e instanceof CurrentBelowMinimumError);
        assert.ok(e instanceof RangeError);
        assert.ok(Object.is(e.amps, amps));
        return true;
      }, `${amps} A`);
    }
  });

  it('is monotonic over 6–80 A', () => {
    let previous = 0;
    for (let amps = 6; amps <= 80; amps += 0.5) {
      const duty = dutyCycleForCurrent(amps);
      assert.ok(duty >= previous, `${amps} A`);
      previous = duty;
    }
  });

  it('EV side: reads the current back from the duty cycle', () => {
    assert.equal(currentForDutyCycle(0), 0);
    assert.equal(currentForDutyCycle(5), 0, '5 % is digital communication, no current');
    assert.equal(currentForDutyCycle(7.99), 0);
    near(currentForDutyCycle(8), 4.8, 1e-9);
    near(currentForDutyCycle(10), 6, 1e-9);
    near(currentForDutyCycle(85), 51, 1e-9);
    near(currentForDutyCycle(85.1), 52.75, 1e-9);
    near(currentForDutyCycle(96), 80, 1e-9);
    assert.equal(currentForDutyCycle(96.5), 80);
    assert.equal(currentForDutyCycle(97), 0);
    assert.equal(currentForDutyCycle(100), 0);
  });

  // Reference A2 / IEC 61851-1 Table A.7: an EV reads d × 0.6 A below 85 %, (d − 64) × 2.5 A above.
  // 1e-9 A absorbs the binary floating point of those products (a 0.1 % step is 0.06 A).
  it('every whole ampere 6–80 A: the EV reads at most the limit, and less than one 0.1 % step below it', () => {
    for (let amps = 6; amps <= 80; amps++) {
      const duty = dutyCycleForCurrent(amps);
      assert.equal(Math.round(duty * 10), duty * 10, `${amps} A → ${duty} %: one decimal`);
      const read = currentForDutyCycle(duty);
      assert.ok(read <= amps + 1e-9, `${amps} A → ${duty} % is read as ${read} A, more than the limit`);
      if (amps > 51 && amps < 52.5) continue; // the gap is signalled as 51 A
      const step = amps <= 51 ? 0.1 * 0.6 : 0.1 * 2.5;
      assert.ok(read > amps - step - 1e-9, `${amps} A → ${duty} % is read as ${read} A, a whole step low`);
    }
  });

  it('EV side inverts the EVSE side within one 0.1 % step, never above', () => {
    for (let amps = 6; amps <= 80; amps += 0.25) {
      if (amps > 51 && amps <= 52.5) continue; // the gap, and 85 % is read as 51 A
      const read = currentForDutyCycle(dutyCycleForCurrent(amps));
      assert.ok(read <= amps + 1e-9, `${amps} A is read as ${read} A`);
      // one 0.1 % duty step, times the slope of each range
      near(read, amps, (amps <= 51 ? 0.1 * 0.6 : 0.1 * 2.5) + 1e-9);
    }
    assert.equal(currentForDutyCycle(dutyCycleForCurrent(52)), 51);
    assert.equal(currentForDutyCycle(dutyCycleForCurrent(52.5)), 51, 'both ranges meet at 85 %');
  });
});

describe('allowedCurrent', () => {
  it('takes the minimum and names its source', () => {
    assert.deepEqual(allowedCurrent({ connector: 32, cable: 20, site: 40 }), { amps: 20, source: 'cable' });
    assert.deepEqual(allowedCurrent({ connector: 32, cable: 32, site: 40, temperature: 16 }), { amps: 16, source: 'temperature' });
    assert.deepEqual(allowedCurrent({ connector: 32, external: 10, ev: 12 }), { amps: 10, source: 'external' });
    assert.deepEqual(allowedCurrent({ connector: 32, ev: 8 }), { amps: 8, source: 'ev' });
    assert.deepEqual(allowedCurrent({ connector: 16, site: 0 }), { amps: 0, source: 'site' });
  });

  it('on a tie names the fixed rating first (connector, then cable)', () => {
    assert.deepEqual(allowedCurrent({ site: 16, cable: 16, connector: 16 }), { amps: 16, source: 'connector' });
    assert.deepEqual(allowedCurrent({ site: 16, cable: 16, connector: 32 }), { amps: 16, source: 'cable' });
  });

  it('ignores missing and non-finite limits, floors negatives at 0, and offers 0 without any limit', () => {
    assert.deepEqual(allowedCurrent({}), { amps: 0, source: 'connector' });
    assert.deepEqual(allowedCurrent({ connector: 32, site: NaN, ev: Infinity }), { amps: 32, source: 'connector' });
    assert.deepEqual(allowedCurrent({ connector: 32, site: -5 }), { amps: 0, source: 'site' });
    assert.deepEqual(allowedCurrent({ cable: undefined, connector: 20 }), { amps: 20, source: 'connector' });
  });
});

describe('temperature derating (reference A5, OpenEVSE figures)', () => {
  const T: DerateThresholds = {
    temperatureDerateHalfC: 65,
    temperatureDerateQuarterC: 68,
    temperatureStopC: 71,
    temperatureRestoreC: 62,
  };
  /** Feeds a temperature trace through nextDerateLevel and returns the levels. */
  const trace = (temperatures: number[], start: DerateLevel = 'none') => {
    let level = start;
    return temperatures.map((t) => (level = nextDerateLevel(level, t, T)));
  };

  it('rises as each threshold is reached', () => {
    assert.deepEqual(trace([60, 64.9, 65, 67.9, 68, 70.9, 71, 90]),
      ['none', 'none', 'half', 'half', 'quarter', 'quarter', 'stop', 'stop']);
    assert.equal(nextDerateLevel('none', 71, T), 'stop', 'jumps straight to the level reached');
  });

  it('holds the level reached until the restore temperature, then restores fully', () => {
    assert.deepEqual(trace([71, 68, 65, 63, 62.1, 62]), ['stop', 'stop', 'stop', 'stop', 'stop', 'none']);
    assert.deepEqual(trace([68, 66, 65, 62.5, 62]), ['quarter', 'quarter', 'quarter', 'quarter', 'none']);
    assert.deepEqual(trace([66, 64, 63, 62], 'none'), ['half', 'half', 'half', 'none']);
    assert.deepEqual(trace([66, 70, 66], 'half'), ['half', 'quarter', 'quarter']);
  });

  it('restores at or below 62 °C whatever the level', () => {
    for (const level of ['none', 'half', 'quarter', 'stop'] as DerateLevel[]) {
      assert.equal(nextDerateLevel(level, 62, T), 'none');
      assert.equal(nextDerateLevel(level, -20, T), 'none');
    }
  });

  it('derated current per level', () => {
    assert.equal(deratedCurrent('none', 32), 32);
    assert.equal(deratedCurrent('half', 32), 16);
    assert.equal(deratedCurrent('quarter', 32), 8);
    assert.equal(deratedCurrent('stop', 32), 0);
  });
});

describe('classifyPilot (reference A1)', () => {
  const ALL: PilotState[] = ['A', 'B', 'C', 'D', 'E', 'F', 'invalid'];

  it('classifies inside each band whatever the previous state', () => {
    const bands: [number, PilotState][] = [
      [13, 'A'], [12, 'A'], [11, 'A'],
      [9.99, 'B'], [9, 'B'], [8, 'B'],
      [6.99, 'C'], [6, 'C'], [5, 'C'],
      [3.99, 'D'], [3, 'D'], [2, 'D'],
      [1.99, 'E'], [0, 'E'], [-1, 'E'],
      [-11, 'F'], [-12, 'F'], [-13, 'F'],
      [13.01, 'invalid'], [20, 'invalid'], [-1.01, 'invalid'], [-2, 'invalid'], [-10, 'invalid'], [-10.99, 'invalid'], [-13.01, 'invalid'],
    ];
    for (const [v, expected] of bands) {
      for (const previous of ALL) assert.equal(classifyPilot(v, previous), expected, `${v} V after ${previous}`);
    }
  });

  it('10–11 V stays A only after A, else B', () => {
    assert.equal(classifyPilot(10.5, 'A'), 'A');
    for (const previous of ALL.filter((s) => s !== 'A')) assert.equal(classifyPilot(10.5, previous), 'B', previous);
  });

  it('7–8 V stays B after A or B, else C', () => {
    assert.equal(classifyPilot(7.5, 'A'), 'B');
    assert.equal(classifyPilot(7.5, 'B'), 'B');
    for (const previous of ['C', 'D', 'E', 'F', 'invalid'] as PilotState[]) assert.equal(classifyPilot(7.5, previous), 'C', previous);
  });

  it('4–5 V stays C after A–C, else D', () => {
    for (const previous of ['A', 'B', 'C'] as PilotState[]) assert.equal(classifyPilot(4.5, previous), 'C', previous);
    for (const previous of ['D', 'E', 'F', 'invalid'] as PilotState[]) assert.equal(classifyPilot(4.5, previous), 'D', previous);
  });

  it('hysteresis on a slow ramp: the earlier state holds through each gap', () => {
    let state: PilotState = 'A';
    const seen: PilotState[] = [];
    for (const v of [12, 10.5, 9.5, 7.5, 6, 4.5, 3, 4.5, 6, 7.5, 9, 10.5, 12]) seen.push((state = classifyPilot(v, state)));
    assert.deepEqual(seen, ['A', 'A', 'B', 'B', 'C', 'C', 'D', 'D', 'C', 'C', 'B', 'B', 'A']);
  });

  it('helpers: which states are a connected vehicle, and which ask for energy', () => {
    assert.deepEqual(ALL.filter(vehicleConnected), ['B', 'C', 'D']);
    assert.deepEqual(ALL.filter(evRequestsEnergy), ['C', 'D']);
  });
});

describe('diode check (reference A2)', () => {
  it('diodeMissing: a symmetric low level at PWM', () => {
    assert.equal(diodeMissing({ positiveV: 9, negativeV: -9 }), true);
    assert.equal(diodeMissing({ positiveV: 6, negativeV: -7.1 }), true, '|V+ + V−| ≤ 1.2 V');
    assert.equal(diodeMissing({ positiveV: 6, negativeV: -7.3 }), false);
    assert.equal(diodeMissing({ positiveV: 9, negativeV: -12 }), false, 'diode present');
    assert.equal(diodeMissing({ positiveV: 6, negativeV: -12 }), false);
    assert.equal(diodeMissing({ positiveV: 2, negativeV: -2 }), false, 'V+ must be above 2 V (E, not a diode fault)');
    assert.equal(diodeMissing({ positiveV: 9, negativeV: null }), false, 'steady output: nothing to check');
  });

  it('diodeVerified: the −12 V low level seen with an EV load', () => {
    assert.equal(diodeVerified({ positiveV: 9, negativeV: -12 }), true);
    assert.equal(diodeVerified({ positiveV: 6, negativeV: -11 }), true);
    assert.equal(diodeVerified({ positiveV: 6, negativeV: -10.9 }), false);
    assert.equal(diodeVerified({ positiveV: 9, negativeV: -9 }), false);
    assert.equal(diodeVerified({ positiveV: 2, negativeV: -12 }), false, 'V+ must be above 2 V');
    assert.equal(diodeVerified({ positiveV: 9, negativeV: null }), false);
  });
});
