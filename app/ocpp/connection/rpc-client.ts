// One ocpp-rpc RPCClient per connect attempt (its own reconnect is off: OcppConnection decides when
// and with which security profile to connect again). Strict mode validates every CALL, CALLRESULT
// and CALLERROR payload in and out against ocpp-rpc's OCPP 1.6 schemas, with our validator
// (ocpp16-validator.ts).
//
// Two things need ocpp-rpc internals (2.2.x), checked at creation so a version change fails loudly:
// `_onMessage`, wrapped to screen frames before parsing (size limit, J §4.1.3 unknown types), and
// `_ws`, the ws WebSocket, for our own ping/pong supervision.
//
// close() never rejects here. ocpp-rpc calls it without handling its promise (after failing to
// send an answer, client.js _onCall), and that promise rejects when the socket errors while closing
// (a frame over ws's maxPayload, invalid UTF-8): an unhandled rejection, which the fail-safe
// handler turns into a process exit. A closing link's error is only its close code.

import { NOREPLY, RPCClient } from './ocpp-rpc-parts.js';
import { ocpp16Validator } from './ocpp16-validator.js';
import type { ConnectSettings } from './security-options.js';

export type RpcClient = InstanceType<typeof RPCClient>;

export const SUBPROTOCOL = 'ocpp1.6';
/** A handler's answer that sends none (ocpp-rpc's NOREPLY). */
export const NO_REPLY: symbol = NOREPLY;
export const OPEN = RPCClient.OPEN;
export const CLOSED = RPCClient.CLOSED;

/** Every action ocpp-rpc's OCPP 1.6 schemas (Core ... security extension) know. */
export const KNOWN_ACTIONS: ReadonlySet<string> = new Set(
  ocpp16Validator.schemaIds.filter((id) => id.startsWith('urn:') && id.endsWith('.req')).map((id) => id.slice(4, -4)),
);

export interface RawSocket {
  ping(): void;
  terminate(): void;
  on(event: 'error', listener: (err: Error) => void): unknown;
}

export interface ClientSpec {
  readonly endpoint: string;
  readonly identity: string;
  readonly settings: ConnectSettings;
  readonly callTimeoutMs: number;
  /** ws hard cap: beyond it ws closes the connection (1009); below it our own limit answers. */
  readonly wsMaxPayload: number;
  /** Sees every incoming frame first; false: ocpp-rpc never sees it. */
  readonly screen: (frame: Buffer) => boolean;
}

export function createRpcClient(spec: ClientSpec): RpcClient {
  const client = new RPCClient({
    endpoint: spec.endpoint,
    identity: spec.identity,
    protocols: [SUBPROTOCOL],
    strictMode: true,
    strictModeValidators: [ocpp16Validator], // replaces ocpp-rpc's for ocpp1.6: §4.2.3 codes, no payload echoed
    callConcurrency: 1, // OCPP-J §4.1.1: one outstanding CALL per connection
    callTimeoutMs: spec.callTimeoutMs,
    pingIntervalMs: 0, // our own keepalive (keepalive.ts) logs and replaces a silent connection
    reconnect: false,
    respondWithDetailedErrors: false, // never leak stacks to the backend
    ...(spec.settings.password !== undefined ? { password: spec.settings.password } : {}),
    // One frame per turn of the event loop: a burst of frames in one read (a thousand small ones fit
    // in 64 KiB) would otherwise be handled in one go and could stall the loop past the safety
    // watchdog's limit (app/safety/loop-watchdog.ts).
    wsOpts: { ...spec.settings.wsOpts, maxPayload: spec.wsMaxPayload, handshakeTimeout: spec.callTimeoutMs, allowSynchronousEvents: false },
  } as unknown as ConstructorParameters<typeof RPCClient>[0]);

  const internals = client as unknown as { _onMessage?: (frame: unknown) => void; _ws?: RawSocket };
  const original = internals._onMessage;
  if (typeof original !== 'function') throw new Error('ocpp-rpc: RPCClient._onMessage not found (unsupported ocpp-rpc version)');
  internals._onMessage = (frame: unknown) => {
    const buffer = Buffer.isBuffer(frame) ? frame : Buffer.from(frame as ArrayBuffer);
    if (spec.screen(buffer)) original.call(client, buffer);
  };
  const close = client.close.bind(client);
  client.close = (options?: Parameters<RpcClient['close']>[0]) =>
    close(options).catch((err: unknown) => ({ code: 1006, reason: `closed on a socket error: ${err instanceof Error ? err.message : String(err)}` }));
  // ocpp-rpc listens for ws 'error' only once during the handshake; a second error (e.g. from the
  // terminate() it does after a failed upgrade) must not become an uncaught exception.
  client.on('connecting', () => internals._ws?.on('error', () => undefined));
  return client;
}

/** The ws WebSocket under an open client. */
export function rawSocket(client: RpcClient): RawSocket {
  const ws = (client as unknown as { _ws?: RawSocket })._ws;
  if (!ws || typeof ws.ping !== 'function' || typeof ws.terminate !== 'function') {
    throw new Error('ocpp-rpc: RPCClient._ws not found (unsupported ocpp-rpc version)');
  }
  return ws;
}
