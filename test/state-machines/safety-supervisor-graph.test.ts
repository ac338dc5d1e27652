// Model-based test of the safety supervisor: for every fault, every state of an independent
// model of its recovery rule (written here from the README's rules, with the rule itself from the
// literal table in test/support/expected-faults.ts) is reached breadth-first, and every edge of
// that model is replayed on the real supervisor, on a virtual clock, comparing after each step
// whether the fault blocks, is latched, holds off or waits for an unplug.

import { strict as assert } from 'node:assert';
import { createActor } from 'xstate';
import { VirtualClock } from '../../hal/clock.js';
import { FAULT_NAMES, type FaultName } from '../../state-machines/faults.js';
import { createSafetySupervisor, faultStates, type FaultPhase } from '../../state-machines/safety-supervisor.js';
import { EXPECTED_FAULTS, expectedFault, type ExpectedFault } from '../support/expected-faults.js';

/** Small figures keep the model small; the rules do not depend on their size. */
const LIMIT = 2;
const RETRY_MS = 300_000;
const WINDOW_MS = 3_600_000;

type Step = 'RAISE' | 'CLEAR' | 'UNPLUGGED' | 'RESET' | 'WAIT_ALMOST_RETRY' | 'WAIT_1_MS' | 'WAIT_WINDOW';
const STEPS: readonly Step[] = ['RAISE', 'CLEAR', 'UNPLUGGED', 'RESET', 'WAIT_ALMOST_RETRY', 'WAIT_1_MS', 'WAIT_WINDOW'];
const WAIT_MS: Partial<Record<Step, number>> = { WAIT_ALMOST_RETRY: RETRY_MS - 1, WAIT_1_MS: 1, WAIT_WINDOW: WINDOW_MS };

interface Model {
  /** The condition is present (raised and not cleared since). */
  readonly present: boolean;
  readonly phase: FaultPhase;
  /** Raises counted in the repeat window (every WAIT_WINDOW forgets them all). */
  readonly raises: number;
  /** Time left in the holdoff. */
  readonly holdoffLeftMs: number;
}

const START: Model = { present: false, phase: 'clear', raises: 0, holdoffLeftMs: 0 };

/**
 * The rules, independently of the machine: auto clears with the condition (after the retry delay
 * if it has one); untilUnplug clears at the first unplug after the condition cleared; latched
 * clears only at a technician reset once the condition is gone; a self-recovering fault raised
 * more than LIMIT times in the window latches.
 */
function next(m: Model, step: Step, rule: ExpectedFault): Model {
  const afterClear = (): Model['phase'] =>
    rule.recovery === 'latched' ? 'latched'
      : rule.recovery === 'untilUnplug' ? 'awaitingUnplug'
        : rule.holdoff === 'faultRetryDelay' ? 'holdoff' : 'clear';
  switch (step) {
    case 'RAISE': {
      if (m.present) return m; // the same condition again
      if (m.phase === 'latched') return { ...m, present: true };
      const raises = m.raises + 1;
      const phase = rule.recovery !== 'latched' && raises > LIMIT ? 'latched' : 'active';
      return { ...m, present: true, phase, raises, holdoffLeftMs: 0 };
    }
    case 'CLEAR': {
      if (!m.present) return m;
      if (m.phase !== 'active') return { ...m, present: false };
      const phase = afterClear();
      return { ...m, present: false, phase, holdoffLeftMs: phase === 'holdoff' ? RETRY_MS : 0 };
    }
    case 'UNPLUGGED':
      return m.phase === 'awaitingUnplug' ? { ...m, phase: 'clear' } : m;
    case 'RESET':
      return m.phase === 'latched' && !m.present ? { ...m, phase: 'clear', raises: 0 } : m;
    default: {
      const ms = WAIT_MS[step]!;
      const raises = step === 'WAIT_WINDOW' ? 0 : m.raises;
      if (m.phase !== 'holdoff') return { ...m, raises };
      return ms >= m.holdoffLeftMs ? { ...m, raises, phase: 'clear', holdoffLeftMs: 0 } : { ...m, raises, holdoffLeftMs: m.holdoffLeftMs - ms };
    }
  }
}

