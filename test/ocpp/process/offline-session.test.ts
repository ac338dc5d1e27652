// A session that starts and stops entirely while the CSMS is unreachable, then a restart (clean,
// or a power cut) before the CSMS comes back: once it is back, its StartTransaction, MeterValues
// and StopTransaction are delivered, in that order, with the transactionId it assigned.

import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { DevCsms } from '../../../tools/dev-csms/csms.js';
import { CARDS, CP_ID, chargeSession, freePort, processTestFixture, status, until, writeConfig } from './firmware.js';
import { readTransactions } from './transaction-check.js';

describe('ocpp/process: a session while the CSMS is unreachable, then a restart', function () {
  this.timeout(90_000);
  const f = processTestFixture('charger-offline-');

  for (const restart of ['SIGTERM', 'SIGKILL'] as const) {
    it(`delivers Start, MeterValues and Stop in order once the CSMS is back (restart by ${restart})`, async () => {
      const port = await freePort();
      const { dir } = f;
      const dataDir = join(dir, 'data');
      const config = await writeConfig(dir, {
        csmsUrl: `ws://127.0.0.1:${port}/ocpp`,
        keys: { MeterValueSampleInterval: '1', AllowOfflineTxForUnknownId: 'true' },
      });

      let fw = f.spawn(config, dataDir);
      await fw.running();
      const queued = await chargeSession(fw, 1, CARDS[0], { meterValues: 3, stop: 'unplug' });
      const [session] = (await fw.api('GET', '/api/v1/sessions')).sessions;
      assert.equal(session.stopReason, 'EVDisconnected');
      if (restart === 'SIGTERM') {
        await fw.terminate();
        assert.equal((await fw.exited).code, 0);
      } else {
        await fw.kill();
      }

      // Up again, the CSMS still away: everything still queued.
      fw = f.spawn(config, dataDir);
      await fw.running();
      const after = await status(fw);
      assert.equal(after.ocpp.connected, false);
      assert.equal(after.ocpp.queuedMessages, queued);

      const csms = f.closeAfter(await DevCsms.start({ host: '127.0.0.1', port, pingIntervalMs: 0, authorizedTags: { [CARDS[0]]: { status: 'Accepted' } } }));
      await until('the queue drained', async () => (await status(fw)).ocpp.queuedMessages === 0, 45_000, () => fw.stdout.slice(-3000));

      const log = readTransactions(csms.messages(), CP_ID);
      assert.equal(log.resends.length, 0);
      assert.equal(log.transactions.length, 1);
      const [t] = log.transactions;
      const mvs = t!.meterValues.length;
      assert.ok(mvs >= 3, `${mvs} MeterValues`);
      assert.deepEqual(log.calls.map((c) => c.action), ['StartTransaction', ...Array.from({ length: mvs }, () => 'MeterValues'), 'StopTransaction']);
      assert.equal(log.calls.length, queued);
      assert.ok(log.calls.slice(1).every((c) => c.payload.transactionId === t!.transactionId));
      // Stamped when they happened, on the transaction's time base: the clock offset the CSMS's
      // BootNotification.conf set before the Start went out (here its clock is ours, give or take
      // the round trip). The session's duration is the charger's own (README "Transaction times").
      const base = Date.parse(t!.start.payload.timestamp) - Date.parse(session.startedAt);
      assert.ok(Math.abs(base) < 1000, `time base ${base} ms`);
      assert.equal(Date.parse(t!.stop!.payload.timestamp) - Date.parse(session.stoppedAt), base);
      assert.equal(t!.start.payload.meterStart, Math.round(session.meterStartWh));
      assert.equal(t!.stop!.payload.meterStop, Math.round(session.meterStopWh));
      assert.equal(t!.stop!.payload.reason, 'EVDisconnected');
      // Sent when the CSMS was back, after the new BootNotification was accepted (§4.2).
      const boot = csms.messages({ chargePointId: CP_ID, action: 'BootNotification', direction: 'in' });
      assert.equal(boot.length, 1);
      assert.ok(log.calls[0]!.seq > boot[0]!.seq);
    });
  }
});
