import { strict as assert } from 'node:assert';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { unsealJson } from '../../app/persistence/durable-json-file.js';
import { SessionStore } from '../../app/persistence/session-store.js';

describe('persistence/session-store: delivery to the backend', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'charger-delivery-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true, maxRetries: 3 });
  });

  it('is on disk when noteDelivery resolves, only moves forward, keeps the first transactionId, and survives stop and reopen', async () => {
    const store = await SessionStore.open(dir, { report: () => undefined, forBackend: true });
    const s = store.start({ connectorId: 1, idTag: 'CARD', startedAt: '2026-01-01T00:00:00.000Z', meterStartWh: 100 });
    assert.equal(s.delivery, 'queued', 'for a backend: queued from the start');
    await store.flush();
    const onDisk = JSON.parse(unsealJson(await readFile(join(dir, 'sessions.json'), 'utf8'))) as { sessions: Array<{ delivery?: string }> };
    assert.equal(onDisk.sessions[0]!.delivery, 'queued');
    await store.noteDelivery(s.sessionId, 'startSent', 42);
    await store.noteDelivery(s.sessionId, 'queued'); // late: ignored
    await store.noteDelivery(s.sessionId, 'startSent', 43); // again: the first id stays
    store.stop(s.sessionId, { at: '2026-01-01T01:00:00.000Z', meterStopWh: 600, reason: 'Local' });
    await store.flush();
    const again = await SessionStore.open(dir, { report: () => undefined });
    assert.deepEqual([again.get(s.sessionId)!.delivery, again.get(s.sessionId)!.backendTransactionId, again.get(s.sessionId)!.meterStopWh], ['startSent', 42, 600]);
    await again.noteDelivery(s.sessionId, 'stopSent');
    assert.equal(again.get(s.sessionId)!.delivery, 'stopSent');
    await again.noteDelivery('unknown', 'stopSent'); // no such session: nothing to do
  });

  it('a standalone charger\'s sessions carry no delivery', async () => {
    const store = await SessionStore.open(dir, { report: () => undefined });
    const s = store.start({ connectorId: 1, idTag: null, startedAt: '2026-01-01T00:00:00.000Z', meterStartWh: 0 });
    assert.equal('delivery' in s, false);
  });
});
