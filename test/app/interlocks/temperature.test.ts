// Over-temperature derates before it stops (reference A5, OpenEVSE steps): at 65 °C half the
// current, at 68 °C a quarter, at 71 °C stop; back to full only at or below 62 °C.
// Socket sensor (per connector) and enclosure sensor (station-wide) alike.

import { strict as assert } from 'node:assert';
import { dutyCycleForCurrent } from '../../../state-machines/pwm.js';
import type { FaultName } from '../../../state-machines/faults.js';
import { startSession, type ChargerFixture } from '../../support/charger-fixture.js';
import {
  CHARGING,
  SAFETY,
  contactor,
  expectAwaitsNewCard,
  expectSessionStoppedBy,
  expectSignalled,
  expectStaysFaulted,
  lastSession,
  logEntries,
  withCharger,
} from './helpers.js';

const { temperatureDerateHalfC: HALF_C, temperatureDerateQuarterC: QUARTER_C, temperatureStopC: STOP_C, temperatureRestoreC: RESTORE_C } = SAFETY;

interface Sensor {
  readonly name: string;
  readonly fault: FaultName;
  readonly heat: (f: ChargerFixture, temperatureC: number) => void;
}

const SENSORS: readonly Sensor[] = [
  { name: 'socket', fault: 'OverTemperature', heat: (f, t) => f.sim.injectFault(1, 'overTemperature', { temperatureC: t }) },
  {
    name: 'enclosure',
    fault: 'EnclosureOverTemperature',
    heat: (f, t) => f.sim.injectFault(null, 'overTemperature', { temperatureC: t, location: 'enclosure' }),
  },
];

function expectAllowed(f: ChargerFixture, amps: number, source: string): void {
  const s = f.status();
  assert.equal(s.allowedCurrentA, amps, `allowed current at ${JSON.stringify(s.temperatures)}`);
  assert.equal(s.limitSource, source);
}

function duty(f: ChargerFixture): number | null {
  return f.status().pilot.dutyPercent;
}

for (const sensor of SENSORS) {
  describe(`${sensor.name} temperature → derating, then ${sensor.fault} (auto, with hysteresis)`, () => {
    it(`below ${HALF_C} °C nothing changes; at ${HALF_C} °C the allowed current halves and the PWM follows at once`, async () => {
      await withCharger(async (f) => {
        await startSession(f);
        sensor.heat(f, HALF_C - 1);
        await f.advance(SAFETY.pwmMinUpdateIntervalMs);
        expectAllowed(f, 32, 'connector');
        assert.equal(duty(f), dutyCycleForCurrent(32));
        sensor.heat(f, HALF_C);
        expectAllowed(f, 16, 'temperature');
        assert.equal(duty(f), dutyCycleForCurrent(16), 'no PWM update has happened for 5 s: the first may come at once');
        // The EV follows; still charging, no fault.
        await f.advance(5000);
        assert.equal(f.status().state, CHARGING);
        assert.ok(f.status().meter!.phases[0]!.currentA < 16.5, 'the EV did not follow the lower PWM');
        assert.deepEqual(f.charger.faultLog(), []);
      });
    });

    it(`at ${QUARTER_C} °C a quarter, the PWM within pwmMinUpdateIntervalMs of its last change`, async () => {
      await withCharger(async (f) => {
        await startSession(f);
        await f.advance(SAFETY.pwmMinUpdateIntervalMs);
        sensor.heat(f, HALF_C);
        assert.equal(duty(f), dutyCycleForCurrent(16));
        await f.advance(1000);
        sensor.heat(f, QUARTER_C - 0.1);
        expectAllowed(f, 16, 'temperature');
        sensor.heat(f, QUARTER_C);
        expectAllowed(f, 8, 'temperature');
        await f.advance(SAFETY.pwmMinUpdateIntervalMs - 1000 - 1);
        assert.equal(duty(f), dutyCycleForCurrent(16), 'two PWM changes closer than pwmMinUpdateIntervalMs');
        await f.advance(1);
        assert.equal(duty(f), dutyCycleForCurrent(8));
        await f.advance(10_000);
        assert.equal(f.status().state, CHARGING);
        assert.equal(contactor(f).commanded, 'closed');
      });
    });

    it(`at ${STOP_C} °C it stops: contactor open at once, fault signalled with the temperature, session ended`, async () => {
      await withCharger(async (f) => {
        await startSession(f);
        sensor.heat(f, HALF_C);
        await f.advance(1000);
        sensor.heat(f, QUARTER_C);
        await f.advance(1000);
        sensor.heat(f, STOP_C - 0.1);
        assert.equal(contactor(f).commanded, 'closed', `stopped below ${STOP_C} °C`);
        sensor.heat(f, STOP_C);
        assert.equal(contactor(f).commanded, 'open', 'contactor not opened synchronously at the stop temperature');
        await expectSignalled(f, sensor.fault, {
          connectorId: sensor.name === 'socket' ? 1 : null,
          values: { temperatureC: STOP_C, stopC: STOP_C, location: sensor.name },
        });
        assert.equal(f.status().pilot.output.mode, 'error');
        expectAllowed(f, 0, 'temperature');
        await f.advance(1000);
        expectSessionStoppedBy(f, sensor.fault);
      });
    });

    it(`the stop holds while it cools to above ${RESTORE_C} °C, and clears at ${RESTORE_C} °C`, async () => {
      await withCharger(async (f) => {
        await startSession(f);
        sensor.heat(f, STOP_C + 4);
        for (const t of [STOP_C - 1, QUARTER_C - 1, HALF_C - 1, RESTORE_C + 1, RESTORE_C + 0.1]) {
          sensor.heat(f, t);
          await expectStaysFaulted(f, sensor.fault, 60_000);
          expectAllowed(f, 0, 'temperature');
        }
        sensor.heat(f, RESTORE_C);
        assert.equal(logEntries(f, sensor.fault, 'cleared').length, 1);
        expectAllowed(f, 32, 'connector');
        await expectAwaitsNewCard(f);
        assert.equal(f.status().pilot.dutyPercent, dutyCycleForCurrent(32));
      });
    });

    it(`a derating also holds until ${RESTORE_C} °C (no return to full current at ${HALF_C - 1} °C)`, async () => {
      await withCharger(async (f) => {
        await startSession(f);
        sensor.heat(f, QUARTER_C);
        for (const t of [QUARTER_C - 1, HALF_C, HALF_C - 1, RESTORE_C + 1]) {
          sensor.heat(f, t);
          await f.advance(SAFETY.pwmMinUpdateIntervalMs);
          expectAllowed(f, 8, 'temperature');
          assert.equal(duty(f), dutyCycleForCurrent(8));
        }
        sensor.heat(f, RESTORE_C);
        expectAllowed(f, 32, 'connector');
        await f.advance(SAFETY.pwmMinUpdateIntervalMs);
        assert.equal(duty(f), dutyCycleForCurrent(32));
        assert.equal(f.status().state, CHARGING);
        assert.deepEqual(f.charger.faultLog(), []);
      });
    });
  });
}

