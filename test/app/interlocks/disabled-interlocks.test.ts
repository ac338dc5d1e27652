// The one way to switch an interlock off, `safety.disabledInterlocks`: it works on the simulated
// board (for development), only for the interlocks it names, and no other board accepts it.

import { strict as assert } from 'node:assert';
import type { SimFaultName, SimFaultParams } from '../../../hal/sim/simulation-control.js';
import { ConfigError, resolveConfig } from '../../../config/load-config.js';
import type { FaultName } from '../../../state-machines/faults.js';
import { startSession } from '../../support/charger-fixture.js';
import { CHARGING, SAFETY, contactor, lastSession, withCharger } from './helpers.js';

interface Disabled {
  readonly fault: FaultName;
  readonly inject: SimFaultName;
  readonly target: number | null;
  readonly params?: SimFaultParams;
  /** How long to watch it keep charging. */
  readonly watchMs: number;
}

const DISABLED: readonly Disabled[] = [
  { fault: 'EmergencyStop', inject: 'emergencyStop', target: null, watchMs: 5000 }, // station-wide path
  { fault: 'ResidualCurrentAC', inject: 'rcdTripAc', target: 1, watchMs: 5000 }, // connector path, immediate
  { fault: 'OverCurrent', inject: 'evOverdraw', target: 1, params: { overdrawA: 10 }, watchMs: 3 * SAFETY.overcurrentGraceMs },
  { fault: 'MeterFailure', inject: 'meterCommLoss', target: 1, watchMs: 10 * 1000 },
];

const sim = (disabledInterlocks: readonly string[]) => ({ safety: { disabledInterlocks } });

describe('safety.disabledInterlocks on the simulated board', () => {
  for (const d of DISABLED) {
    it(`${d.fault} disabled: ${d.inject} no longer stops charging`, async () => {
      await withCharger(async (f) => {
        assert.equal(f.config.board, 'sim');
        await startSession(f);
        f.sim.injectFault(d.target, d.inject, d.params);
        for (let t = 0; t < d.watchMs; t += 500) {
          await f.advance(500);
          assert.equal(contactor(f).commanded, 'closed', `stopped ${t + 500} ms after ${d.inject}`);
        }
        assert.equal(f.status().state, CHARGING);
        assert.deepEqual(f.status().activeFaults, []);
        assert.deepEqual(f.charger.faultLog(), []);
        assert.equal(lastSession(f).stoppedAt, null);
      }, sim([d.fault]));
    });
  }

  it('the interlocks it does not name still work', async () => {
    await withCharger(async (f) => {
      await startSession(f);
      f.sim.injectFault(1, 'rcdTripAc');
      assert.equal(contactor(f).commanded, 'open');
      assert.equal(f.status().activeFaults[0]?.fault, 'ResidualCurrentAC');
    }, sim(['OverCurrent', 'MeterFailure']));
  });
});

describe('safety.disabledInterlocks on any other board is refused', () => {
  const problemOf = (raw: unknown): ConfigError => {
    try {
      resolveConfig(raw);
    } catch (err) {
      assert.ok(err instanceof ConfigError, `threw ${String(err)}`);
      return err;
    }
    assert.fail(`resolveConfig accepted ${JSON.stringify(raw)}`);
  };

  it('accepts it on board "sim"', () => {
    const config = resolveConfig({ board: 'sim', ...sim(['OverCurrent']) });
    assert.deepEqual(config.safety.disabledInterlocks, ['OverCurrent']);
  });

  for (const board of ['directwired', 'acme-v2']) {
    it(`rejects it on board "${board}", naming safety.disabledInterlocks first`, () => {
      const err = problemOf({ board, ...sim(['ContactorWelded']) });
      // The board itself may not exist (the sim is the only profile today): that is a second problem.
      const fields = err.problems.map((p) => p.field);
      assert.ok(fields.includes('safety.disabledInterlocks'), `problems: ${JSON.stringify(fields)}`);
      assert.equal(err.field, 'safety.disabledInterlocks', 'a safety problem is reported first');
      assert.match(err.message, /safety\.disabledInterlocks/);
      assert.match(err.message, new RegExp(`"${board}"`));
      // Without the list, only the board is questioned.
      const withoutList = problemOf({ board });
      assert.ok(!withoutList.problems.some((p) => p.field.startsWith('safety')));
      const emptyList = problemOf({ board, ...sim([]) });
      assert.ok(!emptyList.problems.some((p) => p.field.startsWith('safety')));
    });
  }

  it('rejects a name that is not an interlock, even on the sim', () => {
    const err = problemOf({ board: 'sim', ...sim(['NoSuchInterlock']) });
    assert.match(err.field, /^safety\.disabledInterlocks/);
  });
});
