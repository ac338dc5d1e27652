import { strict as assert } from 'node:assert';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { VirtualClock } from '../../hal/clock.js';
import { FaultLogStore } from '../../app/persistence/fault-log-store.js';
import { FaultRecorder } from '../../app/safety/fault-recorder.js';
import type { FaultState } from '../../state-machines/safety-supervisor.js';

const active: FaultState = { fault: 'OverCurrent', phase: 'active', blocking: true, latched: false };
const holdoff: FaultState = { ...active, phase: 'holdoff' };
const latched: FaultState = { ...active, phase: 'latched', latched: true };

describe('app/safety/fault-recorder', () => {
  let dir: string;
  let store: FaultLogStore;
  let clock: VirtualClock;
  let recorder: FaultRecorder;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fault-recorder-'));
    store = await FaultLogStore.open(dir, { report: () => {} });
    clock = new VirtualClock();
    recorder = new FaultRecorder(clock, store);
  });
  afterEach(async () => {
    await store.flush();
    await rm(dir, { recursive: true, force: true });
  });

  it('logs an episode once (raised, latched, reset), not its phase changes; remembers since when it is active', async () => {
    recorder.record(1, 'OverCurrent', null, active, { currentA: 40 });
    const raisedAt = new Date(clock.now()).toISOString();
    await clock.advance(1000);
    recorder.record(1, 'OverCurrent', active, holdoff, {});
    recorder.record(1, 'OverCurrent', holdoff, latched, {});
    assert.equal(recorder.since('OverCurrent', 1), raisedAt, 'since the raise, not the latch');
    assert.deepEqual(recorder.active(latched, 1), { fault: 'OverCurrent', since: raisedAt, latched: true, ocppErrorCode: 'OverCurrentFailure' });
    recorder.record(1, 'OverCurrent', latched, null, {});
    assert.deepEqual(store.list().map((e) => [e.connectorId, e.event]), [[1, 'raised'], [1, 'latched'], [1, 'reset']]);
    assert.deepEqual(store.list()[0]!.values, { currentA: 40 });
    assert.equal(recorder.since('OverCurrent', 1), '', 'forgotten once cleared');
  });

  it('a connector without its own entry shows when the station raised the fault', () => {
    recorder.record(null, 'EmergencyStop', null, { fault: 'EmergencyStop', phase: 'active', blocking: true, latched: false }, { pressed: true });
    assert.equal(recorder.since('EmergencyStop', 2), new Date(clock.now()).toISOString());
  });
});
