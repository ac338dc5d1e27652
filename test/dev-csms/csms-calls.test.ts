// CSMS-initiated calls, and the failures a caller can tell apart.

import { strict as assert } from 'node:assert';
import ocppRpc from 'ocpp-rpc';
import { CallFailure } from '../../tools/dev-csms/csms.js';
import { Harness, rejection } from './helpers.js';

const CORE_COMMANDS: ReadonlyArray<[string, unknown, unknown]> = [
  ['ChangeAvailability', { connectorId: 0, type: 'Inoperative' }, { status: 'Accepted' }],
  ['ChangeConfiguration', { key: 'HeartbeatInterval', value: '60' }, { status: 'Accepted' }],
  ['ClearCache', {}, { status: 'Accepted' }],
  ['DataTransfer', { vendorId: 'dev-csms', messageId: 'ping' }, { status: 'Accepted', data: 'pong' }],
  ['GetConfiguration', { key: ['HeartbeatInterval'] }, { configurationKey: [{ key: 'HeartbeatInterval', readonly: false, value: '60' }] }],
  ['RemoteStartTransaction', { connectorId: 1, idTag: '04A1B2C3D4' }, { status: 'Accepted' }],
  ['RemoteStopTransaction', { transactionId: 7 }, { status: 'Rejected' }],
  ['Reset', { type: 'Soft' }, { status: 'Accepted' }],
  ['UnlockConnector', { connectorId: 1 }, { status: 'Unlocked' }],
];

describe('dev CSMS: calls to a charge point', () => {
  const h = new Harness();
  afterEach(() => h.cleanup());

  it('delivers every Core command and returns the charge point\'s answer', async () => {
    const csms = await h.csms();
    const cp = await h.connect(csms, 'CP-1');
    const received: Array<[string, unknown]> = [];
    for (const [action, , answer] of CORE_COMMANDS) {
      cp.handle(action, async ({ params }) => {
        received.push([action, params]);
        return answer as Record<string, unknown>;
      });
    }
    for (const [action, payload, answer] of CORE_COMMANDS) {
      assert.deepEqual(await csms.call('CP-1', action, payload), answer, action);
    }
    assert.deepEqual(received, CORE_COMMANDS.map(([action, payload]) => [action, payload]));
  });

  it('reports the charge point\'s CALLERROR, also for actions outside the OCPP 1.6 schemas', async () => {
    const csms = await h.csms();
    await h.connect(csms, 'CP-1');
    const known = await rejection(csms.call('CP-1', 'ReserveNow', { connectorId: 1, expiryDate: new Date().toISOString(), idTag: 'A', reservationId: 1 }));
    assert.ok(known instanceof CallFailure);
    assert.equal(known.kind, 'call-error');
    assert.equal(known.errorCode, 'NotImplemented');
    const unknown = await rejection(csms.call('CP-1', 'MakeCoffee', { sugar: 2 }));
    assert.ok(unknown instanceof CallFailure);
    assert.equal(unknown.kind, 'call-error');
    assert.equal(unknown.errorCode, 'NotImplemented');
    const sent = csms.messages({ direction: 'out', action: 'MakeCoffee' });
    assert.deepEqual(sent.map((m) => [m.messageType, m.payload]), [['CALL', { sugar: 2 }]]);
    const answered = csms.messages({ direction: 'in', action: 'MakeCoffee' });
    assert.equal(answered[0]?.messageType, 'CALLERROR');
    assert.equal(answered[0]?.messageId, sent[0]?.messageId);
  });

  it('refuses to send a schema-invalid request unless unchecked', async () => {
    const csms = await h.csms();
    const cp = await h.connect(csms, 'CP-1');
    cp.handle('Reset', async () => ({ status: 'Accepted' }));
    const failure = await rejection(csms.call('CP-1', 'Reset', { type: 'Sideways' }));
    assert.ok(failure instanceof CallFailure);
    assert.equal(failure.kind, 'invalid-request');
    assert.equal(csms.messages({ direction: 'out' }).length, 0);
    // Unchecked, it goes out as is and the stand-in's strict mode answers with a CALLERROR.
    const unchecked = await rejection(csms.call('CP-1', 'Reset', { type: 'Sideways' }, { unchecked: true }));
    assert.equal((unchecked as unknown as CallFailure).kind, 'call-error');
    assert.equal((unchecked as unknown as CallFailure).errorCode, 'FormationViolation');
  });

  it('tells a schema-invalid answer, a timeout and an unknown charge point apart', async () => {
    const csms = await h.csms();
    const cp = await h.connect(csms, 'CP-1', { strictMode: false });
    cp.handle('ClearCache', async () => ({ status: 'Maybe' }));
    const invalid = await rejection(csms.call('CP-1', 'ClearCache', {}));
    assert.equal((invalid as unknown as CallFailure).kind, 'invalid-response');
    assert.deepEqual(csms.messages({ direction: 'in', action: 'ClearCache' }).map((m) => m.payload), [{ status: 'Maybe' }]);

    cp.handle('Reset', async () => ocppRpc.NOREPLY as unknown as Record<string, unknown>);
    const timeout = await rejection(csms.call('CP-1', 'Reset', { type: 'Hard' }, { timeoutMs: 100 }));
    assert.equal((timeout as unknown as CallFailure).kind, 'timeout');

    const nobody = await rejection(csms.call('CP-9', 'Reset', { type: 'Hard' }));
    assert.equal((nobody as unknown as CallFailure).kind, 'not-connected');
  });

  it('fails a pending call when the charge point disconnects', async () => {
    const csms = await h.csms();
    const cp = await h.connect(csms, 'CP-1');
    cp.handle('MakeCoffee', async () => ocppRpc.NOREPLY as unknown as Record<string, unknown>);
    cp.handle('Reset', async () => ocppRpc.NOREPLY as unknown as Record<string, unknown>);
    const raw = csms.call('CP-1', 'MakeCoffee', {});
    const validated = csms.call('CP-1', 'Reset', { type: 'Soft' });
    await csms.waitFor((m) => m.action === 'Reset');
    await cp.close({ force: true });
    assert.equal(((await rejection(raw)) as unknown as CallFailure).kind, 'disconnected');
    assert.equal(((await rejection(validated)) as unknown as CallFailure).kind, 'disconnected');
  });
});
