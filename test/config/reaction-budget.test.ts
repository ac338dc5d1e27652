// The C→B reaction budget per board (docs/reaction-budgets.md): IEC 61851-1 Table A.6 seq 8.1
// (reference A3) opens the contactor within 100 ms of C→B; we keep 20 ms of it as margin.

import { strict as assert } from 'node:assert';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BOARDS_DIR, listBoardProfiles, loadBoardProfile } from '../../config/board-profile.js';
import { ConfigError, resolveConfig } from '../../config/load-config.js';
import { cToBPath, maxPilotDebounceMs } from '../../config/reaction-budget.js';

/** IEC 61851-1 Table A.6 seq 8.1 (reference A3) less our 20 ms margin. */
const BUDGET_MS = 80;

describe('C→B reaction budget per board', () => {
  it('every reference board fits with the default debounce (30 ms), with these figures', () => {
    const debounce = resolveConfig({}).safety.pilotDebounceMs;
    assert.equal(debounce, 30, 'reference A1: filtering adds at most 50 ms; A3: OpenEVSE 25 ms');
    assert.deepEqual(cToBPath(loadBoardProfile('sim'), debounce), {
      opener: 'app', samplingMs: 0, debounceMs: 30, reactionMs: 10, dropOutMs: 20, totalMs: 60,
    });
    // 10 ms ADC poll + 6 ms for its conversions; 20 ms drop-out.
    assert.deepEqual(cToBPath(loadBoardProfile('direct-ref'), debounce), {
      opener: 'app', samplingMs: 16, debounceMs: 30, reactionMs: 10, dropOutMs: 20, totalMs: 76,
    });
    // The MCU opens by itself: 1 ms sampling, its 20 ms filter, one 10 ms cycle, 20 ms drop-out.
    assert.deepEqual(cToBPath(loadBoardProfile('coprocessor-ref'), debounce), {
      opener: 'coprocessor', samplingMs: 1, debounceMs: 20, reactionMs: 10, dropOutMs: 20, totalMs: 51,
    });
    for (const name of listBoardProfiles()) {
      assert.ok(cToBPath(loadBoardProfile(name), debounce).totalMs <= BUDGET_MS, name);
      assert.equal(resolveConfig({ board: name }).board, name);
    }
  });

  it('the longest debounce each board allows', () => {
    assert.equal(maxPilotDebounceMs(loadBoardProfile('sim')), 50);
    assert.equal(maxPilotDebounceMs(loadBoardProfile('direct-ref')), 34);
    assert.equal(maxPilotDebounceMs(loadBoardProfile('coprocessor-ref')), null, 'not on the path: the co-processor opens by itself');
  });

  it('the config loader refuses a debounce that does not fit the board, naming the field and the maximum', () => {
    assert.equal(resolveConfig({ board: 'direct-ref', safety: { pilotDebounceMs: 34 } }).safety.pilotDebounceMs, 34);
    assert.throws(() => resolveConfig({ board: 'direct-ref', safety: { pilotDebounceMs: 35 } }), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.equal(err.field, 'safety.pilotDebounceMs');
      assert.equal(
        err.message,
        'config: safety.pilotDebounceMs must be at most 34 on board "direct-ref" (got 35): its pilot sampling (16 ms), the debounce, ' +
          'the software reaction (10 ms) and the contactor drop-out (20 ms) must open the contactor within 80 ms of C→B ' +
          '(IEC 61851-1: 100 ms, less a 20 ms margin)',
      );
      return true;
    });
    assert.equal(resolveConfig({ board: 'sim', safety: { pilotDebounceMs: 50 } }).safety.pilotDebounceMs, 50);
    assert.equal(resolveConfig({ board: 'coprocessor-ref', safety: { pilotDebounceMs: 50 } }).safety.pilotDebounceMs, 50);
  });

  it('a direct board polling its pilot every 20 ms with a 75 ms debounce (the old direct-ref) is refused', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'charger-budget-'));
    try {
      const boards = join(dir, 'boards');
      await mkdir(boards);
      const direct = JSON.parse(await readFile(join(BOARDS_DIR, 'direct-ref.json'), 'utf8'));
      direct.connectors[0].pilot.pollMs = 20;
      await writeFile(join(boards, 'direct-ref.json'), JSON.stringify(direct));
      // 20 + 6 + 10 + 20 = 56 ms before the debounce: 24 ms left of 80.
      assert.equal(maxPilotDebounceMs(loadBoardProfile('direct-ref', boards)), 24);
      assert.throws(() => resolveConfig({ board: 'direct-ref', safety: { pilotDebounceMs: 30 } }, 'config', boards), /safety\.pilotDebounceMs must be at most 24 on board "direct-ref" \(got 30\)/);
      assert.throws(() => resolveConfig({ board: 'direct-ref', safety: { pilotDebounceMs: 75 } }, 'config', boards), /safety\.pilotDebounceMs must be between 10 and 50 \(got 75\)/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
