// CALLs both ways over a real connection to the dev CSMS: handler results and errors (J §4.2.3),
// strict-mode schema errors with the OCPP 1.6 codes, bad frames sent raw by the CSMS, and how
// our own CALLs fail (OcppCallError kinds).

import { strict as assert } from 'node:assert';
import ocppRpc from 'ocpp-rpc';
import { OcppCallError, OcppHandlerError } from '../../../app/ocpp/ocpp-types.js';
import type { OcppConnection } from '../../../app/ocpp/connection/ocpp-connection.js';
import { NOREPLY, type DevCsms } from '../../../tools/dev-csms/csms.js';
import type { RecordedMessage } from '../../../tools/dev-csms/types.js';
import { Harness, type LogSpy, rejection, until } from './helpers.js';

const CP = 'CP-1';

describe('OCPP connection: messages', () => {
  const h = new Harness();
  let csms: DevCsms;
  let connection: OcppConnection;
  let logs: LogSpy;
  let disconnects: number;

  beforeEach(async () => {
    csms = await h.csms();
    ({ connection, logs } = await h.connection(csms.url, CP, { maxIncomingFrameBytes: 4096, callTimeoutMs: 2000 }));
    await csms.waitForConnection(CP);
    await until(() => connection.connected, 'connected');
    disconnects = 0;
    csms.on('disconnect', () => disconnects++);
  });
  afterEach(() => h.cleanup());

  /** Our answer (direction 'in' at the CSMS) to the message id. */
  const answerTo = (messageId: string): Promise<RecordedMessage> =>
    csms.waitFor((m) => m.direction === 'in' && m.messageId === messageId && m.messageType !== 'CALL', 3000);

  /** Still up and answering: a valid CALL after the bad ones gets its CALLRESULT. */
  async function stillAnswers(): Promise<void> {
    connection.handle('Reset', () => ({ status: 'Accepted' }));
    assert.deepEqual(await csms.call(CP, 'Reset', { type: 'Soft' }), { status: 'Accepted' });
    assert.equal(disconnects, 0);
    assert.ok(connection.connected);
  }

  describe('incoming CALLs', () => {
    it("answers with the handler's result", async () => {
      const seen: unknown[] = [];
      connection.handle('UnlockConnector', (payload) => {
        seen.push(payload);
        return { status: 'Unlocked' };
      });
      assert.deepEqual(await csms.call(CP, 'UnlockConnector', { connectorId: 1 }), { status: 'Unlocked' });
      assert.deepEqual(seen, [{ connectorId: 1 }]);
    });

    it('maps OcppHandlerError to its code, keeping the 1.6 spelling OccurenceConstraintViolation', async () => {
      connection.handle('ClearCache', () => {
        throw new OcppHandlerError('SecurityError', 'not now');
      });
      connection.handle('GetConfiguration', async () => {
        throw new OcppHandlerError('OccurenceConstraintViolation', 'too many keys');
      });
      const security = await rejection(csms.call(CP, 'ClearCache', {}));
      assert.equal(security['errorCode'], 'SecurityError');
      assert.equal(security.message, 'not now');
      await rejection(csms.call(CP, 'GetConfiguration', { key: ['a'] }));
      const [wire] = csms.messages({ direction: 'in', messageType: 'CALLERROR', action: 'GetConfiguration' });
      assert.deepEqual(wire?.payload, { errorCode: 'OccurenceConstraintViolation', errorDescription: 'too many keys', errorDetails: {} });
    });

    it('answers InternalError (and logs) when a handler throws anything else or returns a bad result', async () => {
      connection.handle('UnlockConnector', () => {
        throw new Error('lock driver exploded');
      });
      connection.handle('ClearCache', () => ({ status: 'Maybe' }));
      const thrown = await rejection(csms.call(CP, 'UnlockConnector', { connectorId: 1 }));
      assert.equal(thrown['errorCode'], 'InternalError');
      assert.doesNotMatch(thrown.message, /exploded/); // internals stay in our log
      assert.match(logs.matching(/OCPP handler for UnlockConnector failed/)[0]?.fields?.['error'] as string, /lock driver exploded/);
      assert.equal((await rejection(csms.call(CP, 'ClearCache', {}, { unchecked: true })))['errorCode'], 'InternalError');
      assert.equal(logs.matching(/ClearCache: our answer breaks the OCPP 1.6 schema/)[0]?.level, 'error');
    });

    it('NotImplemented for an unknown action, NotSupported for a known one without a handler', async () => {
      assert.equal((await rejection(csms.call(CP, 'MakeCoffee', {})))['errorCode'], 'NotImplemented');
      assert.equal((await rejection(csms.call(CP, 'ReserveNow', { connectorId: 1, expiryDate: new Date().toISOString(), idTag: 'A', reservationId: 1 })))['errorCode'], 'NotSupported');
    });

    it('answers schema violations with the OCPP-J 1.6 §4.2.3 codes, in their OCPP 1.6 spelling', async () => {
      connection.handle('Reset', () => ({ status: 'Accepted' }));
      const cases: Array<[string, string]> = [
        ['v-type', '{"type":5}'],
        ['v-missing', '{}'],
        ['v-extra', '{"type":"Soft","extra":1}'],
        ['v-length', `{"vendorId":"${'x'.repeat(300)}"}`],
      ];
      csms.sendRaw(CP, `[2,"v-type","Reset",${cases[0]![1]}]`);
      csms.sendRaw(CP, `[2,"v-missing","Reset",${cases[1]![1]}]`);
      csms.sendRaw(CP, `[2,"v-extra","Reset",${cases[2]![1]}]`);
      csms.sendRaw(CP, `[2,"v-length","DataTransfer",${cases[3]![1]}]`);
      const codes = await Promise.all(cases.map(async ([id]) => ((await answerTo(id)).payload as { errorCode: string }).errorCode));
      assert.deepEqual(codes, ['TypeConstraintViolation', 'OccurenceConstraintViolation', 'FormationViolation', 'PropertyConstraintViolation']);
      await stillAnswers();
    });
  });

  describe('bad frames (sent raw by the CSMS)', () => {
    it('malformed JSON: FormationViolation when the CALL id can be read, else dropped and logged', async () => {
      csms.sendRaw(CP, '[2,"bad-json","Heartbeat",{');
      const answer = await answerTo('bad-json');
      assert.equal(answer.messageType, 'CALLERROR');
      assert.equal((answer.payload as { errorCode: string }).errorCode, 'FormationViolation');
      csms.sendRaw(CP, 'this is not json');
      await logs.waitFor(/^OCPP: frame from the CSMS dropped: message is not valid JSON/);
      await stillAnswers();
      // The garbage got no answer (J §4.2.3: a CALLERROR needs the CALL's id).
      assert.deepEqual(csms.messages({ direction: 'in', messageType: 'CALLERROR' }).map((m) => m.messageId), ['bad-json']);
    });

    it('ignores an unknown message type (J §4.1.3) and a CALLRESULT nobody asked for', async () => {
      csms.sendRaw(CP, '[7,"m-7",{}]');
      csms.sendRaw(CP, '[3,"nobody-asked",{}]');
      csms.sendRaw(CP, '{"not":"an array"}');
      await logs.waitFor(/unknown message type 7 ignored \(OCPP-J §4.1.3\)/);
      await logs.waitFor(/bad message from the CSMS: Received CALLRESULT for unrecognised message ID/);
      await stillAnswers();
      assert.deepEqual(csms.messages({ direction: 'in', messageType: 'CALLERROR' }), []);
    });

    it('oversize frame: FormationViolation to a readable CALL id, else dropped; the connection stays up', async () => {
      const big = 'x'.repeat(5000); // > maxIncomingFrameBytes 4096
      csms.sendRaw(CP, `[2,"too-big","DataTransfer",{"vendorId":"v","data":"${big}"}]`);
      const answer = await answerTo('too-big');
      assert.equal((answer.payload as { errorCode: string }).errorCode, 'FormationViolation');
      assert.match((answer.payload as { errorDescription: string }).errorDescription, /exceeds the 4096-byte limit/);
      csms.sendRaw(CP, `"${big}"`);
      await logs.waitFor(/^OCPP: frame from the CSMS dropped: frame of 5002 bytes exceeds the 4096-byte limit/);
      await stillAnswers();
    });
  });

  describe('our CALLs', () => {
    it('offline when not connected', async () => {
      const { connection: idle } = await h.connection('ws://127.0.0.1:1/ocpp', 'CP-9');
      const error = await rejection(idle.call('Heartbeat', {}));
      assert.ok(error instanceof OcppCallError);
      assert.equal(error.kind, 'offline');
      assert.equal(error.action, 'Heartbeat');
    });

    it('call-error with the CALLERROR code', async () => {
      csms.setHandler('Heartbeat', () => {
        throw ocppRpc.createRPCError('NotSupported', 'no heartbeats here');
      });
      const error = (await rejection(connection.call('Heartbeat', {}))) as unknown as OcppCallError;
      assert.deepEqual([error.kind, error.rpcErrorCode], ['call-error', 'NotSupported']);
    });

    it('invalid-response when the CALLRESULT breaks the schema', async () => {
      csms.setHandler('Heartbeat', ({ messageId }) => {
        setImmediate(() => csms.sendRaw(CP, JSON.stringify([3, messageId, { currentTime: 5 }])));
        return NOREPLY;
      });
      const error = (await rejection(connection.call('Heartbeat', {}))) as unknown as OcppCallError;
      assert.equal(error.kind, 'invalid-response');
    });

    it('timeout when no answer comes; offline when the connection goes while waiting', async () => {
      csms.setHandler('Heartbeat', () => NOREPLY);
      const timedOut = (await rejection(connection.call('Heartbeat', {}))) as unknown as OcppCallError;
      assert.equal(timedOut.kind, 'timeout');
      const pending = connection.call('Heartbeat', {});
      await until(() => csms.messages({ action: 'Heartbeat', messageType: 'CALL' }).length === 2, 'the second Heartbeat');
      await csms.drop(CP);
      assert.equal(((await rejection(pending)) as unknown as OcppCallError).kind, 'offline');
    });

    it('a request that breaks the schema is not sent', async () => {
      const error = (await rejection(connection.call('Heartbeat', { unexpected: true }))) as unknown as OcppCallError;
      assert.equal(error.kind, 'call-error');
      assert.match(error.message, /not sent/);
      assert.deepEqual(csms.messages({ action: 'Heartbeat' }), []);
    });

    it('keeps one CALL outstanding at a time (OCPP-J §4.1.1)', async () => {
      const waiting: string[] = [];
      csms.setHandler('Heartbeat', ({ messageId }) => {
        waiting.push(messageId);
        return NOREPLY;
      });
      const first = connection.call('Heartbeat', {});
      const second = connection.call('Heartbeat', {});
      await until(() => waiting.length === 1, 'the first CALL');
      connection.handle('ClearCache', () => ({ status: 'Accepted' }));
      await csms.call(CP, 'ClearCache', {}); // a round trip: a second CALL would have arrived by now
      assert.equal(waiting.length, 1);
      const now = new Date().toISOString();
      csms.sendRaw(CP, JSON.stringify([3, waiting[0], { currentTime: now }]));
      await until(() => waiting.length === 2, 'the second CALL after the first was answered');
      csms.sendRaw(CP, JSON.stringify([3, waiting[1], { currentTime: now }]));
      assert.deepEqual(await Promise.all([first, second]), [{ currentTime: now }, { currentTime: now }]);
    });
  });
});
