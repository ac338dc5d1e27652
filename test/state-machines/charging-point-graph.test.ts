// Model-based tests: every state the machine can reach under a representative set of events
// (xstate/graph shortest paths), replayed on a fresh actor with the safety invariants checked
// after every step — once firing each delayed transition exactly as the graph takes it, once
// letting a virtual clock run them in real time order.

import { strict as assert } from 'node:assert';
import { getAdjacencyMap, getShortestPaths, getStateNodes, type AdjacencyValue, type StatePath } from 'xstate/graph';
import type { SnapshotFrom } from 'xstate';
import {
  POWER_OFF_UNDER_LOAD_MS,
  chargingPointMachine,
  type ChargingPointEvent,
  type ChargingPointInput,
} from '../../state-machines/charging-point.js';
import { MIN_CONTACTOR_OFF_TIME_MS } from '../../state-machines/close-preconditions.js';
import { VirtualClock } from '../../hal/clock.js';
import { BASE_INPUT, Rig, flattenState, transitionKey, type ActorClock } from './charging-point-rig.js';
import { InvariantChecker } from './charging-point-invariants.js';

type Snapshot = SnapshotFrom<typeof chargingPointMachine>;
type PathEvent = ChargingPointEvent | { type: `xstate.after.${string}` };
type Path = StatePath<Snapshot, ChargingPointEvent>;

const ALL_NODES = getStateNodes(chargingPointMachine.root);
const AFTER_EVENTS = [...new Set(ALL_NODES.flatMap((node) => node.after.map((t) => t.eventType)))].map((type) => ({ type }));

const EVENTS: readonly PathEvent[] = [
  ...(['A', 'B', 'C', 'D', 'E'] as const).map((state) => ({ type: 'PILOT' as const, state })),
  { type: 'CABLE', ratingA: 32 },
  { type: 'CABLE', ratingA: null },
  { type: 'AUTHORIZED', idTag: 'card' },
  { type: 'STOP', reason: 'Other' },
  ...[0, 16, 32].map((amps) => ({ type: 'LIMIT' as const, amps })),
  { type: 'LOCK', locked: true },
  { type: 'LOCK', locked: false },
  { type: 'DIODE_VERIFIED' },
  { type: 'SELF_TEST', passed: true },
  { type: 'METER_READY' },
  { type: 'FAULTS', blocking: true, stateF: true, reason: 'Fault' },
  { type: 'FAULTS', blocking: true, stateF: false, reason: 'EmergencyStop' },
  { type: 'FAULTS', blocking: false, stateF: false, reason: 'Fault' },
  ...AFTER_EVENTS,
];

/**
 * The backend's rules (availability, a session that outlives an unplug) multiply the graph by
 * four: they get a graph of their own, over the events that matter to them.
 */
const BACKEND_EVENTS: readonly PathEvent[] = [
  ...EVENTS.filter((e) => !(
    (e.type === 'PILOT' && (e.state === 'D' || e.state === 'E')) ||
    (e.type === 'LIMIT' && e.amps === 16) ||
    (e.type === 'CABLE' && e.ratingA === null) ||
    (e.type === 'FAULTS' && e.reason === 'EmergencyStop') ||
    (e.type === 'FAULTS' && e.blocking && e.stateF))),
  { type: 'OPERATIVE', operative: false },
  { type: 'OPERATIVE', operative: true },
  { type: 'CONFIGURE', keepSessionOnUnplug: true },
  { type: 'CONFIGURE', keepSessionOnUnplug: false },
  { type: 'CONFIGURE', unlockOnUnplug: false },
  // A self-test that fails after one passed: the checker holds the close to the walk's last result.
  { type: 'SELF_TEST', passed: false },
];

/** The state value and every context field a guard reads. */
function serializeState(snapshot: Snapshot): string {
  const c = snapshot.context;
  return JSON.stringify([snapshot.value, c.pilot, c.cableRatingA, c.authorized, c.lockConfirmed, c.diodeVerified,
    c.selfTestPassed, c.meterReady, c.blocked, c.blockingStateF, c.blockingReason, c.allowedCurrentA, c.offeredCurrentA, c.pwmOn, c.stopIntent,
    c.operative, c.keepSessionOnUnplug, c.unlockOnUnplug, c.contactorRested, c.awaitingDriver]);
}

