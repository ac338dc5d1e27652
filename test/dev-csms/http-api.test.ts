// The developer HTTP API: routes, answers and JSON errors.

import { strict as assert } from 'node:assert';
import type { DevCsms } from '../../tools/dev-csms/csms.js';
import { startHttpApi, type HttpApi } from '../../tools/dev-csms/http-api.js';
import { BOOT, Harness, type ChargePointClient } from './helpers.js';

interface Answer {
  readonly status: number;
  readonly body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

describe('dev CSMS: HTTP API', () => {
  const h = new Harness();
  let csms: DevCsms;
  let api: HttpApi;
  let cp: ChargePointClient;

  async function request(method: string, path: string, body?: unknown, raw?: string): Promise<Answer> {
    const init: RequestInit = { method };
    if (body !== undefined || raw !== undefined) {
      init.body = raw ?? JSON.stringify(body);
      init.headers = { 'content-type': 'application/json' };
    }
    const response = await fetch(`${api.url}${path}`, init);
    return { status: response.status, body: await response.json() };
  }

  beforeEach(async () => {
    csms = await h.csms();
    api = await startHttpApi({ csms, host: '127.0.0.1', port: 0 });
    cp = await h.connect(csms, 'CP-1');
  });
  afterEach(async () => {
    await api.close();
    await h.cleanup();
  });

  it('GET /charge-points lists the connected charge points', async () => {
    const { status, body } = await request('GET', '/charge-points');
    assert.equal(status, 200);
    assert.deepEqual(body.map((c: { id: string }) => c.id), ['CP-1']);
    assert.equal(body[0].remoteAddress, '127.0.0.1');
  });

  it('GET /messages filters by charge point and action, keeps the last `limit`', async () => {
    await cp.call('BootNotification', BOOT);
    await cp.call('Heartbeat', {});
    await cp.call('Heartbeat', {});
    const all = await request('GET', '/messages');
    assert.equal(all.body.length, 6);
    const beats = await request('GET', '/messages?chargePointId=CP-1&action=Heartbeat&limit=3');
    assert.deepEqual(beats.body.map((m: { seq: number }) => m.seq), [4, 5, 6]);
    assert.equal((await request('GET', '/messages?chargePointId=CP-2')).body.length, 0);
    const bad = await request('GET', '/messages?limit=zero');
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error, 'invalid-request');
  });

  it('POST /charge-points/:id/call returns the answer, or the CALLERROR as 502', async () => {
    cp.handle('Reset', async ({ params }) => ({ status: params?.type === 'Soft' ? 'Accepted' : 'Rejected' }));
    const ok = await request('POST', '/charge-points/CP-1/call', { action: 'Reset', payload: { type: 'Soft' } });
    assert.deepEqual(ok, { status: 200, body: { status: 'Accepted' } });
    const callError = await request('POST', '/charge-points/CP-1/call', { action: 'UnlockConnector', payload: { connectorId: 1 } });
    assert.equal(callError.status, 502);
    assert.equal(callError.body.error, 'call-error');
    assert.equal(callError.body.errorCode, 'NotImplemented');
  });

  it('answers call failures with JSON errors: unknown charge point 404, invalid payload 400, bad body 400', async () => {
    const nobody = await request('POST', '/charge-points/CP-9/call', { action: 'ClearCache' });
    assert.equal(nobody.status, 404);
    assert.equal(nobody.body.error, 'not-connected');
    const invalid = await request('POST', '/charge-points/CP-1/call', { action: 'Reset', payload: { type: 'Gentle' } });
    assert.equal(invalid.status, 400);
    assert.equal(invalid.body.error, 'invalid-request');
    const noAction = await request('POST', '/charge-points/CP-1/call', { payload: {} });
    assert.equal(noAction.status, 400);
    assert.match(noAction.body.message, /action/);
    const notJson = await request('POST', '/charge-points/CP-1/call', undefined, '{"action":');
    assert.equal(notJson.status, 400);
    assert.equal(notJson.body.error, 'invalid-json');
    const noRoute = await request('GET', '/nowhere');
    assert.equal(noRoute.status, 404);
    assert.equal(noRoute.body.error, 'not-found');
  });

  it('PUT /boot-response changes the BootNotification answer and validates it', async () => {
    const put = await request('PUT', '/boot-response', { status: 'Pending', interval: 15 });
    assert.deepEqual(put, { status: 200, body: { status: 'Pending', interval: 15 } });
    const answer = (await cp.call('BootNotification', BOOT)) as { status: string; interval: number };
    assert.deepEqual([answer.status, answer.interval], ['Pending', 15]);
    const bad = await request('PUT', '/boot-response', { status: 'Maybe', interval: 15 });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error, 'invalid-request');
  });

  it('PUT /tags/:idTag sets a tag\'s answer and validates it', async () => {
    const put = await request('PUT', '/tags/04A1B2C3D4', { status: 'Blocked' });
    assert.deepEqual(put, { status: 200, body: { idTag: '04A1B2C3D4', status: 'Blocked' } });
    assert.deepEqual(await cp.call('Authorize', { idTag: '04A1B2C3D4' }), { idTagInfo: { status: 'Blocked' } });
    assert.deepEqual((await request('GET', '/tags')).body, { '04A1B2C3D4': { status: 'Blocked' } });
    assert.equal((await request('PUT', '/tags/04A1B2C3D4', { status: 'Friendly' })).status, 400);
    assert.equal((await request('PUT', `/tags/${'X'.repeat(21)}`, { status: 'Accepted' })).status, 400);
    assert.equal((await request('DELETE', '/tags/04A1B2C3D4')).status, 200);
    assert.equal((await request('DELETE', '/tags/04A1B2C3D4')).status, 404);
  });

  it('POST raw and drop reach the charge point', async () => {
    const sent = await request('POST', '/charge-points/CP-1/raw', { frame: 'garbage' });
    assert.deepEqual(sent, { status: 200, body: { sent: true } });
    assert.equal(csms.messages({ direction: 'out' })[0]?.messageType, 'INVALID');
    assert.deepEqual(await request('POST', '/charge-points/CP-1/drop'), { status: 200, body: { dropped: true } });
    assert.deepEqual(csms.connected(), []);
  });
});
