// Every hazard the simulated board can raise while a session charges, one row each: how the
// contactor opens, how the fault is signalled, how the session ends, and how it recovers.
// The contactor faults (weld, won't close) and the hazards met before charging are in
// contactor-and-preconditions.test.ts; the temperature steps in temperature.test.ts.

import { strict as assert } from 'node:assert';
import type { SimFaultName, SimFaultParams } from '../../../hal/sim/simulation-control.js';
import { METER_TIMEOUT_MS } from '../../../hal/sim/sim-meter.js';
import type { SessionStopReason } from '../../../app/records.js';
import type { FaultName } from '../../../state-machines/faults.js';
import { expectedFault } from '../../support/expected-faults.js';
import { startSession, type ChargerFixture } from '../../support/charger-fixture.js';
import {
  CHARGING,
  SAFETY,
  contactor,
  expectAvailable,
  expectAwaitsNewCard,
  expectSessionStoppedBy,
  expectSignalled,
  expectStateFThenHigh,
  expectStaysFaulted,
  logEntries,
  withCharger,
} from './helpers.js';

const POLL_MS = 1000; // metering.pollIntervalMs default

interface Hazard {
  readonly name: string;
  readonly inject: SimFaultName;
  /** null for the station-wide hazards. */
  readonly target: number | null;
  readonly params?: SimFaultParams;
  readonly fault: FaultName;
  readonly stopReason?: SessionStopReason;
  /**
   * When the contactor opens: 'now' = before inject() returns, no clock advance; else the
   * contactor is still closed `closedForMs` after injection and commanded open by `openByMs`.
   */
  readonly opens: 'now' | { readonly closedForMs: number; readonly openByMs: number };
  /** Readings the fault log keeps with the 'raised' entry. */
  readonly values: Readonly<Record<string, unknown>>;
  /** How long after the condition clears the fault may take to go (auto faults without holdoff). */
  readonly clearsWithinMs?: number;
}

const HAZARDS: readonly Hazard[] = [
  {
    name: 'AC residual current (30 mA)', inject: 'rcdTripAc', target: 1, fault: 'ResidualCurrentAC',
    opens: 'now', values: { trip: 'ac' },
  },
  {
    name: 'DC residual current (6 mA)', inject: 'rcdTripDc', target: 1, fault: 'ResidualCurrentDC',
    opens: 'now', values: { trip: 'dc' },
  },
  {
    name: 'emergency stop', inject: 'emergencyStop', target: null, fault: 'EmergencyStop', stopReason: 'EmergencyStop',
    opens: 'now', values: { pressed: true }, clearsWithinMs: 0,
  },
  {
    name: 'protective earth lost', inject: 'peLoss', target: null, fault: 'GroundLoss',
    opens: 'now', values: { present: false },
  },
  {
    name: 'socket over-temperature (75 °C)', inject: 'overTemperature', target: 1, params: { temperatureC: 75 },
    fault: 'OverTemperature', opens: 'now',
    values: { temperatureC: 75, stopC: SAFETY.temperatureStopC, location: 'socket' }, clearsWithinMs: 0,
  },
  {
    name: 'enclosure over-temperature (75 °C)', inject: 'overTemperature', target: null,
    params: { temperatureC: 75, location: 'enclosure' }, fault: 'EnclosureOverTemperature', opens: 'now',
    values: { temperatureC: 75, stopC: SAFETY.temperatureStopC, location: 'enclosure' }, clearsWithinMs: 0,
  },
  {
    name: 'CP shorted to PE', inject: 'cpShortToGround', target: 1, fault: 'PilotShortToGround',
    opens: { closedForMs: SAFETY.pilotDebounceMs - 1, openByMs: SAFETY.pilotDebounceMs },
    values: { positiveV: 0 }, clearsWithinMs: SAFETY.pilotDebounceMs,
  },
  {
    // The read in flight may still answer; then `meterFailuresBeforeFault` polls must time out.
    name: 'meter communication lost', inject: 'meterCommLoss', target: 1, fault: 'MeterFailure',
    opens: {
      closedForMs: (SAFETY.meterFailuresBeforeFault - 1) * POLL_MS + METER_TIMEOUT_MS,
      openByMs: SAFETY.meterFailuresBeforeFault * POLL_MS + METER_TIMEOUT_MS,
    },
    values: { consecutiveFailures: SAFETY.meterFailuresBeforeFault }, clearsWithinMs: POLL_MS + 100,
  },
  {
    // 32 A offered, 31.98 A + 10 A drawn: beyond (32 + 0.5) × 1.1 = 35.75 A, for the grace time.
    name: 'EV drawing 10 A more than offered', inject: 'evOverdraw', target: 1, params: { overdrawA: 10 },
    fault: 'OverCurrent',
    opens: { closedForMs: SAFETY.overcurrentGraceMs, openByMs: SAFETY.overcurrentGraceMs + POLL_MS + 100 },
    values: { offeredA: 32, limitA: 35.75, forMs: SAFETY.overcurrentGraceMs },
  },
];

