// A clean stop (SIGTERM, as systemd stops the firmware) in the middle of a session: the session
// ends with reason Reboot, its StopTransaction is queued before the process exits, and it reaches
// the CSMS after the restart, with the meter register read at the stop.

import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { DevCsms } from '../../../tools/dev-csms/csms.js';
import { CARDS, CP_ID, chargeSession, freePort, processTestFixture, status, until, writeConfig } from './firmware.js';
import { readTransactions } from './transaction-check.js';

describe('ocpp/process: SIGTERM during a session', function () {
  this.timeout(60_000);
  const f = processTestFixture('charger-shutdown-');

  it('ends the session with reason Reboot, queued durably before the exit, delivered after the restart', async () => {
    const port = await freePort();
    const { dir } = f;
    const dataDir = join(dir, 'data');
    const config = await writeConfig(dir, { csmsUrl: `ws://127.0.0.1:${port}/ocpp`, keys: { MeterValueSampleInterval: '1', AllowOfflineTxForUnknownId: 'true' } });
    const first = f.spawn(config, dataDir);
    await first.running();
    // The CSMS is away: whatever the stop queues must survive the exit to be delivered.
    const queued = await chargeSession(first, 1, CARDS[0], { meterValues: 2, stop: 'none' });
    await first.terminate();
    assert.equal((await first.exited).code, 0, 'a clean exit');

    const csms = f.closeAfter(await DevCsms.start({ host: '127.0.0.1', port, pingIntervalMs: 0, authorizedTags: { [CARDS[0]]: { status: 'Accepted' } } }));
    const second = f.spawn(config, dataDir);
    await second.running();
    await until('the queue drained', async () => (await status(second)).ocpp.queuedMessages === 0, 30_000, () => second.stdout.slice(-3000));

    const log = readTransactions(csms.messages(), CP_ID);
    assert.equal(log.transactions.length, 1);
    const [t] = log.transactions;
    assert.equal(t!.stop?.payload.reason, 'Reboot', 'not PowerLoss: the firmware knew it was stopping');
    // What was queued before the SIGTERM, the samples taken while the session wound down, then the Stop.
    assert.ok(log.calls.length >= queued + 1, `${log.calls.length} delivered, ${queued} queued before the stop`);
    assert.deepEqual(log.calls.map((c) => c.action), ['StartTransaction', ...t!.meterValues.map(() => 'MeterValues'), 'StopTransaction']);
    assert.equal(log.resends.length, 0);
    const [session] = (await second.api('GET', '/api/v1/sessions')).sessions;
    assert.equal(session.stopReason, 'Reboot');
    assert.equal(t!.stop!.payload.meterStop, Math.round(session.meterStopWh));
    assert.ok(t!.stop!.payload.meterStop > t!.start.payload.meterStart, 'it charged');
  });
});
