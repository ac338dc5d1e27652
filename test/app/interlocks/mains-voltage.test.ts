// Mains over- and under-voltage (issue 8 item 13), from the meter's per-phase voltage: 230 V
// ±10 % (IEC 60038 / EN 50160: 207–253 V) beyond the band for 1 s stops the connector (OCPP
// OverVoltage / UnderVoltage); it recovers by itself once every phase has been 4 % of nominal
// (9.2 V) inside the band for 1 s: ≤ 243.8 V, ≥ 216.2 V. Figures: app/safety/mains-voltage-guard.ts.

import { strict as assert } from 'node:assert';
import type { FaultName } from '../../../state-machines/faults.js';
import { startSession, type ChargerFixture } from '../../support/charger-fixture.js';
import {
  CHARGING,
  contactor,
  expectAwaitsNewCard,
  expectSessionStoppedBy,
  expectSignalled,
  expectStateFThenHigh,
  expectStaysFaulted,
  logEntries,
  withCharger,
} from './helpers.js';

const NOMINAL_V = 230;
const DEBOUNCE_MS = 1000;
const POLL_MS = 1000;
/** The meter answers 20 ms after it is asked (hal/sim/sim-meter.ts). */
const METER_LATENCY_MS = 20;

type Volts = [number, number, number];

interface Side {
  readonly fault: FaultName;
  readonly tripV: number;
  /** Beyond the trip level. */
  readonly faultyV: number;
  /** Back inside the band, but not by the hysteresis: still faulted. */
  readonly insideV: number;
  /** Inside by more than the hysteresis: recovers. */
  readonly restoredV: number;
}

const OVER: Side = { fault: 'MainsOverVoltage', tripV: 253, faultyV: 256, insideV: 246, restoredV: 243 };
const UNDER: Side = { fault: 'MainsUnderVoltage', tripV: 207, faultyV: 204, insideV: 214, restoredV: 217 };

function mains(f: ChargerFixture, volts: Volts): void {
  f.sim.setMainsVoltage(volts);
}

/** Every phase at nominal but `phase` (1 = L1) at `volts`. */
function onPhase(phase: number, volts: number): Volts {
  return [1, 2, 3].map((p) => (p === phase ? volts : NOMINAL_V)) as Volts;
}

async function expectStillCharging(f: ChargerFixture, forMs: number): Promise<void> {
  for (let t = 0; t < forMs; t += 100) {
    await f.advance(100);
    assert.equal(contactor(f).commanded, 'closed', `contactor opened after ${t + 100} ms`);
  }
  assert.equal(f.status().state, CHARGING);
  assert.deepEqual(f.status().activeFaults, []);
}

for (const side of [OVER, UNDER]) {
  describe(`mains ${side.fault === 'MainsOverVoltage' ? 'over' : 'under'}-voltage → ${side.fault} (trip ${side.tripV} V for ${DEBOUNCE_MS} ms)`, () => {
    for (const phase of [1, 2, 3]) {
      it(`L${phase} at ${side.faultyV} V: stops after the debounce and one meter poll, state F, session ended`, async () => {
        await withCharger(async (f) => {
          await startSession(f);
          mains(f, onPhase(phase, side.faultyV));
          await f.advance(DEBOUNCE_MS - 1);
          assert.equal(contactor(f).commanded, 'closed', 'stopped before the debounce');
          const stopped = await f.clock.advanceUntil(() => contactor(f).commanded === 'open', POLL_MS + METER_LATENCY_MS + 1, 1);
          assert.ok(stopped, `not stopped within ${DEBOUNCE_MS + POLL_MS + METER_LATENCY_MS} ms`);
          await expectSignalled(f, side.fault, { values: { phase: `L${phase}`, voltageV: side.faultyV, limitV: side.tripV } });
          await expectStateFThenHigh(f, side.fault);
          expectSessionStoppedBy(f, side.fault);
        });
      });
    }

    it(`recovers with hysteresis: ${side.insideV} V holds the fault, ${side.restoredV} V for ${DEBOUNCE_MS} ms clears it`, async () => {
      await withCharger(async (f) => {
        await startSession(f);
        mains(f, onPhase(2, side.faultyV));
        assert.ok(await f.clock.advanceUntil(() => contactor(f).commanded === 'open', DEBOUNCE_MS + POLL_MS + METER_LATENCY_MS + 1, 1));
        mains(f, onPhase(2, side.insideV));
        await expectStaysFaulted(f, side.fault, 60_000, false);
        mains(f, onPhase(2, side.restoredV));
        await f.advance(DEBOUNCE_MS - 1);
        assert.ok(f.status().activeFaults.some((a) => a.fault === side.fault), 'cleared before the debounce');
        assert.ok(
          await f.clock.advanceUntil(() => f.status().activeFaults.length === 0, POLL_MS + METER_LATENCY_MS + 1, 1),
          `not cleared ${DEBOUNCE_MS + POLL_MS} ms after the voltage came back`,
        );
        assert.equal(logEntries(f, side.fault, 'cleared').length, 1);
        await expectAwaitsNewCard(f);
      });
    });

    it(`a ${side.faultyV} V excursion of 900 ms (shorter than the debounce), repeated, does not stop`, async () => {
      await withCharger(async (f) => {
        await startSession(f);
        for (let i = 0; i < 10; i++) {
          mains(f, onPhase(1, side.faultyV));
          await expectStillCharging(f, 900);
          mains(f, onPhase(1, NOMINAL_V));
          await expectStillCharging(f, 1300);
        }
        assert.equal(logEntries(f, side.fault).length, 0);
      });
    });
  });
}

describe('mains voltage on a 1-phase connector: only L1 counts', () => {
  const onePhase = { connectors: [{ connectorId: 1, maxCurrentA: 32, phases: 1, kind: 'socket' }] };

  it('L2 and L3 far out of the band: charging goes on', async () => {
    await withCharger(async (f) => {
      await startSession(f);
      mains(f, [NOMINAL_V, 300, 150]);
      await expectStillCharging(f, 30_000);
    }, onePhase);
  });

  it('L1 out of the band: stops', async () => {
    await withCharger(async (f) => {
      await startSession(f);
      mains(f, [UNDER.faultyV, NOMINAL_V, NOMINAL_V]);
      assert.ok(await f.clock.advanceUntil(() => contactor(f).commanded === 'open', DEBOUNCE_MS + POLL_MS + METER_LATENCY_MS, 1));
      await expectSignalled(f, 'MainsUnderVoltage', { values: { phase: 'L1', voltageV: UNDER.faultyV } });
    }, onePhase);
  });
});

describe('mains voltage with the band configured narrower (safety.mainsOverVoltageRatio 0.06)', () => {
  it('trips at 230 V × 1.06 = 243.8 V', async () => {
    await withCharger(async (f) => {
      await startSession(f);
      mains(f, onPhase(3, 243));
      await expectStillCharging(f, 5000);
      mains(f, onPhase(3, 245));
      assert.ok(await f.clock.advanceUntil(() => contactor(f).commanded === 'open', DEBOUNCE_MS + POLL_MS + METER_LATENCY_MS, 1));
      await expectSignalled(f, 'MainsOverVoltage', { values: { limitV: 243.8 } });
    }, { safety: { mainsOverVoltageRatio: 0.06 } });
  });
});