/** Injects, then checks that the contactor opens when it should; returns once it is commanded open. */
async function injectAndExpectOpen(f: ChargerFixture, h: Hazard): Promise<void> {
  assert.equal(contactor(f).commanded, 'closed');
  f.sim.injectFault(h.target, h.inject, h.params);
  if (h.opens === 'now') {
    assert.equal(contactor(f).commanded, 'open', 'contactor not commanded open synchronously');
    return;
  }
  await f.advance(h.opens.closedForMs);
  assert.equal(contactor(f).commanded, 'closed', `contactor opened before ${h.opens.closedForMs} ms`);
  assert.equal(f.status().state, CHARGING);
  assert.ok(
    await f.clock.advanceUntil(() => contactor(f).commanded === 'open', h.opens.openByMs - h.opens.closedForMs, 1),
    `contactor still closed ${h.opens.openByMs} ms after injection`,
  );
}

describe('interlocks while charging (whole charger, simulated board)', () => {
  for (const h of HAZARDS) {
    const def = expectedFault(h.fault);
    const stationWide = def.scope === 'station';

    describe(`${h.name} → ${h.fault} (${def.recovery}${def.holdoff === 'none' ? '' : ', holdoff'})`, () => {
      it('opens the contactor, signals the fault, ends the session', async () => {
        await withCharger(async (f) => {
          await startSession(f);
          await injectAndExpectOpen(f, h);
          await expectSignalled(f, h.fault, { connectorId: stationWide ? null : 1, values: h.values, latched: false });
          if (stationWide) assert.ok(f.charger.status().stationFaults.some((s) => s.fault === h.fault));
          await expectStateFThenHigh(f, h.fault);
          await f.advance(500);
          assert.equal(f.sim.snapshot().connectors[0]!.contactsClosed, false, 'the contacts did not open');
          expectSessionStoppedBy(f, h.fault, h.stopReason ?? 'Fault');
        });
      });

      it(`recovers by its rule: ${recoveryText(h)}`, async () => {
        await withCharger(async (f) => {
          await startSession(f);
          await injectAndExpectOpen(f, h);
          await f.advance(1000);
          f.sim.clearFault(h.target, h.inject);
          await expectRecovery(f, h);
          // The EV is still plugged in.
          await expectAwaitsNewCard(f);
          f.sim.unplug(1);
          await expectAvailable(f);
        });
      });
    });
  }

  it('an auto fault that clears after the EV left leaves the connector Available', async () => {
    await withCharger(async (f) => {
      await startSession(f);
      f.sim.injectFault(null, 'emergencyStop');
      await f.advance(1000);
      f.sim.unplug(1);
      await expectStaysFaulted(f, 'EmergencyStop', 1000);
      f.sim.clearFault(null, 'emergencyStop');
      await expectAvailable(f);
    });
  });

  it('a residual current that returns during the holdoff starts the holdoff again', async () => {
    await withCharger(async (f) => {
      await startSession(f);
      f.sim.injectFault(1, 'rcdTripAc');
      f.sim.clearFault(1, 'rcdTripAc');
      await f.advance(SAFETY.faultRetryDelayMs / 2);
      f.sim.injectFault(1, 'rcdTripAc');
      f.sim.clearFault(1, 'rcdTripAc');
      await expectStaysFaulted(f, 'ResidualCurrentAC', SAFETY.faultRetryDelayMs - 1);
      await f.advance(1);
      await expectAwaitsNewCard(f);
    });
  });
});

function recoveryText(h: Hazard): string {
  const def = expectedFault(h.fault);
  if (def.recovery === 'latched') return 'stays after the condition clears, until a technician reset';
  if (def.recovery === 'untilUnplug') return 'stays after the condition clears, until the EV is unplugged';
  if (def.holdoff === 'faultRetryDelay') return `clears ${SAFETY.faultRetryDelayMs / 1000} s after the condition cleared`;
  return 'clears when the condition clears';
}

/** From just after the condition cleared to the fault being gone, with the EV still plugged. */
async function expectRecovery(f: ChargerFixture, h: Hazard): Promise<void> {
  const def = expectedFault(h.fault);
  if (def.recovery === 'latched') {
    await expectStaysFaulted(f, h.fault, SAFETY.faultRetryDelayMs + 60_000, true);
    assert.ok(logEntries(f, h.fault, 'latched').length > 0, 'no latched entry in the fault log');
    assert.deepEqual(f.charger.resetFaults(null), [{ connectorId: def.scope === 'station' ? null : 1, fault: h.fault }]);
    assert.equal(logEntries(f, h.fault, 'reset').length, 1, 'no reset entry in the fault log');
    return;
  }
  if (def.recovery === 'untilUnplug') {
    await expectStaysFaulted(f, h.fault, SAFETY.faultRetryDelayMs + 60_000, false);
    f.charger.resetFaults(null); // a technician reset does not stand in for the unplug
    await expectStaysFaulted(f, h.fault, 1000);
    f.sim.unplug(1);
    await expectAvailable(f);
    assert.equal(logEntries(f, h.fault, 'cleared').length, 1);
    f.sim.plug(1);
    await f.advance(500);
    return;
  }
  if (def.holdoff === 'faultRetryDelay') {
    await expectStaysFaulted(f, h.fault, SAFETY.faultRetryDelayMs - 1, false);
    await f.advance(1);
  } else {
    await f.advance(h.clearsWithinMs ?? 0);
  }
  assert.equal(logEntries(f, h.fault, 'cleared').length, 1, `${h.fault} has not cleared`);
}