const key = (m: Model): string => JSON.stringify(m);

/** Deep enough to latch by repetition (LIMIT + 1 raises with their clears) and reset. */
const MAX_DEPTH = 7;

/** Breadth-first over the model: a shortest path to every (state, step) edge within MAX_DEPTH (time makes it infinite). */
function edgePaths(rule: ExpectedFault): Step[][] {
  const pathTo = new Map<string, Step[]>([[key(START), []]]);
  const states = new Map<string, Model>([[key(START), START]]);
  const queue = [key(START)];
  const edges: Step[][] = [];
  for (let i = 0; i < queue.length; i++) {
    const from = queue[i]!;
    if (pathTo.get(from)!.length >= MAX_DEPTH) continue;
    for (const step of STEPS) {
      const to = next(states.get(from)!, step, rule);
      const path = [...pathTo.get(from)!, step];
      edges.push(path);
      if (!pathTo.has(key(to))) {
        pathTo.set(key(to), path);
        states.set(key(to), to);
        queue.push(key(to));
      }
    }
  }
  return edges;
}

/** Runs a path on a fresh supervisor over this one fault, checking the model after every step. */
async function replay(fault: FaultName, rule: ExpectedFault, path: readonly Step[]): Promise<void> {
  const clock = new VirtualClock(0);
  const actor = createActor(createSafetySupervisor([fault]), {
    clock,
    input: { faults: [fault], repeatedFaultLimit: LIMIT, repeatedFaultWindowMs: WINDOW_MS, faultRetryDelayMs: RETRY_MS },
  });
  actor.start();
  let model = START;
  try {
    for (const [i, step] of path.entries()) {
      if (step === 'RAISE' || step === 'CLEAR') actor.send({ type: step, fault, at: clock.now() });
      else if (step === 'UNPLUGGED' || step === 'RESET') actor.send({ type: step });
      else await clock.advance(WAIT_MS[step]!);
      model = next(model, step, rule);
      const state = faultStates(actor.getSnapshot()).find((s) => s.fault === fault);
      const actual = { phase: state?.phase ?? 'clear', blocking: state?.blocking ?? false, latched: state?.latched ?? false };
      const expected = { phase: model.phase, blocking: model.phase !== 'clear', latched: model.phase === 'latched' };
      assert.deepEqual(actual, expected, `${fault} after ${path.slice(0, i + 1).join(' → ')}`);
    }
  } finally {
    actor.stop();
  }
}

describe('safety supervisor, model-based: every fault walks the graph of its recovery rule', function () {
  this.timeout(60_000);

  for (const fault of FAULT_NAMES) {
    const known = EXPECTED_FAULTS[fault];
    const label = known ? `${known.recovery}${known.holdoff === 'none' ? '' : ' with retry delay'}` : 'no expected row';
    it(`${fault} (${label})`, async () => {
      const rule = expectedFault(fault);
      const paths = edgePaths(rule);
      assert.ok(paths.length >= 7 * 5, `${paths.length} edges: the model is too small to say anything`);
      for (const path of paths) await replay(fault, rule, path);
    });
  }

  it('the model reaches every phase its rule allows, and no other', () => {
    const phases = (rule: ExpectedFault) => new Set(edgePaths(rule).map((path) =>
      path.reduce((m, step) => next(m, step, rule), START).phase));
    const sorted = (s: Set<string>) => [...s].sort();
    assert.deepEqual(sorted(phases(expectedFault('OverTemperature'))), ['active', 'clear', 'latched']);
    assert.deepEqual(sorted(phases(expectedFault('ResidualCurrentAC'))), ['active', 'clear', 'holdoff', 'latched']);
    assert.deepEqual(sorted(phases(expectedFault('OverCurrent'))), ['active', 'awaitingUnplug', 'clear', 'latched']);
    assert.deepEqual(sorted(phases(expectedFault('ContactorWelded'))), ['active', 'clear', 'latched']);
  });
});
