// A hostile OCPP 1.6J backend for robustness tests and the fuzz bench: a bare `ws` server (no OCPP
// library between it and the wire) that answers the charger's own CALLs well enough for a session
// to be billed, and sends whatever bytes it is told to: malformed JSON, invalid UTF-8, frames over
// any limit, valid commands. Every frame the charger sends is recorded.

import { EventEmitter, once } from 'node:events';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export const SUBPROTOCOL = 'ocpp1.6';

/** A CALL the charger sent us, as parsed. */
export interface ChargerCall {
  readonly id: string;
  readonly action: string;
  readonly payload: Record<string, unknown>;
  /** The connection it came on (1, 2, ...). */
  readonly connection: number;
}

/** The charger's answer to one of our CALLs: [3, id, payload] or [4, id, code, description, details]. */
export type Answer = readonly unknown[];

export interface HostileBackendEvents {
  connect: [number];
  disconnect: [{ connection: number; code: number }];
  answer: [string, Answer];
  call: [ChargerCall];
}

/** An unmasked text frame (RFC 6455 §5.2), server to client. */
function textFrame(text: string): Buffer {
  const payload = Buffer.from(text, 'utf8');
  if (payload.length >= 65_536) throw new RangeError('sendBurst: frames under 64 KiB only');
  const header = payload.length < 126 ? Buffer.from([0x81, payload.length]) : Buffer.from([0x81, 126, payload.length >> 8, payload.length & 0xff]);
  return Buffer.concat([header, payload]);
}

export class HostileBackend extends EventEmitter<HostileBackendEvents> {
  readonly url: string;
  /** Connections accepted so far; the current one is number `connections`. */
  connections = 0;
  readonly calls: ChargerCall[] = [];
  /** Frames from the charger that are neither a CALL nor an answer (should stay empty). */
  readonly strays: string[] = [];
  /** Bytes of the frames the charger sent. */
  bytesIn = 0;
  private readonly answers = new Map<string, Answer>();
  private socket: WebSocket | undefined;
  private tcp: Socket | undefined;
  private nextTransactionId = 1;

  private constructor(private readonly server: WebSocketServer) {
    super();
    const { port } = server.address() as AddressInfo;
    this.url = `ws://127.0.0.1:${port}/ocpp`;
    server.on('connection', (ws, request) => this.accept(ws, request.socket));
  }

  static async start(): Promise<HostileBackend> {
    const server = new WebSocketServer({
      host: '127.0.0.1',
      port: 0,
      maxPayload: 16 * 1024 * 1024,
      handleProtocols: (protocols) => (protocols.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
    });
    await once(server, 'listening');
    return new HostileBackend(server);
  }

  get open(): boolean {
    return this.socket?.readyState === 1;
  }

  /** Sends one frame as is (text unless `binary`; a Buffer as text may be invalid UTF-8). False: no open link. */
  send(data: string | Buffer, binary = false): boolean {
    if (!this.open) return false;
    this.socket!.send(data, { binary });
    return true;
  }

  /** Text frames (each under 64 KiB) in one TCP write: the charger reads them in one go. */
  sendBurst(texts: readonly string[]): boolean {
    if (!this.open || !this.tcp) return false;
    this.tcp.write(Buffer.concat(texts.map(textFrame)));
    return true;
  }

  /** The charger's answer to our CALL `id`, if it came; each is handed out once. */
  takeAnswer(id: string): Answer | undefined {
    const answer = this.answers.get(id);
    this.answers.delete(id);
    return answer;
  }

  /** Ids answered and not taken. */
  untakenAnswers(): string[] {
    return [...this.answers.keys()];
  }

  /** Resolves with the answer to `id` (taken), rejects after `ms`. */
  async answerTo(id: string, ms = 5000): Promise<Answer> {
    const ready = this.takeAnswer(id);
    if (ready) return ready;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('answer', listener);
        reject(new Error(`no answer to ${id} within ${ms} ms`));
      }, ms);
      const listener = (answerId: string) => {
        if (answerId !== id) return;
        clearTimeout(timer);
        this.off('answer', listener);
        resolve(this.takeAnswer(id)!);
      };
      this.on('answer', listener);
    });
  }

  /** Resolves once a connection (after `after`, default any) is open. */
  async connected(after = 0, ms = 15_000): Promise<number> {
    const deadline = Date.now() + ms;
    while (!(this.open && this.connections > after)) {
      if (Date.now() > deadline) throw new Error(`no charger connection within ${ms} ms`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return this.connections;
  }

  /**
   * Calls `fn` once the charger's WebSocket close frame arrives, before the server has read it (so
   * anything sent from `fn` reaches a charger that is closing its end).
   */
  onPeerClosing(fn: () => void): void {
    const tcp = this.tcp;
    if (!tcp) throw new Error('no connection');
    const listener = (chunk: Buffer) => {
      if ((chunk[0]! & 0x0f) !== 0x8) return; // opcode 8: close (RFC 6455 §5.5.1)
      tcp.off('data', listener);
      fn();
    };
    tcp.prependListener('data', listener);
  }

  /** Drops the current connection without a close handshake. */
  drop(): void {
    this.socket?.terminate();
  }

  async close(): Promise<void> {
    for (const client of this.server.clients) client.terminate();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(ws: WebSocket, tcp: Socket): void {
    this.socket?.terminate(); // one charger: a new connection replaces the old
    const connection = ++this.connections;
    this.socket = ws;
    this.tcp = tcp;
    ws.on('error', () => undefined); // a bad frame from the charger: 'close' follows
    ws.on('message', (data: Buffer) => this.received(connection, ws, data));
    ws.on('close', (code: number) => {
      if (this.socket === ws) this.socket = undefined;
      this.emit('disconnect', { connection, code });
    });
    this.emit('connect', connection);
  }

  private received(connection: number, ws: WebSocket, data: Buffer): void {
    this.bytesIn += data.length;
    const text = data.toString('utf8');
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      this.strays.push(text.slice(0, 200));
      return;
    }
    if (!Array.isArray(message) || typeof message[1] !== 'string') {
      this.strays.push(text.slice(0, 200));
      return;
    }
    const [type, id] = message as [unknown, string];
    if (type === 3 || type === 4) {
      this.answers.set(id, message);
      this.emit('answer', id, message);
      return;
    }
    if (type !== 2 || typeof message[2] !== 'string') {
      this.strays.push(text.slice(0, 200));
      return;
    }
    const call: ChargerCall = { id, action: message[2], payload: (message[3] ?? {}) as Record<string, unknown>, connection };
    this.calls.push(call);
    this.emit('call', call);
    if (ws.readyState === 1) ws.send(JSON.stringify([3, id, this.result(call)]));
  }

  /** A plain, accepting Central System's answer to the charger's CALL. */
  private result(call: ChargerCall): Record<string, unknown> {
    const now = new Date().toISOString();
    const accepted = { idTagInfo: { status: 'Accepted' } };
    switch (call.action) {
      case 'BootNotification': return { status: 'Accepted', currentTime: now, interval: 300 };
      case 'Heartbeat': return { currentTime: now };
      case 'Authorize': return accepted;
      case 'StartTransaction': return { transactionId: this.nextTransactionId++, ...accepted };
      case 'StopTransaction': return accepted;
      case 'DataTransfer': return { status: 'UnknownVendorId' };
      default: return {};
    }
  }
}
