// The dev CSMS answers charge point-initiated CALLs as configured.

import { strict as assert } from 'node:assert';
import { BOOT, Harness, rejection } from './helpers.js';

describe('dev CSMS: answers to charge point requests', () => {
  const h = new Harness();
  afterEach(() => h.cleanup());

  it('accepts a BootNotification by default with interval 300 and the current time', async () => {
    const csms = await h.csms();
    const cp = await h.connect(csms, 'CP-1');
    const answer = (await cp.call('BootNotification', BOOT)) as { status: string; interval: number; currentTime: string };
    assert.equal(answer.status, 'Accepted');
    assert.equal(answer.interval, 300);
    assert.ok(Math.abs(Date.parse(answer.currentTime) - Date.now()) < 5000);
    assert.match(csms.url, /^ws:\/\/127\.0\.0\.1:\d+\/ocpp$/);
    assert.deepEqual(csms.connected(), ['CP-1']);
  });

  it('answers Pending or Rejected as configured, and setBootResponse changes it at run time', async () => {
    const csms = await h.csms({ bootResponse: { status: 'Pending', interval: 10 } });
    const cp = await h.connect(csms, 'CP-1');
    assert.deepEqual(pick(await cp.call('BootNotification', BOOT)), { status: 'Pending', interval: 10 });
    csms.setBootResponse({ status: 'Rejected', interval: 60 });
    assert.deepEqual(pick(await cp.call('BootNotification', BOOT)), { status: 'Rejected', interval: 60 });
    csms.setBootResponse({ status: 'Accepted', interval: 30 });
    assert.deepEqual(pick(await cp.call('BootNotification', BOOT)), { status: 'Accepted', interval: 30 });
  });

  it('answers Heartbeat with the current time', async () => {
    const csms = await h.csms();
    const cp = await h.connect(csms, 'CP-1');
    const { currentTime } = (await cp.call('Heartbeat', {})) as { currentTime: string };
    assert.ok(Math.abs(Date.parse(currentTime) - Date.now()) < 5000);
  });

  it('authorizes known tags (case-insensitively, with their parent and expiry) and calls unknown ones Invalid', async () => {
    const csms = await h.csms({
      authorizedTags: {
        '04A1B2C3D4': { status: 'Accepted', parentIdTag: 'FLEET', expiryDate: '2030-01-01T00:00:00.000Z' },
        BLOCKED1: { status: 'Blocked' },
      },
    });
    const cp = await h.connect(csms, 'CP-1');
    assert.deepEqual(await cp.call('Authorize', { idTag: '04a1b2c3d4' }), {
      idTagInfo: { status: 'Accepted', parentIdTag: 'FLEET', expiryDate: '2030-01-01T00:00:00.000Z' },
    });
    assert.deepEqual(await cp.call('Authorize', { idTag: 'BLOCKED1' }), { idTagInfo: { status: 'Blocked' } });
    assert.deepEqual(await cp.call('Authorize', { idTag: 'NOBODY' }), { idTagInfo: { status: 'Invalid' } });
    csms.setTag('NOBODY', { status: 'Expired' });
    assert.deepEqual(await cp.call('Authorize', { idTag: 'NOBODY' }), { idTagInfo: { status: 'Expired' } });
  });

  it('gives each StartTransaction a new increasing transaction id, even for a refused tag', async () => {
    const csms = await h.csms({ authorizedTags: { TAG1: { status: 'Accepted' } } });
    const cp1 = await h.connect(csms, 'CP-1');
    const cp2 = await h.connect(csms, 'CP-2');
    const start = { connectorId: 1, meterStart: 0, timestamp: new Date().toISOString() };
    const a = (await cp1.call('StartTransaction', { ...start, idTag: 'TAG1' })) as { transactionId: number; idTagInfo: unknown };
    const b = (await cp2.call('StartTransaction', { ...start, idTag: 'TAG1' })) as { transactionId: number };
    const c = (await cp1.call('StartTransaction', { ...start, idTag: 'STRANGER' })) as { transactionId: number; idTagInfo: unknown };
    assert.deepEqual(a.idTagInfo, { status: 'Accepted' });
    assert.deepEqual(c.idTagInfo, { status: 'Invalid' });
    assert.ok(a.transactionId < b.transactionId && b.transactionId < c.transactionId, `${a.transactionId} ${b.transactionId} ${c.transactionId}`);
  });

  it('answers StopTransaction with idTagInfo only when an idTag is given', async () => {
    const csms = await h.csms({ authorizedTags: { TAG1: { status: 'Accepted' } } });
    const cp = await h.connect(csms, 'CP-1');
    const stop = { transactionId: 1, meterStop: 1200, timestamp: new Date().toISOString() };
    assert.deepEqual(await cp.call('StopTransaction', { ...stop, idTag: 'TAG1', reason: 'Local' }), { idTagInfo: { status: 'Accepted' } });
    assert.deepEqual(await cp.call('StopTransaction', { ...stop, reason: 'EVDisconnected' }), {});
  });

  it('accepts DataTransfer for vendor dev-csms only', async () => {
    const csms = await h.csms();
    const cp = await h.connect(csms, 'CP-1');
    assert.deepEqual(await cp.call('DataTransfer', { vendorId: 'dev-csms', data: 'x' }), { status: 'Accepted' });
    assert.deepEqual(await cp.call('DataTransfer', { vendorId: 'acme' }), { status: 'UnknownVendorId' });
  });

  it('acknowledges StatusNotification, MeterValues and firmware/diagnostics notifications', async () => {
    const csms = await h.csms();
    const cp = await h.connect(csms, 'CP-1');
    const timestamp = new Date().toISOString();
    assert.deepEqual(await cp.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Preparing', timestamp }), {});
    assert.deepEqual(await cp.call('MeterValues', {
      connectorId: 1, transactionId: 1,
      meterValue: [{ timestamp, sampledValue: [{ value: '1234', measurand: 'Energy.Active.Import.Register', unit: 'Wh' }] }],
    }), {});
    assert.deepEqual(await cp.call('FirmwareStatusNotification', { status: 'Idle' }), {});
    assert.deepEqual(await cp.call('DiagnosticsStatusNotification', { status: 'Idle' }), {});
  });

  it('answers a schema-invalid request with the OCPP 1.6 CALLERROR from strict mode, and an unknown action with NotImplemented', async () => {
    const csms = await h.csms();
    const cp = await h.connect(csms, 'CP-1', { strictMode: false });
    const missing = await rejection(cp.call('BootNotification', { chargePointVendor: 'Test' }));
    assert.equal(missing.rpcErrorCode, 'OccurenceConstraintViolation'); // 1.6 spelling, OCPP-J errata §5.1
    const wrongType = await rejection(cp.call('Heartbeat', []));
    assert.equal(wrongType.rpcErrorCode, 'TypeConstraintViolation');
    const tooLong = await rejection(cp.call('Authorize', { idTag: 'X'.repeat(21) }));
    assert.equal(tooLong.rpcErrorCode, 'FormationViolation');
    const unknown = await rejection(cp.call('MakeCoffee', {}));
    assert.equal(unknown.rpcErrorCode, 'NotImplemented');
    const errors = csms.messages({ direction: 'out', messageType: 'CALLERROR' }).map((m) => (m.payload as { errorCode: string }).errorCode);
    assert.deepEqual(errors, ['OccurenceConstraintViolation', 'TypeConstraintViolation', 'FormationViolation', 'NotImplemented']);
  });

  it('lets a test replace an answer with setHandler and restore the default', async () => {
    const csms = await h.csms();
    const cp = await h.connect(csms, 'CP-1');
    csms.setHandler('Heartbeat', () => ({ currentTime: '2020-01-01T00:00:00.000Z' }));
    assert.deepEqual(await cp.call('Heartbeat', {}), { currentTime: '2020-01-01T00:00:00.000Z' });
    csms.setHandler('Heartbeat', null);
    assert.notEqual(((await cp.call('Heartbeat', {})) as { currentTime: string }).currentTime, '2020-01-01T00:00:00.000Z');
  });
});

function pick(answer: unknown): { status: string; interval: number } {
  const { status, interval } = answer as { status: string; interval: number };
  return { status, interval };
}
