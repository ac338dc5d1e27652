// The firmware's default safety figures are the reference figures, exactly: moving one (the
// over-temperature stop to 70 °C, the retry delay to 1 min…) fails here, whatever else the
// behaviour tests happen to cover.

import { strict as assert } from 'node:assert';
import { DEFAULT_CONFIG, DEFAULT_SAFETY } from '../../config/defaults.js';
import { REFERENCE_SAFETY } from '../support/safety-reference.js';

describe('config/defaults: DEFAULT_SAFETY', () => {
  it('holds exactly the reference figures of test/support/safety-reference.ts, field for field', () => {
    assert.deepEqual(
      Object.keys(DEFAULT_SAFETY).sort(),
      Object.keys(REFERENCE_SAFETY).sort(),
      'every safety setting needs its reference figure (with its source) in test/support/safety-reference.ts',
    );
    for (const [field, figure] of Object.entries(REFERENCE_SAFETY)) {
      assert.deepEqual(DEFAULT_SAFETY[field as keyof typeof DEFAULT_SAFETY], figure, `DEFAULT_SAFETY.${field}`);
    }
  });

  it('is what the default config uses', () => {
    assert.deepEqual(DEFAULT_CONFIG.safety, REFERENCE_SAFETY);
  });
});