describe('a quarter of a 16 A connector is below 6 A: paused by the charger, not stopped', () => {
  const SMALL = { connectors: [{ connectorId: 1, maxCurrentA: 16, phases: 3, kind: 'socket' }] };

  it(`${QUARTER_C} °C → SuspendedEVSE (PWM off, contactor opened once the EV stops); ${RESTORE_C} °C → charges again`, async () => {
    await withCharger(async (f) => {
      await startSession(f);
      const session = lastSession(f).sessionId;
      f.sim.injectFault(1, 'overTemperature', { temperatureC: HALF_C });
      expectAllowed(f, 8, 'temperature');
      await f.advance(SAFETY.pwmMinUpdateIntervalMs);
      f.sim.injectFault(1, 'overTemperature', { temperatureC: QUARTER_C });
      expectAllowed(f, 4, 'temperature');
      assert.equal(f.status().status, 'SuspendedEVSE');
      assert.equal(f.status().pilot.output.mode, 'high', 'PWM still on below 6 A');
      // The EV leaves C within 3 s of the PWM going away; then the contactor opens (A3 seq 10.1).
      await f.advance(3000 + SAFETY.pilotDebounceMs);
      assert.equal(f.status().state, 'connected.session.suspendedEVSE.holding');
      assert.equal(contactor(f).commanded, 'open');
      await f.advance(1000);
      assert.equal(f.status().led.color, 'yellow');
      assert.ok(f.charger.status().display.includes('Paused by charger'));
      assert.deepEqual(f.status().activeFaults, []);
      assert.deepEqual(f.charger.faultLog(), []);
      f.sim.injectFault(1, 'overTemperature', { temperatureC: RESTORE_C });
      expectAllowed(f, 16, 'connector');
      assert.ok(await f.clock.advanceUntil(() => f.status().state === CHARGING, 10_000), 'did not resume');
      assert.equal(lastSession(f).sessionId, session, 'the session did not survive the pause');
      assert.equal(lastSession(f).stoppedAt, null);
    }, SMALL);
  });
});
