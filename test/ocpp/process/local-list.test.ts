// The Local Authorization List across a power cut: the firmware process gets a list from the dev
// CSMS, is killed with SIGKILL, and starts again with the CSMS away. The list is there: a listed
// card charges offline, a card listed Blocked is refused although unknown cards are allowed, and
// once the CSMS is back GetLocalListVersion reports the version it sent.

import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { DevCsms } from '../../../tools/dev-csms/csms.js';
import { CARDS, CP_ID, freePort, processTestFixture, status, until, writeConfig } from './firmware.js';

describe('ocpp/process: the local list survives SIGKILL', function () {
  this.timeout(90_000);
  const f = processTestFixture('charger-local-list-');

  it('a listed card charges offline after the kill; one listed Blocked is refused; the version is kept', async () => {
    const port = await freePort();
    const dataDir = join(f.dir, 'data');
    const config = await writeConfig(f.dir, { csmsUrl: `ws://127.0.0.1:${port}/ocpp`, keys: { AllowOfflineTxForUnknownId: 'true' } });
    const startCsms = async () => f.closeAfter(await DevCsms.start({ host: '127.0.0.1', port, pingIntervalMs: 0 }));

    let csms = await startCsms();
    let fw = f.spawn(config, dataDir);
    await fw.running();
    await until('registered', async () => (await status(fw)).ocpp.registration === 'Accepted' && csms.connected().includes(CP_ID), 15_000);
    const sent = await csms.call(CP_ID, 'SendLocalList', {
      listVersion: 42,
      updateType: 'Full',
      localAuthorizationList: [
        { idTag: CARDS[0], idTagInfo: { status: 'Accepted' } },
        { idTag: CARDS[1], idTagInfo: { status: 'Blocked' } },
      ],
    });
    assert.deepEqual(sent, { status: 'Accepted' });
    await fw.kill();
    await csms.close();

    fw = f.spawn(config, dataDir);
    await fw.running();
    const connector = async (id: number) => (await fw.api('GET', `/api/v1/connectors/${id}`)).status as string;
    await fw.api('POST', '/api/v1/sim/connectors/2/plug', { ev: { wakeDelayMs: 0, socPercent: 20 } });
    await until('connector 2 Preparing', async () => (await connector(2)) === 'Preparing', 5000);
    await fw.api('POST', '/api/v1/sim/rfid', { uid: CARDS[1] });
    const refused = () => fw.logLines().some((l) => l['msg'] === 'card authorization' && l['uid'] === CARDS[1] && l['result'] === 'Invalid');
    await until('the card listed Blocked refused', refused, 5000, () => fw.stdout.slice(-2000));
    assert.equal(await connector(2), 'Preparing', 'listed Blocked: refused offline');
    await fw.api('POST', '/api/v1/sim/rfid', { uid: CARDS[0] });
    await until('connector 2 Charging', async () => (await connector(2)) === 'Charging', 8000, () => fw.stdout.slice(-2000));
    assert.equal((await status(fw)).ocpp.connected, false);

    csms = await startCsms();
    await until('back online', async () => (await status(fw)).ocpp.registration === 'Accepted' && csms.connected().includes(CP_ID), 45_000);
    assert.deepEqual(await csms.call(CP_ID, 'GetLocalListVersion', {}), { listVersion: 42 });
  });
});
