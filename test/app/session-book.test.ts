import { strict as assert } from 'node:assert';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { VirtualClock } from '../../hal/clock.js';
import type { MeterReading } from '../../hal/interfaces.js';
import type { ChargerEvent } from '../../app/ocpp/charger-port.js';
import { SessionStore } from '../../app/persistence/session-store.js';
import { SessionBook, type SessionMeter } from '../../app/sessions/session-book.js';

function reading(importEnergyWh: number): MeterReading {
  const phase = { voltageV: 230, currentA: 0, powerW: 0 };
  return { phases: [phase, phase, phase], totalPowerW: 0, frequencyHz: 50, importEnergyWh };
}

/** A meter whose answer to a read is given by the test. */
class HeldMeter implements SessionMeter {
  lastReading: MeterReading | null = null;
  private answers: ((r: MeterReading | null) => void)[] = [];
  private readonly listeners = new Set<(r: MeterReading) => void>();
  poll(): Promise<MeterReading | null> {
    return new Promise((resolve) => this.answers.push(resolve));
  }
  onReading(listener: (r: MeterReading) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }
  /** The meter answers the reads asked for (null: it did not answer). */
  answer(r: MeterReading | null): void {
    if (r) {
      this.lastReading = r;
      for (const listener of [...this.listeners]) listener(r);
    }
    for (const resolve of this.answers.splice(0)) resolve(r);
  }
}

describe('app/sessions/session-book', () => {
  let dir: string;
  let store: SessionStore;
  let meter: HeldMeter;
  let events: ChargerEvent[];
  let book: SessionBook;
  const clock = new VirtualClock();

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'session-book-'));
    store = await SessionStore.open(dir, { report: () => {}, updatePersistIntervalMs: 0 });
    meter = new HeldMeter();
    meter.lastReading = reading(1000);
    events = [];
    book = new SessionBook({ clock, store, meterOf: (id) => (id === 1 ? meter : undefined), onBookChanged: () => {}, onClosed: () => {}, emit: (e) => events.push(e) });
  });
  afterEach(async () => {
    await store.flush();
    await rm(dir, { recursive: true, force: true });
  });

  it('is open from the start; closed, with the energy and who stopped it, once the final read is back', async () => {
    book.started(1, 'CARD');
    assert.ok(book.isOpen(1));
    assert.equal(book.recordOn(1)?.meterStartWh, 1000);
    book.noteStopper(1, 'CARD');
    book.stopped(1, 'Local', null);
    assert.ok(!book.isOpen(1));
    assert.ok(book.anyClosing, 'waiting for the final read');
    meter.answer(reading(1450));
    await Promise.resolve();
    assert.ok(!book.anyClosing);
    assert.equal(book.lastEnergyWh(1), 450);
    const stopped = events.find((e) => e.type === 'sessionStopped');
    assert.ok(stopped && stopped.type === 'sessionStopped');
    assert.equal(stopped.session.meterStopWh, 1450);
    assert.equal(stopped.stoppedByIdTag, 'CARD');
  });

  it('a new session before the final read is back closes the last one first, at the last reading', async () => {
    book.started(1, null);
    meter.lastReading = reading(1200);
    book.stopped(1, 'EVDisconnected', null);
    book.started(1, null);
    const kinds = events.map((e) => e.type);
    assert.deepEqual(kinds, ['sessionStarted', 'sessionStopped', 'sessionStarted']);
    assert.equal(book.lastEnergyWh(1), 200);
  });

  it('a session begun before the meter\'s first reading takes its meterStart from the register then, never 0', async () => {
    meter.lastReading = null;
    book.started(1, null);
    assert.ok(book.isOpen(1), 'open at once (the site share counts it)');
    assert.equal(store.list().length, 0, 'not recorded from an invented value');
    meter.answer(null); // the first read fails: wait for the next
    await Promise.resolve();
    assert.equal(store.list().length, 0);
    meter.answer(reading(52_000));
    assert.equal(store.list()[0]!.meterStartWh, 52_000);
    const started = events.find((e) => e.type === 'sessionStarted');
    assert.ok(started && started.type === 'sessionStarted');
    assert.equal(started.session.meterStartWh, 52_000);
  });

  it('ended before the meter\'s first reading: recorded, start and stop, at the register once it answers', async () => {
    meter.lastReading = null;
    book.started(1, 'CARD');
    book.noteStopper(1, 'CARD');
    book.stopped(1, 'Local', null);
    assert.ok(!book.isOpen(1));
    assert.ok(book.anyClosing, 'endSessions waits for it');
    meter.answer(reading(52_000)); // the start's read
    meter.answer(reading(52_000)); // the stop's final read
    await Promise.resolve();
    assert.ok(!book.anyClosing);
    const [record] = store.list();
    assert.deepEqual([record!.meterStartWh, record!.meterStopWh, record!.stopReason], [52_000, 52_000, 'Local']);
    assert.deepEqual(events.map((e) => e.type), ['sessionStarted', 'sessionStopped']);
  });

  it('recover closes what a power cut left open with reason PowerLoss and the register now', async () => {
    const left = store.start({ connectorId: 1, idTag: null, startedAt: new Date(0).toISOString(), meterStartWh: 900 });
    const recovering = book.recover();
    meter.answer(reading(1300));
    await recovering;
    const record = store.get(left.sessionId)!;
    assert.equal(record.stopReason, 'PowerLoss');
    assert.equal(record.meterStopWh, 1300);
  });
});
