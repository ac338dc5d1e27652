// The fault table against a literal expectation (test/support/expected-faults.ts): a welded
// contactor reported as OtherError, a DC residual current that recovers by itself or a fault
// that no longer shows state F fails here. Checking the table against itself cannot.

import { strict as assert } from 'node:assert';
import { FAULTS, FAULT_NAMES } from '../../state-machines/faults.js';
import { EXPECTED_FAULTS } from '../support/expected-faults.js';

describe('state-machines/faults: the fault table', () => {
  it('has exactly the faults the expectation names', () => {
    assert.deepEqual([...FAULT_NAMES].sort(), Object.keys(EXPECTED_FAULTS).sort(),
      'a fault added to or removed from faults.ts needs its row in test/support/expected-faults.ts');
  });

  for (const [name, expected] of Object.entries(EXPECTED_FAULTS)) {
    it(`${name}: ${expected.ocppErrorCode}, ${expected.recovery}${expected.holdoff === 'none' ? '' : ' after the retry delay'}, ${expected.pilotStateF ? 'state F' : 'no state F'}, ${expected.scope}`, () => {
      const def = FAULTS[name as keyof typeof FAULTS];
      assert.ok(def, `${name} is not in faults.ts`);
      const actual = { ocppErrorCode: def.ocppErrorCode, recovery: def.recovery, holdoff: def.holdoff, pilotStateF: def.pilotStateF, scope: def.scope };
      assert.deepEqual(actual, expected);
    });
  }
});
