// A damaged transaction journal never loses a billed session (issue 9 item 3). One session starts
// online, then the link goes and it ends offline; two more whole sessions run offline: five
// messages queued. The journal is then damaged as a disk can damage it, the charger restarts over
// the same session store, and the backend must receive every session's Start and Stop, with the
// energy the store holds.

import { strict as assert } from 'node:assert';
import { readdir, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { BackendLink } from '../../../app/ocpp/backend-link.js';
import type { ConfigurationStore } from '../../../app/ocpp/configuration/configuration-store.js';
import { MeterSampler } from '../../../app/ocpp/metering/meter-sampler.js';
import { OcppTime } from '../../../app/ocpp/ocpp-time.js';
import type { TransactionQueue } from '../../../app/ocpp/queue/transaction-queue.js';
import type { TransactionService } from '../../../app/ocpp/transactions/transaction-service.js';
import { FakeChargerPort, sessionRecord } from '../fake-charger-port.js';
import { FakeConnection, TestClock, configure, failure, storesFixture, testTransactionService, until } from './helpers.js';

/** The three sessions: register at start, energy charged. */
const SESSIONS = [
  { id: 's1', meterStartWh: 1000, energyWh: 3000 },
  { id: 's2', meterStartWh: 4000, energyWh: 5000 },
  { id: 's3', meterStartWh: 9000, energyWh: 3000 },
] as const;

/** A small seeded generator (mulberry32): a failure replays with the same bytes. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('ocpp/services: a damaged transaction journal', () => {
  const fx = storesFixture();
  let clock: TestClock;
  let charger: FakeChargerPort;
  let configuration: ConfigurationStore;
  let connection: FakeConnection;
  let link: BackendLink;
  let running: { queue: TransactionQueue; service: TransactionService; sampler: MeterSampler } | null;
  /** Every StartTransaction the backend answered: its meterStart and the transactionId it gave. */
  let started: Array<{ meterStart: number; transactionId: number }>;

  const queueDir = () => join(fx.dir, 'queue');

  async function boot(): Promise<void> {
    const queue = await fx.openQueue(clock, configuration);
    const time = new OcppTime(clock);
    let service: TransactionService | undefined;
    const sampler = new MeterSampler({ charger, configuration, clock: time.clock, send: (m) => service?.meterValues(m), report: () => undefined });
    service = testTransactionService({ queue, link, charger, sampler, configuration, time, clock });
    running = { queue, service, sampler };
    await service.start();
  }

  /** The power goes: the service and the queue stop where they are. */
  async function powerOff(): Promise<void> {
    if (!running) return;
    running.sampler.stop();
    const stopping = running.service.stop();
    for (const call of connection.pending) call.reject(failure('offline'));
    await stopping;
    await running.queue.close();
    running = null;
  }

  const online = () => {
    connection.open();
    link.announceOnline();
  };

  async function runSession(s: (typeof SESSIONS)[number]): Promise<void> {
    charger.startSession(sessionRecord(s.id, 1, clock.now(), s.meterStartWh, { idTag: 'CARD1', delivery: 'queued' }));
    await clock.advance(60_000);
    charger.meter(1, s.energyWh);
    await clock.advance(60_000);
    charger.endSession(1, { reason: 'Local' });
    await running!.service.idle();
    await clock.advance(60_000);
  }

  beforeEach(async () => {
    clock = new TestClock(Date.UTC(2026, 0, 1));
    charger = new FakeChargerPort(2, clock);
    configuration = await fx.openConfiguration();
    await configure(configuration, { MeterValueSampleInterval: 0 });
    connection = new FakeConnection(clock);
    link = new BackendLink(connection.asConnection);
    started = [];
    let nextTransactionId = 100;
    connection.respond = (action, payload) => {
      if (action !== 'StartTransaction') return {};
      const transactionId = nextTransactionId++;
      started.push({ meterStart: (payload as { meterStart: number }).meterStart, transactionId });
      return { transactionId, idTagInfo: { status: 'Accepted' } };
    };

    await boot();
    online();
    charger.startSession(sessionRecord(SESSIONS[0].id, 1, clock.now(), SESSIONS[0].meterStartWh, { idTag: 'CARD1', delivery: 'queued' }));
    await until(() => started.length === 1 && running!.queue.size === 0, 'the first Start delivered online');
    connection.close();
    await clock.advance(60_000);
    charger.meter(1, SESSIONS[0].energyWh);
    charger.endSession(1, { reason: 'Local' });
    await running!.service.idle();
    await clock.advance(60_000);
    await runSession(SESSIONS[1]);
    await runSession(SESSIONS[2]);
    assert.equal(running!.queue.size, 5, 'Stop s1, then Start and Stop of s2 and s3, queued offline');
    await powerOff();
  });

  afterEach(async () => {
    await powerOff();
  });

  /** Restarts over the damaged journal, lets the backend take the queue, and checks every session is billed right. */
  async function restartAndCheckBilling(): Promise<void> {
    await boot();
    online();
    await until(() => running!.queue.size === 0 && connection.pending.length === 0, 'the queue drained');
    const stops = connection.sent('StopTransaction').map((c) => c.payload as { transactionId: number; meterStop: number });
    assert.ok(stops.every((s) => s.transactionId !== -1), `no Stop without its Start: ${JSON.stringify(stops)}`);
    for (const s of SESSIONS) {
      const starts = started.filter((st) => st.meterStart === s.meterStartWh);
      assert.equal(starts.length, 1, `one StartTransaction for ${s.id}: ${JSON.stringify(started)}`);
      const its = stops.filter((stop) => stop.transactionId === starts[0]!.transactionId);
      assert.ok(its.length >= 1, `a StopTransaction for ${s.id}`);
      for (const stop of its) assert.equal(stop.meterStop - starts[0]!.meterStart, s.energyWh, `${s.id} billed for its energy`);
    }
    assert.equal(started.length, SESSIONS.length, 'no other transaction');
  }

  async function segment(): Promise<string> {
    const [name] = (await readdir(queueDir())).filter((n) => /^seg-\d+\.log$/.test(n));
    return join(queueDir(), name!);
  }

  const problemKinds = () => fx.queueProblems.map((p) => p.kind);

  for (const [what, session, action] of [
    ["the Start of s2", 's2', 'StartTransaction'],
    ["the Stop of s2", 's2', 'StopTransaction'],
    ["the Stop of s1 (delivered Start)", 's1', 'StopTransaction'],
  ] as const) {
    it(`one flipped byte in ${what}: every session's Start and Stop delivered with the right Wh; the segment kept aside and reported`, async () => {
      const path = await segment();
      const bytes = await readFile(path);
      const at = bytes.indexOf(`"a":"${action}","c":1,"l":"${session}"`);
      assert.ok(at > 0, 'record found');
      const original = Buffer.from(bytes);
      bytes[at + 3] ^= 0x04;
      await writeFile(path, bytes);
      await restartAndCheckBilling();
      assert.ok(problemKinds().includes('corrupt-segment'), problemKinds().join());
      const kept = (await readdir(queueDir())).filter((n) => n.includes('.corrupt-'));
      assert.equal(kept.length, 1);
      const keptBytes = await readFile(join(queueDir(), kept[0]!));
      assert.ok(keptBytes.subarray(0, at).equals(original.subarray(0, at)), 'the damaged segment, kept whole');
    });
  }

  it('a zero-length journal: every session delivered; reported', async () => {
    await truncate(await segment(), 0);
    await restartAndCheckBilling();
    assert.ok(problemKinds().includes('empty-segment'), problemKinds().join());
  });

  it('a truncated journal: every session delivered; reported', async () => {
    const path = await segment();
    await truncate(path, Math.floor((await stat(path)).size / 2));
    await restartAndCheckBilling();
    assert.ok(problemKinds().includes('torn-tail'), problemKinds().join());
  });

  it('a zeroed journal: every session delivered; reported and kept aside', async () => {
    const path = await segment();
    await writeFile(path, Buffer.alloc((await stat(path)).size));
    await restartAndCheckBilling();
    assert.ok(problemKinds().includes('corrupt-segment'), problemKinds().join());
  });

  it('a journal of garbage: every session delivered; reported and kept aside', async () => {
    const seed = 0x5eed9;
    const random = seeded(seed);
    const path = await segment();
    const garbage = Buffer.from(Array.from({ length: (await stat(path)).size }, () => Math.floor(random() * 256)));
    await writeFile(path, garbage);
    try {
      await restartAndCheckBilling();
      assert.ok(problemKinds().includes('corrupt-segment'), problemKinds().join());
    } catch (error) {
      (error as Error).message += ` (garbage seed ${seed})`;
      throw error;
    }
  });
});
