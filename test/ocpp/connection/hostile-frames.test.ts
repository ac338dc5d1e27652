// A hostile backend (raw WebSocket, tools/fuzz/hostile-backend.ts) against OcppConnection: nothing it
// sends may end the process (no unhandled rejection), every CALL it sends gets a small CALLERROR with
// the code OCPP-J 1.6 §4.2.3 gives it, and the link stays up unless the WebSocket itself must close.

import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { LOG_LINES_PER_WINDOW } from '../../../app/ocpp/connection/log-throttle.js';
import type { OcppConnection } from '../../../app/ocpp/connection/ocpp-connection.js';
import { HostileBackend, type Answer } from '../../../tools/fuzz/hostile-backend.js';
import { Harness, type LogSpy, until } from './helpers.js';

const CP = 'CP-HOSTILE';

/** `{"a":{"a":...{"a":1}...}}`, `depth` objects deep. */
const nested = (depth: number): string => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

describe('OCPP connection: a hostile backend', () => {
  const h = new Harness();
  let backend: HostileBackend;
  let connection: OcppConnection;
  let logs: LogSpy;
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown) => rejections.push(reason);

  beforeEach(async () => {
    rejections.length = 0;
    process.on('unhandledRejection', onRejection);
    backend = await HostileBackend.start();
    ({ connection, logs } = await h.connection(backend.url, CP));
    await backend.connected();
    await until(() => connection.connected, 'connected');
  });
  afterEach(async () => {
    await h.cleanup();
    await backend.close();
    process.off('unhandledRejection', onRejection);
  });

  const code = (answer: Answer) => (answer[0] === 4 ? answer[2] : `CALLRESULT ${JSON.stringify(answer[2])}`);

  /** Reconnected after the link dropped, and no unhandled rejection in between. */
  async function survived(): Promise<void> {
    await backend.connected(1);
    await until(() => connection.connected, 'connected again');
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(rejections.map(String), [], 'no unhandled rejection');
  }

  for (const [what, second] of [
    ['a frame over 1 MiB', 'x'.repeat(1024 * 1024 + 16)],
    ['an invalid UTF-8 text frame', Buffer.from([0x5b, 0x32, 0x2c, 0xff, 0xfe, 0x5d])],
  ] as const) {
    it(`a DataTransfer nested 5000 deep, then at once ${what}: answered, and the process is not ended`, async () => {
      connection.handle('DataTransfer', () => ({ status: 'Accepted' }));
      backend.send(`[2,"deep-1","DataTransfer",{"vendorId":"x","extra":${nested(5000)}}]`);
      backend.onPeerClosing(() => backend.send(second)); // what ocpp-rpc did: close after failing to answer
      backend.send(second);
      assert.equal(code(await backend.answerTo('deep-1')), 'FormationViolation');
      await survived();
    });
  }

  it("a flood of bad frames writes at most LOG_LINES_PER_WINDOW warnings of a kind, yet every one is answered", async () => {
    const ids = Array.from({ length: 200 }, (_, i) => `flood-${i}`);
    for (const id of ids) backend.send(`[2,"${id}","Reset",{"type":"Soft"},"extra"]`);
    for (const id of ids) assert.equal(code(await backend.answerTo(id)), 'FormationViolation');
    assert.equal(logs.matching(/refused with FormationViolation/).length, LOG_LINES_PER_WINDOW, logs.dump());
  });

  it('a valid Soft Reset racing a closing link does not end the process', async () => {
    connection.handle('Reset', () => ({ status: 'Accepted' }));
    // The Reset arrives while our end is closing (ocpp-rpc: "Call received while client state not
    // OPEN", then close()), and the socket errors before the close completes.
    backend.onPeerClosing(() => {
      backend.send('[2,"reset-1","Reset",{"type":"Soft"}]');
      backend.send(Buffer.from([0xff, 0xfe]));
    });
    connection.reconnect('test');
    await survived();
  });

  it('a payload nested 5000 deep gets a small CALLERROR on the same link', async () => {
    connection.handle('DataTransfer', () => ({ status: 'Accepted' }));
    backend.send(`[2,"deep-2","DataTransfer",{"vendorId":"x","extra":${nested(5000)}}]`);
    backend.send(`[2,"deep-3","DataTransfer",{"vendorId":"x","data":${nested(5000)}}]`);
    const extra = await backend.answerTo('deep-2');
    const data = await backend.answerTo('deep-3');
    assert.equal(code(extra), 'FormationViolation');
    assert.equal(code(data), 'TypeConstraintViolation');
    for (const answer of [extra, data]) assert.ok(JSON.stringify(answer).length < 300, JSON.stringify(answer));
    assert.equal(backend.connections, 1, 'the same link');
    assert.ok(connection.connected);
  });

  it("never echoes the backend's payload beyond a short excerpt", async () => {
    const filler = 'y'.repeat(60_000);
    backend.send(`[2,"echo-1","Reset",{"type":"${filler}"}]`);
    backend.send(`[2,"echo-2","Reset",{"type":"Soft","${filler}":1}]`);
    backend.send(`[2,"echo-3","DataTransfer",{"vendorId":"x","data":{"${filler}":1}}]`);
    for (const id of ['echo-1', 'echo-2', 'echo-3']) {
      const answer = await backend.answerTo(id);
      assert.equal(answer[0], 4);
      assert.ok(JSON.stringify(answer).length < 300, `${id}: ${JSON.stringify(answer).slice(0, 400)}`);
    }
    assert.equal(backend.connections, 1);
  });

  it('a burst of frames in one read is handled one per turn of the event loop (no stall)', async () => {
    const handledAt: number[] = [];
    let turnedAt: number | undefined;
    connection.handle('ClearCache', () => {
      if (handledAt.length === 0) setImmediate(() => (turnedAt = handledAt.length));
      handledAt.push(handledAt.length);
      return { status: 'Accepted' };
    });
    const burst = Array.from({ length: 500 }, (_, i) => `[2,"b${i}","ClearCache",{}]`);
    assert.ok(backend.sendBurst(burst));
    await until(() => handledAt.length === burst.length, 'the burst handled');
    assert.ok(turnedAt !== undefined && turnedAt < burst.length, `the event loop turned only after ${turnedAt} of ${burst.length} frames`);
  });

  describe('CALLERROR codes (OCPP-J 1.6 §4.2.3 Table 7)', () => {
    const cases: Array<[string, string, string]> = [
      ['a value not in the enumeration', '"Reset",{"type":"Foo"}', 'PropertyConstraintViolation'],
      ['a 21-character idTag (IdToken is CiString20)', `"RemoteStartTransaction",{"idTag":"${'A'.repeat(21)}"}`, 'PropertyConstraintViolation'],
      ['a date-time that is not one', '"ReserveNow",{"connectorId":1,"expiryDate":"tomorrow","idTag":"A","reservationId":1}', 'PropertyConstraintViolation'],
      ['a string where an integer belongs', '"UnlockConnector",{"connectorId":"1"}', 'TypeConstraintViolation'],
      ['a required field missing', '"ChangeConfiguration",{"key":"HeartbeatInterval"}', 'OccurenceConstraintViolation'],
      ['a field the Action does not have', '"ClearCache",{"now":true}', 'FormationViolation'],
    ];
    for (const [what, call, expected] of cases) {
      it(`${what}: ${expected}`, async () => {
        connection.handle('Reset', () => ({ status: 'Accepted' }));
        connection.handle('UnlockConnector', () => ({ status: 'Unlocked' }));
        backend.send(`[2,"c-1",${call}]`);
        const answer = await backend.answerTo('c-1');
        assert.equal(code(answer), expected, JSON.stringify(answer));
        assert.deepEqual(answer[4], {});
      });
    }

    it('the same codes when ocpp-rpc was loaded before the connection module', async () => {
      const script = fileURLToPath(new URL('./fixtures/ocpp-rpc-loaded-first.js', import.meta.url));
      const { stdout } = await promisify(execFile)(process.execPath, [script], { timeout: 15_000 });
      assert.equal(stdout.trim(), 'PropertyConstraintViolation');
    });

    it('a CALL id over 36 characters: FormationViolation with that id; one too long to echo: dropped', async () => {
      connection.handle('Reset', () => ({ status: 'Accepted' }));
      const long = 'L'.repeat(37);
      backend.send(`[2,"${long}","Reset",{"type":"Soft"}]`);
      assert.equal(code(await backend.answerTo(long)), 'FormationViolation');
      backend.send(`[2,"${'L'.repeat(1000)}","Reset",{"type":"Soft"}]`);
      await logs.waitFor(/dropped: message id of 1000 characters; at most 36 \(OCPP-J §4\.1\.4\)/);
      assert.equal(code(await backend.answerTo(await sendOk())), 'CALLRESULT {"status":"Accepted"}');
      assert.deepEqual(backend.untakenAnswers(), []);
    });

    it('a CALL with more or fewer than 4 elements: FormationViolation', async () => {
      connection.handle('Reset', () => ({ status: 'Accepted' }));
      backend.send('[2,"e-5","Reset",{"type":"Soft"},"extra"]');
      backend.send('[2,"e-3","Reset"]');
      assert.equal(code(await backend.answerTo('e-5')), 'FormationViolation');
      assert.equal(code(await backend.answerTo('e-3')), 'FormationViolation');
    });

    it('a CALL id reused while the first CALL with it is being handled: FormationViolation, the first still answered once', async () => {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let handled = 0;
      connection.handle('Reset', async () => {
        handled++;
        await gate;
        return { status: 'Accepted' };
      });
      const answers: Answer[] = [];
      backend.on('answer', (id, answer) => id === 'dup' && answers.push(answer));
      for (let i = 0; i < 3; i++) backend.send('[2,"dup","Reset",{"type":"Soft"}]');
      await until(() => answers.length === 2, 'two CALLERRORs');
      assert.deepEqual(answers.map(code), ['FormationViolation', 'FormationViolation']);
      release();
      await until(() => answers.length === 3, 'the CALLRESULT');
      assert.equal(code(answers[2]!), 'CALLRESULT {"status":"Accepted"}');
      assert.equal(handled, 1);
      // Answered: the id is free again.
      backend.send('[2,"dup","Reset",{"type":"Soft"}]');
      await until(() => answers.length === 4, 'the answer to the id reused after');
      assert.equal(code(answers[3]!), 'CALLRESULT {"status":"Accepted"}');
    });
  });

  let sent = 0;
  async function sendOk(): Promise<string> {
    const id = `ok-${++sent}`;
    backend.send(`[2,"${id}","Reset",{"type":"Soft"}]`);
    return id;
  }
});
