// The developer's OCPP 1.6J Central System: ocpp-rpc's RPCServer in strict mode behind our own
// HTTP(S) server, answering charge point CALLs from a handler Map, recording every frame, and able to
// send any command, raw frames, drop connections and stop answering pings.

import { EventEmitter, once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import ocppRpc from 'ocpp-rpc';
import type * as serverClient from 'ocpp-rpc/lib/server-client.js';
import { pino, type Logger } from 'pino';
import { CsmsState, defaultHandlers } from './handlers.js';
import { CallFailure, RawCalls, hasSchema, validatedCall, watchValidationFailures, type CallFailureKind, type CallOptions } from './outgoing.js';
import { MessageRecorder } from './recorder.js';
import { SUBPROTOCOL, checkUpgrade, clientCertificateCn, createTransport } from './security.js';
import type {
  BootResponseConfig, CallHandler, ChargePointInfo, DevCsmsOptions, MessageFilter, RecordedMessage, TagConfig,
} from './types.js';

type RPCServerClient = serverClient.default;

const { RPCServer } = ocppRpc;
/** Return this from a handler to leave the CALL unanswered. */
export const NOREPLY: symbol = (ocppRpc as unknown as { NOREPLY: symbol }).NOREPLY;

export { CallFailure, type CallFailureKind, type CallOptions };

const DEFAULT_BOOT: BootResponseConfig = { status: 'Accepted', interval: 300 };
const CLOSE_GRACE_MS = 1000;

interface Connection {
  readonly client: RPCServerClient;
  readonly info: ChargePointInfo;
}

/** The ws WebSocket under an RPCServerClient (ocpp-rpc keeps it in a protected field). */
interface RawSocket {
  _autoPong: boolean;
  terminate(): void;
}

function rawSocket(client: RPCServerClient): RawSocket {
  const ws = (client as unknown as { _ws?: RawSocket })._ws;
  if (!ws || typeof ws._autoPong !== 'boolean') throw new Error('dev CSMS: cannot reach the WebSocket of this ocpp-rpc version');
  return ws;
}

/**
 * ocpp-rpc rewrites OccurenceConstraintViolation to OccurrenceConstraintViolation on ocpp1.6, but the
 * OCPP-J 1.6 errata (§5.1, "do not fix") keep the misspelt value as the 1.6 error code. ocpp-rpc emits
 * 'response' with the very array it then serialises, so the code is put back here before it is sent.
 */
function keepOcpp16ErrorSpelling({ outbound, payload }: { outbound: boolean; payload: unknown[] }): void {
  if (outbound && payload[0] === 4 && payload[2] === 'OccurrenceConstraintViolation') payload[2] = 'OccurenceConstraintViolation';
}

export interface DevCsmsEvents {
  message: [RecordedMessage];
  connect: [ChargePointInfo];
  disconnect: [{ chargePointId: string; code: number; reason: string }];
  refused: [{ chargePointId: string; code: number; reason: string }];
}

export class DevCsms extends EventEmitter<DevCsmsEvents> {
  readonly url: string;
  readonly state: CsmsState;
  private readonly connections = new Map<string, Connection>();
  private readonly handlers: Map<string, CallHandler>;
  private readonly defaults: Map<string, CallHandler>;
  private readonly failures = new WeakMap<object, CallFailureKind>();
  private readonly rawCalls = new RawCalls();
  private closing: Promise<void> | null = null;

  private constructor(
    private readonly options: DevCsmsOptions,
    private readonly rpc: InstanceType<typeof RPCServer>,
    private readonly transport: Server,
    private readonly recorder: MessageRecorder,
    private readonly log: Logger,
  ) {
    super();
    this.state = new CsmsState(options.bootResponse ?? DEFAULT_BOOT, options.authorizedTags ?? {});
    this.defaults = defaultHandlers(this.state);
    this.handlers = new Map(this.defaults);
    const { port } = transport.address() as AddressInfo;
    const host = options.host.includes(':') ? `[${options.host}]` : options.host;
    this.url = `${options.tls ? 'wss' : 'ws'}://${host}:${port}/ocpp`;
    recorder.on('message', (message) => this.emit('message', message));
    rpc.auth((accept, reject, handshake) => {
      const refusal = checkUpgrade(handshake, options.basicAuth);
      if (!refusal) return accept({}, SUBPROTOCOL);
      this.log.warn({ chargePointId: handshake.identity, ...refusal }, 'connection refused');
      this.emit('refused', { chargePointId: handshake.identity, ...refusal });
      reject(refusal.code, refusal.reason);
    });
    rpc.on('client', (client: RPCServerClient) => this.attach(client));
  }

  static async start(options: DevCsmsOptions): Promise<DevCsms> {
    const rpc = new RPCServer({
      protocols: [SUBPROTOCOL],
      strictMode: true,
      callTimeoutMs: options.callTimeoutMs ?? 30_000,
      pingIntervalMs: options.pingIntervalMs ?? 30_000,
    });
    const transport = createTransport(options.tls);
    transport.on('upgrade', rpc.handleUpgrade);
    transport.listen(options.port, options.host);
    await once(transport, 'listening');
    const log = options.logger ?? pino({ enabled: false });
    return new DevCsms(options, rpc, transport, new MessageRecorder(options.recordFile, options.memoryLimit), log);
  }

  private attach(client: RPCServerClient): void {
    const id = client.identity!;
    const handshake = client.handshake;
    const cn = clientCertificateCn(handshake);
    const info: ChargePointInfo = {
      id, connectedAt: new Date().toISOString(), remoteAddress: handshake.remoteAddress, ...(cn !== undefined ? { certificateCn: cn } : {}),
    };
    const previous = this.connections.get(id);
    if (previous) {
      this.log.warn({ chargePointId: id }, 'charge point connected again: dropping its previous connection');
      rawSocket(previous.client).terminate();
    }
    this.connections.set(id, { client, info });
    client.on('message', ({ message, outbound }: { message: string | Buffer; outbound: boolean }) => {
      const recorded = this.recorder.record(id, outbound ? 'out' : 'in', message.toString());
      if (!outbound) this.rawCalls.onIncoming(recorded);
    });
    client.on('response', keepOcpp16ErrorSpelling);
    // Debug only: malformed frames are recorded as INVALID, and answers to raw CALLs are "bad" to ocpp-rpc too.
    client.on('badMessage', ({ error }: { error: Error }) => this.log.debug({ chargePointId: id, err: error }, 'bad message'));
    watchValidationFailures(client, this.failures);
    for (const action of this.handlers.keys()) this.register(client, action);
    client.once('close', ({ code, reason }: { code: number; reason: string }) => {
      // A connection replaced by a newer one of the same charge point leaves the newer one's state alone.
      if (this.connections.get(id)?.client === client) {
        this.connections.delete(id);
        this.rawCalls.disconnected(id);
        this.recorder.forgetOpenCalls(id);
      }
      this.log.info({ chargePointId: id, code, reason }, 'charge point disconnected');
      this.emit('disconnect', { chargePointId: id, code, reason: String(reason ?? '') });
    });
    this.log.info(info, 'charge point connected');
    this.emit('connect', info);
  }

  private register(client: RPCServerClient, action: string): void {
    const id = client.identity!;
    client.handle(action, async ({ params, messageId }) => {
      const handler = this.handlers.get(action);
      if (!handler) throw ocppRpc.createRPCError('NotImplemented', `${action} is not handled`);
      return (await handler({ chargePointId: id, messageId: messageId!, action, params })) as Record<string, unknown>;
    });
  }

  /** Replaces the answer to a charge point action (null restores the default). Applies to current connections too. */
  setHandler(action: string, handler: CallHandler | null): void {
    const next = handler ?? this.defaults.get(action);
    if (next) this.handlers.set(action, next);
    else this.handlers.delete(action);
    for (const { client } of this.connections.values()) {
      if (next) this.register(client, action);
      else client.removeHandler(action);
    }
  }

  setBootResponse(response: BootResponseConfig): void {
    this.state.bootResponse = response;
  }

  setTag(idTag: string, config: TagConfig): void {
    this.state.setTag(idTag, config);
  }

  connected(): string[] {
    return [...this.connections.keys()];
  }

  chargePoints(): ChargePointInfo[] {
    return [...this.connections.values()].map((c) => c.info);
  }

  messages(filter?: MessageFilter): RecordedMessage[] {
    return this.recorder.messages(filter);
  }

  /** The first recorded message (already recorded or future) that matches. */
  waitFor(predicate: (message: RecordedMessage) => boolean, timeoutMs = 5000): Promise<RecordedMessage> {
    return this.recorder.waitFor(predicate, timeoutMs);
  }

  /** Resolves once the charge point is connected (at once if it already is). */
  async waitForConnection(chargePointId: string, timeoutMs = 5000): Promise<ChargePointInfo> {
    const current = this.connections.get(chargePointId);
    if (current) return current.info;
    return new Promise((resolve, reject) => {
      const onConnect = (info: ChargePointInfo): void => {
        if (info.id !== chargePointId) return;
        clearTimeout(timer);
        this.off('connect', onConnect);
        resolve(info);
      };
      const timer = setTimeout(() => {
        this.off('connect', onConnect);
        reject(new Error(`dev CSMS: charge point ${chargePointId} did not connect within ${timeoutMs} ms`));
      }, timeoutMs);
      this.on('connect', onConnect);
    });
  }

  /** Sends a command and resolves with the charge point's answer; rejects with a CallFailure. */
  async call(chargePointId: string, action: string, payload: unknown, options: CallOptions = {}): Promise<unknown> {
    const client = this.client(chargePointId);
    const timeoutMs = options.timeoutMs ?? this.options.callTimeoutMs ?? 30_000;
    if (!options.unchecked && hasSchema(action)) return validatedCall(client, action, payload, timeoutMs, this.failures);
    return this.rawCalls.call(client, chargePointId, action, payload, timeoutMs);
  }

  /** Writes any text as one WebSocket text frame (malformed JSON, unknown actions, oversize frames...). */
  sendRaw(chargePointId: string, text: string): void {
    this.client(chargePointId).sendRaw(text);
  }

  /** Closes a charge point's connection: abruptly (no close handshake) by default, or cleanly with a close code. */
  async drop(chargePointId: string, clean?: { code: number; reason?: string }): Promise<void> {
    const client = this.client(chargePointId);
    if (clean) {
      await client.close({ code: clean.code, reason: clean.reason ?? '' });
      return;
    }
    const closed = once(client, 'close');
    rawSocket(client).terminate();
    await closed;
  }

  /** Stops (false) or resumes (true) answering the charge point's WebSocket pings. */
  answerPings(chargePointId: string, answer: boolean): void {
    rawSocket(this.client(chargePointId))._autoPong = answer;
  }

  private client(chargePointId: string): RPCServerClient {
    const connection = this.connections.get(chargePointId);
    if (!connection) throw new CallFailure('not-connected', `charge point ${chargePointId} is not connected`);
    return connection.client;
  }

  close(): Promise<void> {
    return (this.closing ??= this.shutdown());
  }

  private async shutdown(): Promise<void> {
    const clients = [...this.connections.values()].map((c) => c.client);
    const closed = Promise.all(clients.map((client) => client.close({ code: 1001, reason: 'dev CSMS shutting down' })));
    const grace = new Promise((resolve) => setTimeout(resolve, CLOSE_GRACE_MS).unref());
    await Promise.race([closed, grace]);
    for (const client of clients) if (client.state !== ocppRpc.RPCClient.CLOSED) rawSocket(client).terminate();
    await this.rpc.close({ force: true });
    this.transport.closeAllConnections();
    await new Promise<void>((resolve) => this.transport.close(() => resolve()));
    await this.recorder.close();
  }
}