/** The delay of each `after` (by name), for an input; the test clock tells timers apart by it. */
function delays(input: ChargingPointInput): Record<string, number> {
  return {
    plugInTimeout: input.plugInTimeoutMs,
    powerOffUnderLoad: POWER_OFF_UNDER_LOAD_MS,
    stateFDuration: input.stateFDurationMs,
    pwmMinUpdateInterval: input.pwmMinUpdateIntervalMs,
    pilotResumeHold: input.pilotResumeHoldMs,
    minContactorOffTime: MIN_CONTACTOR_OFF_TIME_MS,
  };
}

function delayOf(eventType: string, input: ChargingPointInput): number {
  const name = eventType.split('.')[2]!; // xstate.after.<delay>.<state id>
  const ms = delays(input)[name];
  assert.ok(ms !== undefined, `unknown delay ${name}`);
  return ms;
}

/** A clock whose timers fire only when asked, one at a time: the graph's after-events. */
class StepClock implements ActorClock {
  private current = 0;
  private nextId = 1;
  private readonly timers = new Map<number, { callback: () => void; delayMs: number; dueAt: number }>();
  now(): number { return this.current; }
  setTimeout(callback: () => void, delayMs: number): number {
    const id = this.nextId++;
    this.timers.set(id, { callback, delayMs, dueAt: this.current + delayMs });
    return id;
  }
  clearTimeout(handle: unknown): void { this.timers.delete(handle as number); }
  /** Fires the pending timer that was set for `delayMs`, at its due time. */
  fire(delayMs: number): void {
    const pending = [...this.timers.entries()].filter(([, t]) => t.delayMs === delayMs);
    assert.equal(pending.length, 1, `one timer of ${delayMs} ms pending`);
    const [id, timer] = pending[0]!;
    this.timers.delete(id);
    this.current = Math.max(this.current, timer.dueAt);
    timer.callback();
  }
}

/** Name, input, events, and the least number of edge paths its graph must have (a check that the walk covers it). */
const CONFIGS: [string, Partial<ChargingPointInput>, readonly PathEvent[], number][] = [
  ['socket, no ventilation, card', {}, EVENTS, 300],
  ['tethered 32 A, ventilated, free charging', { kind: 'tethered', tetheredCableRatingA: 32, ventilationAvailable: true, freeCharging: true }, EVENTS, 300],
  ['socket, card, backend availability and unplug rules', {}, BACKEND_EVENTS, 200],
];

const isAfter = (event: PathEvent) => event.type.startsWith('xstate.after.');

