// OcppConnection against the real dev CSMS: URL and subprotocol, reconnecting (dropped, CSMS down at
// start, HTTP 404), WebSocket ping supervision, stop().

import { strict as assert } from 'node:assert';
import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { VirtualClock } from '../../../hal/clock.js';
import { FAST_BACKOFF, Harness, KEY, freePort, until } from './helpers.js';

describe('OCPP connection: connecting and reconnecting', () => {
  const h = new Harness();
  afterEach(() => h.cleanup());

  it('connects to csmsUrl + "/" + the percent-encoded id with subprotocol ocpp1.6, then calls work', async () => {
    const csms = await h.csms();
    const { connection, logs } = await h.connection(csms.url, 'CP 001/A');
    let opened = 0;
    connection.onOpen(() => opened++);
    await csms.waitForConnection('CP 001/A');
    await until(() => connection.connected, 'connected');
    assert.equal(opened, 1);
    const answer = await connection.call<{ currentTime: string }>('Heartbeat', {});
    assert.match(answer.currentTime, /^\d{4}-/);
    assert.equal(csms.messages({ action: 'Heartbeat', direction: 'in', messageType: 'CALL' }).length, 1);
    assert.equal(logs.matching(/OCPP connected/)[0]?.fields?.['url'], `${csms.url}/CP%20001%2FA`);
  });

  it('sends exactly that request line, subprotocol and (profile 1) Basic user:hex key; retries after HTTP 404', async () => {
    const requests: IncomingMessage[] = [];
    const server = createServer((_req, res) => res.end());
    server.on('upgrade', (req: IncomingMessage, socket: import('node:net').Socket) => {
      requests.push(req);
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n'); // OCPP-J §3.2: unknown charge point
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const { port } = server.address() as AddressInfo;
      const { connection, logs } = await h.connection(`ws://127.0.0.1:${port}/ocpp/`, 'RDAM 123', {
        config: { SecurityProfile: '1', AuthorizationKey: KEY },
      });
      const failures = await logs.waitFor(/^OCPP connection failed: HTTP 404 .*\(charge point id unknown.*; retrying in (\d+ ms|\d+\.\d s)$/, 3);
      assert.equal(failures[0]?.level, 'warn');
      assert.equal(connection.connected, false);
      const req = requests[0]!;
      assert.equal(req.url, '/ocpp/RDAM%20123'); // J §3.1.1 example 2
      assert.equal(req.headers['sec-websocket-protocol'], 'ocpp1.6');
      // Whitepaper A00.FR.204/205: user = charge point id, password = the AuthorizationKey (its hex text).
      assert.equal(Buffer.from(req.headers.authorization!.replace(/^Basic /, ''), 'base64').toString(), `RDAM 123:${KEY}`);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('reconnects after the CSMS drops the connection, abruptly or cleanly', async () => {
    const csms = await h.csms();
    const { connection, logs } = await h.connection(csms.url, 'CP-1');
    const closes: Array<{ code: number; reason: string }> = [];
    let opens = 0;
    connection.onClose((info) => closes.push(info));
    connection.onOpen(() => opens++);
    await until(() => connection.connected, 'connected');
    await csms.drop('CP-1');
    await until(() => closes.length === 1, 'onClose');
    assert.equal(closes[0]!.code, 1006);
    await until(() => connection.connected && opens === 2, 'reconnected');
    await csms.drop('CP-1', { code: 1000, reason: 'bye' });
    await until(() => connection.connected && opens === 3, 'reconnected again');
    assert.deepEqual(closes[1], { code: 1000, reason: 'bye' });
    assert.equal(logs.matching(/^OCPP connection closed \(code 1006\); reconnecting in/).length, 1);
    assert.ok(await connection.call('Heartbeat', {}));
  });

  it('keeps retrying when the CSMS is down at start, and connects once it is up', async () => {
    const port = await freePort();
    const { connection, logs } = await h.connection(`ws://127.0.0.1:${port}/ocpp`, 'CP-1');
    const lines = await logs.waitFor(/^OCPP connection failed: connection refused by 127\.0\.0\.1:\d+ \(CSMS down\?\); retrying in/, 3);
    assert.ok(lines.every((l) => l.level === 'warn'));
    assert.equal(connection.connected, false);
    const csms = await h.csms({ port });
    await csms.waitForConnection('CP-1', 5000);
    await until(() => connection.connected, 'connected');
  });

  it('waits out the reconnect back-off on the injected clock', async () => {
    const clock = new VirtualClock();
    const port = await freePort();
    const { logs } = await h.connection(`ws://127.0.0.1:${port}/ocpp`, 'CP-1', { clock });
    const failed = /^OCPP connection failed: connection refused/;
    await logs.waitFor(failed, 1);
    await new Promise((resolve) => setTimeout(resolve, 300)); // real time, beyond FAST_BACKOFF.maxMs: the virtual clock stands
    assert.equal(logs.matching(failed).length, 1, 'no retry while the clock stands');
    await clock.advance(FAST_BACKOFF.maxMs);
    await logs.waitFor(failed, 2);
  });

  it('stop() closes the connection and stops reconnecting', async () => {
    const csms = await h.csms();
    const { connection } = await h.connection(csms.url, 'CP-1');
    await until(() => connection.connected, 'connected');
    const gone = once(csms, 'disconnect');
    await connection.stop();
    const [info] = (await gone) as [{ code: number }];
    assert.equal(info.code, 1001);
    assert.equal(connection.connected, false);
    const rejected = await connection.call('Heartbeat', {}).catch((e: unknown) => e);
    assert.equal((rejected as { kind?: string }).kind, 'offline');
    // A round trip on another charge point proves time passed without CP-1 coming back.
    const other = await h.connection(csms.url, 'CP-2');
    await until(() => other.connection.connected, 'CP-2 connected');
    assert.ok(await other.connection.call('Heartbeat', {}));
    assert.deepEqual(csms.connected(), ['CP-2']);
  });

  it('reconnect(reason) drops and connects again', async () => {
    const csms = await h.csms();
    const { connection, logs } = await h.connection(csms.url, 'CP-1');
    let opens = 0;
    connection.onOpen(() => opens++);
    await until(() => opens === 1, 'first open');
    const gone = once(csms, 'disconnect');
    connection.reconnect('test');
    const [info] = (await gone) as [{ code: number; reason: string }];
    assert.deepEqual([info.code, info.reason], [1000, 'test']);
    await until(() => opens === 2 && connection.connected, 'second open');
    assert.equal(logs.matching(/^OCPP reconnecting: test$/).length, 1);
  });
});

describe('OCPP connection: WebSocket ping (WebSocketPingInterval)', function () {
  this.timeout(15_000);
  const h = new Harness();
  afterEach(() => h.cleanup());

  it('follows a live change of the interval and replaces a connection whose pong does not come back', async () => {
    const csms = await h.csms();
    const { connection, logs, configuration } = await h.connection(csms.url, 'CP-1', { config: { WebSocketPingInterval: '0' } });
    await csms.waitForConnection('CP-1');
    await until(() => connection.connected, 'connected');
    let closes = 0;
    connection.onClose(() => closes++);
    csms.answerPings('CP-1', false);
    const reconnected = new Promise<void>((resolve) => csms.on('connect', (info) => info.id === 'CP-1' && resolve()));
    assert.equal(await configuration.change('WebSocketPingInterval', '1'), 'Accepted');
    const [silent] = await logs.waitFor(/^OCPP connection silent: no pong within 1 s; replacing it/, 1, 5000);
    assert.equal(silent!.level, 'warn');
    await until(() => closes === 1, 'the silent connection closed');
    await reconnected;
    await until(() => connection.connected, 'connected again');
    assert.ok(await connection.call('Heartbeat', {})); // the new connection answers pongs (auto-pong is per socket)
    assert.equal(logs.matching(/no pong/).length, 1);
  });

  it('probe() with WebSocketPingInterval 0: true while pongs come back; false, and the connection replaced, when none does', async () => {
    const csms = await h.csms();
    const { connection, logs } = await h.connection(csms.url, 'CP-1', { callTimeoutMs: 300 });
    await csms.waitForConnection('CP-1');
    await until(() => connection.connected, 'connected');
    assert.equal(await connection.probe(), true);
    let closes = 0;
    connection.onClose(() => closes++);
    csms.answerPings('CP-1', false);
    const reconnected = new Promise<void>((resolve) => csms.on('connect', (info) => info.id === 'CP-1' && resolve()));
    assert.equal(await connection.probe(), false);
    assert.equal(logs.matching(/^OCPP connection silent: no pong within 0.3 s; replacing it/).length, 1);
    await until(() => closes === 1, 'the silent connection closed');
    await reconnected;
    await until(() => connection.connected, 'connected again');
    assert.equal(await connection.probe(), true);
  });
});
