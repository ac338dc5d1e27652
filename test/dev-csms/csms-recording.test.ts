// Every frame is recorded (memory and JSON lines), and the robustness tools: raw frames, dropped
// connections, unanswered pings.

import { strict as assert } from 'node:assert';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordedMessage } from '../../tools/dev-csms/types.js';
import { BOOT, Harness } from './helpers.js';

describe('dev CSMS: recording and robustness tools', () => {
  const h = new Harness();
  let dir = '';
  beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), 'dev-csms-'))));
  afterEach(async () => {
    await h.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  it('records every message in order with direction, type, action and the ids on the wire, in memory and in the record file', async () => {
    const recordFile = join(dir, 'record.jsonl');
    const csms = await h.csms({ recordFile });
    const cp = await h.connect(csms, 'CP-1');
    const wireIds: string[] = [];
    cp.on('call', ({ payload }: { payload: unknown[] }) => wireIds.push(payload[1] as string));
    cp.handle('ClearCache', async () => ({ status: 'Accepted' }));
    await cp.call('BootNotification', BOOT);
    await csms.call('CP-1', 'ClearCache', {});

    const log = csms.messages();
    assert.deepEqual(log.map((m) => [m.seq, m.chargePointId, m.direction, m.messageType, m.action]), [
      [1, 'CP-1', 'in', 'CALL', 'BootNotification'],
      [2, 'CP-1', 'out', 'CALLRESULT', 'BootNotification'],
      [3, 'CP-1', 'out', 'CALL', 'ClearCache'],
      [4, 'CP-1', 'in', 'CALLRESULT', 'ClearCache'],
    ]);
    assert.deepEqual(log.map((m) => m.messageId), [wireIds[0], wireIds[0], wireIds[1], wireIds[1]]);
    assert.deepEqual(log[0]!.payload, BOOT);
    assert.deepEqual(log[3]!.payload, { status: 'Accepted' });
    assert.ok(log.every((m) => !Number.isNaN(Date.parse(m.time)) && m.size > 0));
    assert.deepEqual(csms.messages({ action: 'ClearCache', direction: 'in' }).map((m) => m.seq), [4]);
    assert.deepEqual(csms.messages({ limit: 1 }).map((m) => m.seq), [4]);

    await csms.close();
    const lines = (await readFile(recordFile, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as RecordedMessage);
    assert.deepEqual(lines, log);
  });

  it('waitFor resolves with a past or a future message and rejects after its timeout', async () => {
    const csms = await h.csms();
    const cp = await h.connect(csms, 'CP-1');
    await cp.call('Heartbeat', {});
    const past = await csms.waitFor((m) => m.action === 'Heartbeat');
    assert.equal(past.seq, 1);
    const future = csms.waitFor((m) => m.action === 'StatusNotification' && m.direction === 'out');
    await cp.call('StatusNotification', { connectorId: 0, errorCode: 'NoError', status: 'Available' });
    assert.equal((await future).messageType, 'CALLRESULT');
    await assert.rejects(csms.waitFor((m) => m.action === 'Authorize', 50), /no matching message within 50 ms/);
  });

  it('sendRaw writes malformed, unknown and oversize frames as they are, and records them', async () => {
    const csms = await h.csms();
    const cp = await h.connect(csms, 'CP-1');
    const received: string[] = [];
    cp.on('message', ({ message, outbound }: { message: string; outbound: boolean }) => {
      if (!outbound) received.push(message.toString());
    });
    const big = JSON.stringify([2, 'big-1', 'DataTransfer', { vendorId: 'x', data: 'A'.repeat(1_000_000) }]);
    const unknown = '[2,"u-1","MakeCoffee",{}]';
    for (const frame of ['{not json', unknown, big]) csms.sendRaw('CP-1', frame);
    const reply = await csms.waitFor((m) => m.direction === 'in' && m.messageId === 'big-1');
    assert.deepEqual(received, ['{not json', unknown, big]);
    assert.deepEqual(csms.messages({ direction: 'out' }).map((m) => [m.messageType, m.size]), [
      ['INVALID', 9], ['CALL', unknown.length], ['CALL', big.length],
    ]);
    // ocpp-rpc on the charge point side answers the garbage with a framework error, MakeCoffee with NotImplemented.
    const answers = csms.messages({ direction: 'in' }).map((m) => [m.messageId, (m.payload as { errorCode?: string }).errorCode]);
    assert.deepEqual(answers.slice(0, 2), [['-1', 'RpcFrameworkError'], ['u-1', 'NotImplemented']]);
    assert.equal(reply.messageType, 'CALLERROR');
  });

  it('drop closes the connection without a close handshake', async () => {
    const csms = await h.csms();
    const cp = await h.connect(csms, 'CP-1');
    const disconnected = once(cp, 'close');
    const seen = once(csms, 'disconnect');
    await csms.drop('CP-1');
    const [{ code }] = (await disconnected) as [{ code: number }];
    assert.equal(code, 1006);
    assert.equal(((await seen) as [{ chargePointId: string }])[0].chargePointId, 'CP-1');
    assert.deepEqual(csms.connected(), []);
  });

  it('can stop answering the charge point\'s pings, so it detects a dead connection', async () => {
    const csms = await h.csms();
    const cp = await h.connect(csms, 'CP-1');
    let pongs = 0;
    cp.on('ping', () => pongs++);
    cp.reconfigure({ pingIntervalMs: 50 } as never);
    await once(cp, 'ping');
    csms.answerPings('CP-1', false);
    const pongsBefore = pongs;
    const [{ code }] = (await once(cp, 'close')) as [{ code: number }];
    assert.equal(code, 1006);
    assert.ok(pongs <= pongsBefore + 1);
  });

  it('a charge point connecting again replaces its previous connection', async () => {
    const csms = await h.csms();
    const first = await h.connect(csms, 'CP-1');
    const firstClosed = once(first, 'close');
    const second = h.client(csms.url, 'CP-1');
    await second.connect();
    await firstClosed;
    assert.deepEqual(csms.connected(), ['CP-1']);
    assert.deepEqual(await second.call('Heartbeat', {}).then((a) => Object.keys(a as object)), ['currentTime']);
  });
});
