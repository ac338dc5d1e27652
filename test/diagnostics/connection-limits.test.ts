// The diagnostics server's timeouts and connection cap, over real sockets. The limits are
// set small here; each assertion waits for the event (socket closed, answer read) with a
// generous upper bound, so a slow machine only makes the test slower, never wrong.

import { strict as assert } from 'node:assert';
import { connect, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { resolveLimits, type DiagnosticsLimits } from '../../app/diagnostics/limits.js';
import { startDiagnosticsServer, type DiagnosticsServer } from '../../app/diagnostics/server.js';
import { FakeCharger, FakeSimulation } from './fakes.js';

const TOKEN = 'test-token-0123456789';
/** Far longer than any limit below: reaching it means the server never closed the socket. */
const UPPER_BOUND_MS = 15_000;
/** Long enough never to fire in a test that is about another limit. */
const NEVER_MS = 120_000;

interface Ending {
  /** Everything the server sent before the socket closed. */
  readonly received: string;
}

/** A connected client socket that records what it receives and when it closes. */
class Client {
  received = '';
  readonly ended: Promise<Ending>;
  private constructor(readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (this.received += chunk));
    socket.on('error', () => {}); // a reset is one way of being closed; 'close' follows
    this.ended = new Promise((resolve) => socket.once('close', () => resolve({ received: this.received })));
  }

  static open(port: number): Promise<Client> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => resolve(new Client(socket)));
      socket.once('error', reject);
    });
  }

  /** Resolves when the server has closed the socket; fails if it has not within the bound. */
  async closedByServer(what: string): Promise<Ending> {
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: still open after ${UPPER_BOUND_MS} ms`)), UPPER_BOUND_MS);
    });
    try {
      return await Promise.race([this.ended, bound]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Sends one kept-alive GET and waits for its whole answer. */
  async get(path: string): Promise<string> {
    const before = this.received.length;
    this.socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\nConnection: keep-alive\r\n\r\n`);
    for (;;) {
      const answer = this.received.slice(before);
      const head = answer.indexOf('\r\n\r\n');
      const length = /content-length: *([0-9]+)/i.exec(answer);
      if (head >= 0 && length && answer.length >= head + 4 + Number(length[1])) return answer;
      const progress = await Promise.race([
        new Promise<'data'>((resolve) => this.socket.once('data', () => resolve('data'))),
        this.ended.then(() => 'closed' as const),
      ]);
      if (progress === 'closed') throw new Error(`closed before the answer to GET ${path}: ${JSON.stringify(answer)}`);
    }
  }

  /** Writes one chunk every intervalMs until the socket closes. */
  trickle(chunk: string, intervalMs: number): void {
    const timer = setInterval(() => this.socket.write(chunk), intervalMs);
    void this.ended.then(() => clearInterval(timer));
  }

  destroy(): void {
    this.socket.destroy();
  }
}

describe('diagnostics server: connection limits', () => {
  let server: DiagnosticsServer | undefined;
  const clients: Client[] = [];
  let logLines: string[];

  async function start(limits: Partial<DiagnosticsLimits>): Promise<DiagnosticsServer> {
    logLines = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logLines.push(chunk.toString('utf8'));
        done();
      },
    });
    server = await startDiagnosticsServer({
      api: new FakeCharger(),
      simulation: new FakeSimulation(),
      host: '127.0.0.1',
      port: 0,
      token: TOKEN,
      logger: pino({ level: 'warn' }, sink),
      limits,
    });
    return server;
  }

  async function open(): Promise<Client> {
    const client = await Client.open(server!.port);
    clients.push(client);
    return client;
  }

  afterEach(async () => {
    for (const client of clients.splice(0)) client.destroy();
    await server?.close();
    server = undefined;
  });

  it('closes a connection that never sends anything', async () => {
    await start({ idleTimeoutMs: 200, headersTimeoutMs: NEVER_MS, requestTimeoutMs: NEVER_MS });
    const client = await open();
    await client.closedByServer('an idle connection');
  });

  it('closes a kept-alive connection that sends no next request', async () => {
    await start({ keepAliveTimeoutMs: 200, idleTimeoutMs: NEVER_MS, headersTimeoutMs: NEVER_MS, requestTimeoutMs: NEVER_MS });
    const client = await open();
    assert.match(await client.get('/api/v1/status'), /^HTTP\/1\.1 200 /);
    await client.closedByServer('a kept-alive connection');
  });

  it('answers 408 and closes when the headers arrive too slowly', async () => {
    await start({ headersTimeoutMs: 300, timeoutCheckIntervalMs: 50, idleTimeoutMs: NEVER_MS, requestTimeoutMs: NEVER_MS });
    const client = await open();
    client.socket.write(`GET /api/v1/status HTTP/1.1\r\nHost: x\r\n`);
    client.trickle('X-Slow: y\r\n', 50); // never idle, never done
    const { received } = await client.closedByServer('slow headers');
    assert.match(received, /^HTTP\/1\.1 408 /);
  });

  it('answers 408 and closes when the body arrives too slowly', async () => {
    await start({ headersTimeoutMs: 300, requestTimeoutMs: 400, timeoutCheckIntervalMs: 50, idleTimeoutMs: NEVER_MS });
    const client = await open();
    client.socket.write(
      'POST /api/v1/sim/rfid HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
        `Authorization: Bearer ${TOKEN}\r\nContent-Length: 1000\r\n\r\n{"uid":"`,
    );
    client.trickle('A', 50);
    const { received } = await client.closedByServer('a slow body');
    assert.match(received, /^HTTP\/1\.1 408 /);
  });

  it('refuses connections past the cap, logs it, and serves again once one closes', async () => {
    await start({ maxConnections: 3, idleTimeoutMs: NEVER_MS, headersTimeoutMs: NEVER_MS, requestTimeoutMs: NEVER_MS, keepAliveTimeoutMs: NEVER_MS });
    // An answer on each proves the server has accepted all three.
    const held = [await open(), await open(), await open()];
    for (const client of held) assert.match(await client.get('/api/v1/status'), /^HTTP\/1\.1 200 /);

    const extra = await open();
    const { received } = await extra.closedByServer('a connection past the cap');
    assert.equal(received, '', 'closed before any request was read');
    assert.ok(
      logLines.some((line) => line.includes('diagnostics connections refused: too many open at once') && line.includes('"maxConnections":3')),
      logLines.join(''),
    );
    for (const client of held) assert.match(await client.get('/api/v1/status'), /^HTTP\/1\.1 200 /, 'held ones still served');

    held[0]!.destroy();
    // The server sees the close on its own time: retry until a new connection is served.
    const deadline = Date.now() + UPPER_BOUND_MS;
    for (;;) {
      const next = await open();
      try {
        assert.match(await next.get('/api/v1/status'), /^HTTP\/1\.1 200 /);
        break;
      } catch (error) {
        if (Date.now() > deadline) throw error;
      }
    }
  });

  it('refuses a limit that Node would read as "no limit", naming it', () => {
    assert.throws(() => resolveLimits({ idleTimeoutMs: 0 }), /idleTimeoutMs must be a whole number ≥ 1, got 0/);
    assert.throws(() => resolveLimits({ maxConnections: 1.5 }), /maxConnections/);
    assert.throws(() => resolveLimits({ headersTimeoutMs: 20, requestTimeoutMs: 10 }), /headersTimeoutMs \(20\) must not exceed requestTimeoutMs \(10\)/);
  });
});
