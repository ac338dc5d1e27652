// A boot loop, for real: the firmware is started and killed again and again, each time well
// before its start becomes stable, with transaction messages queued while the CSMS is down. Then
// it starts normally with the CSMS up: it reports the loop (one error log line, the diagnostics
// status), has moved the optional state aside (and nothing else), waits the back-off before it
// connects, and delivers every queued transaction message, in order.

import { strict as assert } from 'node:assert';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DevCsms } from '../../../tools/dev-csms/csms.js';
import { CARDS, CP_ID, chargeSession, freePort, processTestFixture, status, until, writeConfig } from './firmware.js';
import { readTransactions } from './transaction-check.js';

const LOOP_STARTS = 5; // the guard's default N
const BACKOFF_MS = 1500;

describe('ocpp/process: boot loop', function () {
  this.timeout(120_000);
  const f = processTestFixture('charger-bootloop-', { CHARGER_BOOT_LOOP_BACKOFF_MS: String(BACKOFF_MS) });

  it('is reported and recovered from, and the queue survives it whole and in order', async () => {
    const port = await freePort();
    const { dir } = f;
    const dataDir = join(dir, 'data');
    await mkdir(dataDir);
    const config = await writeConfig(dir, {
      csmsUrl: `ws://127.0.0.1:${port}/ocpp`,
      keys: { MeterValueSampleInterval: '1', AllowOfflineTxForUnknownId: 'true', AuthorizationCacheEnabled: 'true' },
    });
    // Optional state a start reads (here harmless, in real life the one that trips the bug).
    const cache = JSON.stringify({ version: 1, entries: [{ idTag: CARDS[0], info: { status: 'Accepted' } }] });
    const availability = JSON.stringify({ version: 1, inoperative: [] });
    await writeFile(join(dataDir, 'ocpp-authorization-cache.json'), cache);
    await writeFile(join(dataDir, 'ocpp-availability.json'), availability);

    // Start 1, the CSMS down: a whole session, queued; killed (young).
    let fw = f.spawn(config, dataDir);
    await fw.running();
    await chargeSession(fw, 1, CARDS[0], { meterValues: 2, stop: 'unplug' });
    // Start 2: a session cut by the kill, on the other connector.
    await fw.kill();
    fw = f.spawn(config, dataDir);
    await fw.running();
    const queuedAtKill = await chargeSession(fw, 2, CARDS[1], { meterValues: 2, stop: 'none' });
    await fw.kill();
    // Starts 3..N: each killed at a random moment of its boot, or just after it runs.
    for (let i = 3; i <= LOOP_STARTS; i++) {
      fw = f.spawn(config, dataDir);
      if (i % 2 === 0) await fw.running();
      else await until('started up', () => /"msg":"/.test(fw.stdout), 10_000); // past the guard, in the stores
      await fw.kill();
    }
    const sessionsFile = await readFile(join(dataDir, 'sessions.json'), 'utf8');
    const configurationFile = await readFile(join(dataDir, 'ocpp-configuration.json'), 'utf8').catch(() => null); // written only once a key changes
    const queueFiles = await readdir(join(dataDir, 'ocpp-queue'));
    const filesBefore = await readdir(dataDir);
    const history = JSON.parse(await readFile(join(dataDir, 'boot-history.json'), 'utf8')) as { starts: Array<{ at: string; stable: boolean; cleanStop: boolean }> };
    assert.equal(history.starts.length, LOOP_STARTS);
    assert.ok(history.starts.every((s) => !s.stable && !s.cleanStop), JSON.stringify(history));

    // The CSMS is back; the firmware starts normally.
    const csms = f.closeAfter(await DevCsms.start({ host: '127.0.0.1', port, pingIntervalMs: 0, authorizedTags: Object.fromEntries(CARDS.map((c) => [c, { status: 'Accepted' as const }])) }));
    fw = f.spawn(config, dataDir);
    await fw.running();

    // Reported: one error line naming how many starts and since when, and the delay.
    const lines = fw.logLines().filter((l) => typeof l['msg'] === 'string' && (l['msg'] as string).startsWith('boot loop:'));
    assert.equal(lines.length, 1, fw.stdout);
    const line = lines[0]!;
    assert.equal(line['level'], 50);
    assert.match(line['msg'] as string, new RegExp(`^boot loop: the last ${LOOP_STARTS} starts \\(since ${history.starts[0]!.at.replace(/[.]/g, '\\.')}\\) all died within 60 s`));
    assert.match(line['msg'] as string, /moved aside ocpp-authorization-cache\.json, ocpp-availability\.json/);
    const delayMs = line['connectDelayMs'] as number;
    assert.ok(delayMs >= BACKOFF_MS * 0.75 && delayMs <= BACKOFF_MS * 1.25, `delay ${delayMs}`);
    assert.match(line['msg'] as string, new RegExp(`connecting to the CSMS delayed by \\d+ s \\(${delayMs} ms\\)`));
    // Visible in the diagnostics status.
    assert.deepEqual((await status(fw)).supervision, { bootLoop: true, recentStarts: LOOP_STARTS });

    // The optional state was moved aside; the records were not touched.
    const files = await readdir(dataDir);
    for (const [name, content] of [['ocpp-authorization-cache.json', cache], ['ocpp-availability.json', availability]] as const) {
      assert.ok(!files.includes(name), `${name} still in place: ${files.join(' ')}`);
      const aside = files.filter((f) => f.startsWith(`${name}.bootloop-`));
      assert.equal(aside.length, 1, files.join(' '));
      assert.equal(await readFile(join(dataDir, aside[0]!), 'utf8'), content);
    }
    assert.equal(await readFile(join(dataDir, 'ocpp-configuration.json'), 'utf8').catch(() => null), configurationFile);
    for (const f of filesBefore) if (!f.startsWith('ocpp-authorization-cache.json') && !f.startsWith('ocpp-availability.json')) assert.ok(files.includes(f), `${f} gone`);
    assert.ok(files.includes('sessions.json') && files.includes('ocpp-queue'), files.join(' '));
    for (const f of queueFiles) assert.ok((await readdir(join(dataDir, 'ocpp-queue'))).includes(f), `queue segment ${f} gone before delivery`);

    // The back-off: no connection before it is over.
    const info = await csms.waitForConnection(CP_ID, 30_000);
    assert.ok(Date.parse(info.connectedAt) - fw.spawnedAt >= delayMs, `connected ${Date.parse(info.connectedAt) - fw.spawnedAt} ms after the spawn, before the ${delayMs} ms back-off`);

    // Every queued message delivered, in order.
    await until('the queue drained', async () => (await status(fw)).ocpp.queuedMessages === 0, 30_000, () => fw.stdout.slice(-3000));
    const log = readTransactions(csms.messages(), CP_ID);
    assert.equal(log.resends.length, 0);
    assert.deepEqual(log.kept.map((c) => c.action), log.calls.map((c) => c.action));
    const [first, second] = log.transactions;
    assert.equal(log.transactions.length, 2, JSON.stringify(log.transactions.map((t) => t.start.payload)));
    assert.equal(first!.connectorId, 1);
    assert.equal(first!.stop!.payload.reason, 'EVDisconnected');
    assert.equal(second!.connectorId, 2);
    assert.equal(second!.stop!.payload.reason, 'PowerLoss');
    assert.ok(first!.meterValues.length >= 2 && second!.meterValues.length >= 2);
    // The order the charger queued them in: transaction 1 whole, then transaction 2 whole.
    const order = log.kept.map((c) => `${c.action}:${c.action === 'StartTransaction' ? c.payload.connectorId : c.payload.transactionId}`);
    const t1 = first!.transactionId;
    const t2 = second!.transactionId;
    assert.deepEqual(order, [
      'StartTransaction:1', ...first!.meterValues.map(() => `MeterValues:${t1}`), `StopTransaction:${t1}`,
      'StartTransaction:2', ...second!.meterValues.map(() => `MeterValues:${t2}`), `StopTransaction:${t2}`,
    ]);
    assert.equal(log.calls.length, queuedAtKill + 1, 'the queue held every message of both sessions (and the PowerLoss stop queued at start 3)');
    assert.deepEqual(JSON.parse(await readFile(join(dataDir, 'sessions.json'), 'utf8')).sessions.map((s: { sessionId: string }) => s.sessionId),
      JSON.parse(sessionsFile).sessions.map((s: { sessionId: string }) => s.sessionId), 'the sessions were kept');
  });
});