describe('chargingPointMachine, model-based', function () {
  this.timeout(120_000);

  it('uses distinct delays, so the step clock can tell its timers apart', () => {
    const named = ALL_NODES.flatMap((node) => node.after.map((t) => String(t.delay)));
    assert.deepEqual([...new Set(named)].sort(), Object.keys(delays(BASE_INPUT)).sort());
    const values = Object.values(delays(BASE_INPUT));
    assert.equal(new Set(values).size, values.length);
  });

  const enteredIds = new Set<string>();
  const takenAfterEvents = new Set<string>();
  const takenTransitions = new Set<string>();

  for (const [name, overrides, events, minEdgePaths] of CONFIGS) {
    describe(name, () => {
      const input: ChargingPointInput = { ...BASE_INPUT, ...overrides };
      const options = {
        input,
        events: events as ChargingPointEvent[],
        serializeState: (snapshot: Snapshot) => serializeState(snapshot),
      };
      /** A shortest path to every reachable state. */
      let paths: Path[] = [];
      /** Plus, per (state value, event, next state value), the shortest path that ends with that edge. */
      let edgePaths: Path[] = [];

      before(() => {
        // One walk of the graph gives both: breadth-first over the adjacency map is what
        // getShortestPaths computes (all steps weigh 1), checked against it below.
        const adjacency = new Map<string, AdjacencyValue<Snapshot, ChargingPointEvent>>(
          Object.entries(getAdjacencyMap(chargingPointMachine, options)));
        const [startKey, start] = [...adjacency][0]!;
        const pathTo = new Map<string, Path>([[startKey, { state: start.state, steps: [], weight: 0 }]]);
        const byEdge = new Map<string, Path>();
        const queue = [startKey];
        for (let i = 0; i < queue.length; i++) {
          const source = queue[i]!;
          const head = pathTo.get(source)!;
          for (const { event, state } of Object.values(adjacency.get(source)!.transitions)) {
            const target = serializeState(state);
            if (target === source) continue; // ignored here (an after-event whose timer is not running…)
            const path = { state, steps: [...head.steps, { event, state }], weight: head.weight + 1 };
            if (!pathTo.has(target)) { pathTo.set(target, path); queue.push(target); }
            // The backend rules choose among guarded transitions (e.g. whether idle releases the
            // cable): an edge under other rules is another edge.
            const rules = (c: Snapshot['context']) => [c.operative, c.keepSessionOnUnplug, c.unlockOnUnplug];
            const edge = JSON.stringify([head.state.value, event, state.value, rules(state.context)]);
            if (!byEdge.has(edge)) byEdge.set(edge, path); // breadth-first: the first one is a shortest
          }
        }
        paths = [...pathTo.values()];
        edgePaths = [...byEdge.values()];
      });

      it('finds a path to every reachable state', () => {
        assert.ok(paths.length > 1000, `${paths.length} paths`);
        assert.equal(flattenState(paths[0]!.state.value), 'point.idle.vacant');
        assert.ok(edgePaths.length > minEdgePaths, `${edgePaths.length} edge paths`);
        if (overrides.kind !== 'tethered') return; // the cheaper graph is enough to cross-check
        const reference = getShortestPaths(chargingPointMachine, options);
        assert.deepEqual(
          new Map(reference.map((p) => [serializeState(p.state), p.steps.length - 1])), // minus the xstate.init step
          new Map(paths.map((p) => [serializeState(p.state), p.steps.length])),
        );
      });

      it('replays every path, firing each delayed transition as the graph takes it, with the invariants holding', () => {
        for (const path of [...paths, ...edgePaths]) {
          const clock = new StepClock();
          const rig = new Rig(overrides, clock);
          const checker = new InvariantChecker(rig, input);
          checker.check();
          for (const step of path.steps) {
            const event = step.event as PathEvent;
            if ((event.type as string) === 'xstate.init') continue;
            checker.observe(event);
            if (isAfter(event)) {
              clock.fire(delayOf(event.type, input));
              takenAfterEvents.add(event.type);
            } else {
              rig.send(event as ChargingPointEvent);
            }
            checker.check();
            assert.equal(serializeState(rig.actor.getSnapshot()), serializeState(step.state),
              `replay diverged from the graph at ${event.type}`);
          }
          for (const id of rig.entered) enteredIds.add(id);
          for (const t of rig.taken) takenTransitions.add(t);
        }
      });

      it('replays every path in real time (each after-event is the clock advancing by its delay), then lets it settle', async () => {
        for (const path of [...paths, ...edgePaths]) {
          if (!path.steps.some((s) => isAfter(s.event as PathEvent))) continue;
          const clock = new VirtualClock(0);
          const rig = new Rig(overrides, clock);
          const checker = new InvariantChecker(rig, input);
          for (const step of path.steps) {
            const event = step.event as PathEvent;
            if ((event.type as string) === 'xstate.init') continue;
            checker.observe(event);
            if (isAfter(event)) await clock.advance(delayOf(event.type, input));
            else rig.send(event as ChargingPointEvent);
            checker.check();
          }
          await clock.advance(input.plugInTimeoutMs + 1);
          checker.check();
          assert.equal(clock.pendingTimers, 0, `timers left in ${rig.state} / ${rig.pacing}`);
          assert.ok(!['connected.session.energized.stopping', 'fault.signalling', 'idle.authorizedAwaitingPlug'].includes(rig.state), rig.state);
        }
      });
    });
  }

  // Suites run after their parent's own tests: this one comes after every replay above.
  describe('coverage of the replays', () => {
    it('visits every state node of the machine (transient ones through microsteps)', () => {
      const missing = ALL_NODES.map((node) => node.id).filter((id) => !enteredIds.has(id));
      assert.deepEqual(missing, []);
    });

    it('takes every delayed transition', () => {
      assert.deepEqual(AFTER_EVENTS.map((e) => e.type).filter((type) => !takenAfterEvents.has(type)), []);
    });

    it('takes every transition of the machine definition', () => {
      const defined = [chargingPointMachine.root, ...ALL_NODES].flatMap((node) =>
        [...[...node.transitions.values()].flat(), ...(node.always ?? [])].map(transitionKey));
      assert.ok(defined.length > 40, `${defined.length} transitions`);
      assert.deepEqual(defined.filter((key) => !takenTransitions.has(key)), []);
    });
  });
});
