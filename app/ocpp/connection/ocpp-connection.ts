// The charge point's OCPP-J 1.6 WebSocket connection to the Central System (OCPP-J 1.6 §3, security
// whitepaper ed. 2 §2): connects with the configured security profile, keeps reconnecting with
// back-off until stop(), supervises the link with WebSocket pings, answers incoming CALLs from the
// registered handlers and sends ours one at a time. No boot gating: services build that on top.

import { systemClock, type Clock, type TimerHandle } from '../../../hal/clock.js';
import type { IncomingCallHandler } from '../ocpp-types.js';
import { OcppCallError } from '../ocpp-types.js';
import type { ConfigurationStore } from '../configuration/configuration-store.js';
import { Backoff, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
import { rpcHandler, toCallError, type Log, type ValidationFailure } from './call-errors.js';
import { describeConnectFailure } from './connect-failure.js';
import { keepOcpp16Codes, screenFrame } from './frames.js';
import { Keepalive } from './keepalive.js';
import { CLOSED, KNOWN_ACTIONS, NO_REPLY, OPEN, createRpcClient, rawSocket, type RpcClient } from './rpc-client.js';
import { securitySettings, type TlsMaterial } from './security-options.js';
import { LogThrottle } from './log-throttle.js';

export interface OcppConnectionOptions {
  /** ws:// or wss:// endpoint WITHOUT the charge point id. */
  csmsUrl: string;
  /** URL = csmsUrl + '/' + encodeURIComponent(id) (OCPP-J §3.1.1). */
  chargePointId: string;
  /** SecurityProfile, AuthorizationKey, WebSocketPingInterval (followed live through onChange). */
  configuration: ConfigurationStore;
  /** PEM text: CA to verify the server (profiles 2, 3), client cert + key (profile 3). */
  tls?: TlsMaterial;
  /** Default 30 000. */
  callTimeoutMs?: number;
  /** Reconnect back-off, default 1 s .. 60 s. */
  backoff?: BackoffOptions;
  /** Default 64 KiB (OCPP messages from a backend are small). */
  maxIncomingFrameBytes?: number;
  /**
   * Times the reconnect back-off and how long a connection held. Default: the system clock. The
   * socket's own deadlines (call timeouts, pings, the close grace) run in real time: they bound
   * a real peer's answer.
   */
  clock?: Clock;
  log: Log;
}

/** Options of one CALL. */
export interface CallOptions {
  /** How long to wait for the answer; default the connection's call timeout. */
  readonly timeoutMs?: number;
}

const DEFAULT_CALL_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_FRAME_BYTES = 64 * 1024;
/** A connection that held this long was not flapping: the next reconnect starts the back-off anew. */
const STABLE_CONNECTION_MS = 30_000;
/** A clean close waits this long for answers in flight (e.g. the ChangeConfiguration.conf, A05.FR.06). */
const CLOSE_GRACE_MS = 2000;
/** Failed attempts with a newly configured SecurityProfile before falling back (A05.FR.08 leaves it open). */
const UPGRADE_ATTEMPTS = 3;

/** One connect attempt and, once open, the connection it became. */
interface Link {
  readonly client: RpcClient;
  readonly generation: number;
  readonly profile: number;
  opened: boolean;
  openedAt: number;
  keepalive?: Keepalive;
  /** Which strict-mode check raised an ocpp-rpc error (to tell 'invalid-response' apart). */
  readonly failures: WeakMap<object, ValidationFailure>;
  /** Ids of the CSMS's CALLs being handled, not yet answered. */
  readonly handling: Set<string>;
}

export class OcppConnection {
  private readonly url: URL;
  private readonly callTimeoutMs: number;
  private readonly maxFrameBytes: number;
  private readonly backoff: Backoff;
  private readonly log: Log;
  private readonly handlers = new Map<string, IncomingCallHandler>();
  private readonly openListeners = new Set<() => void>();
  private readonly closeListeners = new Set<(info: { code: number; reason: string }) => void>();
  private link: Link | undefined;
  private retryTimer: TimerHandle | undefined;
  /** Bumped by every attempt, reconnect and stop: callbacks of an older one do nothing. */
  private generation = 0;
  private running = false;
  private unsubscribe: (() => void) | undefined;
  /** The profile connections use; differs from the configured one after an A05.FR.08 fallback. */
  private profile = 0;
  /** A raised SecurityProfile not yet proven by a successful connection (A05.FR.07–09). */
  private upgrade: { from: number; to: number; failures: number } | undefined;
  /** What the backend's bad frames may write to the log (log-throttle.ts). */
  private readonly refusals: LogThrottle;

  constructor(private readonly options: OcppConnectionOptions) {
    this.url = new URL(options.csmsUrl);
    if (this.url.protocol !== 'ws:' && this.url.protocol !== 'wss:') throw new RangeError(`csmsUrl must be ws:// or wss:// (got ${options.csmsUrl})`);
    if (!options.chargePointId) throw new RangeError('chargePointId is empty');
    this.callTimeoutMs = options.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
    this.maxFrameBytes = options.maxIncomingFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    this.backoff = new Backoff(options.backoff ?? DEFAULT_BACKOFF);
    this.log = options.log;
    this.refusals = new LogThrottle(this.clock);
  }

  get connected(): boolean {
    return this.link?.opened === true && this.link.client.state === OPEN;
  }

  /** Connect, and keep reconnecting forever until stop(). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.profile = this.options.configuration.integer('SecurityProfile');
    this.unsubscribe = this.options.configuration.onChange((key, value) => this.configurationChanged(key, value));
    this.attempt();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.generation++;
    this.clearRetry();
    this.unsubscribe?.();
    const link = this.link;
    this.link = undefined;
    await this.shut(link, 1001, 'charge point stopping');
  }

  /** Drop the connection (answers in flight still go out) and connect again at once. */
  reconnect(reason: string): void {
    if (!this.running) return;
    const generation = ++this.generation;
    this.clearRetry();
    this.backoff.reset();
    const link = this.link;
    this.link = undefined;
    this.log('info', `OCPP reconnecting: ${reason}`);
    void this.shut(link, 1000, reason).then(() => {
      if (this.running && generation === this.generation) this.attempt();
    });
  }

  /**
   * Raw call, no boot gating. Rejects with OcppCallError (offline / timeout / call-error / invalid-response).
   * `timeoutMs`: how long to wait for this answer (default: the call timeout).
   */
  async call<T>(action: string, payload: unknown, options: CallOptions = {}): Promise<T> {
    const link = this.link;
    if (!link || !this.connected) throw new OcppCallError('offline', action, `${action}: not connected to the CSMS`);
    const timeoutMs = options.timeoutMs ?? this.callTimeoutMs;
    try {
      // callConcurrency 1: a second call waits for the first; its timeout runs once it is sent.
      return (await link.client.call(action, payload, { callTimeoutMs: timeoutMs })) as T;
    } catch (err) {
      throw toCallError(err, action, link.failures, timeoutMs);
    }
  }

  /**
   * Tests the link with a WebSocket ping now (a CALL went unanswered: a dead link or a slow
   * backend?). True on the pong; false when there is no connection, or no pong within the call
   * timeout: that connection is then replaced, as a silent one is (OCPP-J errata §3.9).
   */
  probe(): Promise<boolean> {
    const keepalive = this.connected ? this.link?.keepalive : undefined;
    return keepalive ? keepalive.probe(this.callTimeoutMs) : Promise.resolve(false);
  }

  /** One handler per action (a later one replaces it); applies to the current connection too. */
  handle(action: string, handler: IncomingCallHandler): void {
    // Strict mode answers any action without an OCPP 1.6 schema before a handler could run.
    if (!KNOWN_ACTIONS.has(action)) throw new RangeError(`no OCPP 1.6 schema for action ${action}`);
    this.handlers.set(action, handler);
  }

  onOpen(listener: () => void): () => void {
    this.openListeners.add(listener);
    return () => void this.openListeners.delete(listener);
  }

  onClose(listener: (info: { code: number; reason: string }) => void): () => void {
    this.closeListeners.add(listener);
    return () => void this.closeListeners.delete(listener);
  }

  private attempt(): void {
    this.clearRetry();
    const generation = ++this.generation;
    const config = this.options.configuration;
    const checked = securitySettings(this.profile, this.url.protocol, config.get('AuthorizationKey'), this.options.tls);
    if (!checked.ok) {
      if (this.upgrade) return this.fallBack(checked.reason);
      // Retrying cannot help: only a configuration change (or reconnect()) can.
      this.log('error', `OCPP connection not attempted: ${checked.reason}`, { securityProfile: this.profile });
      return;
    }
    const client = createRpcClient({
      endpoint: this.url.href.replace(/\/+$/, ''),
      identity: this.options.chargePointId,
      settings: checked.settings,
      callTimeoutMs: this.callTimeoutMs,
      // ws closes the connection (1009) above this; up to it our own limit answers and stays up.
      wsMaxPayload: Math.max(16 * this.maxFrameBytes, 1024 * 1024),
      screen: (frame) => this.screen(link, frame),
    });
    const link: Link = { client, generation, profile: this.profile, opened: false, openedAt: 0, failures: new WeakMap(), handling: new Set() };
    this.link = link;
    this.wire(link);
    client
      .connect()
      .then(
        () => this.opened(link),
        (err: unknown) => this.failed(link, err),
      )
      .catch((err: unknown) => {
        // A bug in opened()/failed() (e.g. an ocpp-rpc internal gone): log it, never an unhandled rejection.
        this.log('error', `OCPP connection: internal error: ${err instanceof Error ? err.message : String(err)}`);
        void client.close({ force: true }).catch(() => undefined);
      });
  }

  private wire(link: Link): void {
    const { client } = link;
    for (const action of KNOWN_ACTIONS) client.handle(action, rpcHandler(action, () => this.handlers.get(action), this.log));
    client.on('response', ({ outbound, payload }: { outbound: boolean; payload: unknown[] }) => {
      if (!outbound) return;
      link.handling.delete(payload[1] as string);
      keepOcpp16Codes(payload);
    });
    client.on('callResult', ({ outbound, messageId, result }: { outbound: boolean; messageId: string; result: unknown }) => {
      if (!outbound && result === NO_REPLY) link.handling.delete(messageId);
    });
    client.on('badMessage', ({ error, response }: { error: Error; response: unknown[] | null }) => {
      keepOcpp16Codes(response);
      this.logRefusal('bad message', `OCPP: bad message from the CSMS: ${error.message}`, { answered: response ? response[2] : 'no' });
    });
    client.on('strictValidationFailure', (e: { error: object; outbound: boolean; isCall: boolean; method: string }) => {
      if (e.outbound && e.isCall) link.failures.set(e.error, 'invalid-request');
      if (!e.outbound && !e.isCall) link.failures.set(e.error, 'invalid-response');
      const what = e.isCall ? (e.outbound ? 'our request' : "the CSMS's request") : e.outbound ? 'our answer' : "the CSMS's answer";
      const line = `OCPP ${e.method}: ${what} breaks the OCPP 1.6 schema: ${(e.error as Error).message}`;
      // Ours breaking the schema is our bug: always written. The backend's is throttled.
      if (e.outbound) this.log('error', line);
      else this.logRefusal('schema', line);
    });
    client.on('ping', () => link.keepalive?.pong()); // ocpp-rpc's name for "pong received"
    client.on('close', ({ code, reason }: { code: number; reason?: string }) => this.closed(link, code, String(reason ?? '')));
  }

  private opened(link: Link): void {
    if (link.generation !== this.generation) {
      void link.client.close({ force: true }).catch(() => undefined); // superseded while connecting
      return;
    }
    link.opened = true;
    link.openedAt = this.clock.now();
    if (this.upgrade) {
      this.log('info', `OCPP SecurityProfile ${this.upgrade.to} in use (whitepaper A05.FR.07)`);
      this.upgrade = undefined; // A05.FR.09: no way back now
    }
    link.keepalive = new Keepalive(rawSocket(link.client), (intervalS) =>
      this.log('warn', `OCPP connection silent: no pong within ${intervalS} s; replacing it (OCPP-J errata §3.9)`),
    );
    link.keepalive.setInterval(this.options.configuration.integer('WebSocketPingInterval'));
    this.log('info', 'OCPP connected', { url: this.endpointFor(), securityProfile: link.profile });
    for (const listener of [...this.openListeners]) this.notify(() => listener());
  }

  private failed(link: Link, err: unknown): void {
    if (link.generation !== this.generation || !this.running) return;
    this.link = undefined;
    const delay = this.backoff.next();
    this.log('warn', `OCPP connection failed: ${describeConnectFailure(err)}; retrying in ${formatDelay(delay)}`, {
      url: this.endpointFor(), securityProfile: link.profile,
    });
    if (this.upgrade && ++this.upgrade.failures >= UPGRADE_ATTEMPTS) {
      this.fallBack(`${UPGRADE_ATTEMPTS} connection attempts failed`, delay);
      return;
    }
    this.retryIn(delay);
  }

  private closed(link: Link, code: number, reason: string): void {
    if (!link.opened) return; // a failed attempt: failed() reports it
    link.opened = false;
    link.keepalive?.stop();
    if (this.link === link) this.link = undefined;
    for (const listener of [...this.closeListeners]) this.notify(() => listener({ code, reason }));
    if (link.generation !== this.generation || !this.running) return; // reconnect()/stop() took over
    if (this.clock.now() - link.openedAt >= STABLE_CONNECTION_MS) this.backoff.reset();
    const delay = this.backoff.next();
    this.log('warn', `OCPP connection closed (code ${code}${reason ? `, ${reason}` : ''}); reconnecting in ${formatDelay(delay)}`);
    this.retryIn(delay);
  }

  /** A05.FR.08: the raised profile could not connect; go on with the previous one. */
  private fallBack(why: string, delay?: number): void {
    const { from, to } = this.upgrade!;
    this.upgrade = undefined;
    this.profile = from;
    this.log('warn', `OCPP SecurityProfile ${to} unusable (${why}); falling back to SecurityProfile ${from} (whitepaper A05.FR.08)`);
    if (delay === undefined) this.attempt();
    else this.retryIn(delay);
  }

  private retryIn(delayMs: number): void {
    this.clearRetry();
    const generation = this.generation;
    this.retryTimer = this.clock.setTimeout(() => {
      if (this.running && generation === this.generation) this.attempt();
    }, delayMs);
  }

  private clearRetry(): void {
    if (this.retryTimer !== undefined) this.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  private get clock(): Clock {
    return this.options.clock ?? systemClock;
  }

  private configurationChanged(key: string, value: string): void {
    if (key === 'SecurityProfile' && this.running) {
      const next = Number(value);
      if (next <= this.profile) return;
      this.upgrade = { from: this.profile, to: next, failures: 0 };
      this.profile = next;
      // A05.FR.06/07. The listener runs inside the ChangeConfiguration handler: let its answer go first.
      setImmediate(() => this.reconnect(`SecurityProfile changed to ${next} (whitepaper A05.FR.06)`));
    } else if (key === 'WebSocketPingInterval') {
      this.link?.keepalive?.setInterval(Number(value));
    }
    // AuthorizationKey: used from the next connection on (whitepaper A01 asks no reconnect).
  }

  /** A warning about the backend's input, at most LOG_LINES_PER_WINDOW of each kind a minute. */
  private logRefusal(kind: string, message: string, fields: Record<string, unknown> = {}): void {
    const { write, leftOut } = this.refusals.admit(kind);
    if (leftOut > 0) this.log('warn', `OCPP: ${leftOut} more lines like "${kind}" left out of the log in the last minute`, { leftOut });
    if (write) this.log('warn', message, fields);
  }

  /** Screens an incoming frame; true lets ocpp-rpc process it. */
  private screen(link: Link, frame: Buffer): boolean {
    let verdict = screenFrame(frame, this.maxFrameBytes);
    if (verdict.kind === 'pass' && verdict.callId !== undefined) {
      const id = verdict.callId;
      // J §4.2.3: "an existing call with the same unique identifier is being handled already". Ours,
      // not ocpp-rpc's check: its answer to the second CALL forgets the first one is still running.
      if (link.handling.has(id)) verdict = { kind: 'answer', messageId: id, code: 'FormationViolation', why: `a CALL with id ${id} is still being handled (OCPP-J §4.2.3)` };
      else link.handling.add(id);
    }
    if (verdict.kind === 'pass') return true;
    if (verdict.kind === 'drop') {
      this.logRefusal('dropped frame', `OCPP: frame from the CSMS dropped: ${verdict.why}`, { bytes: frame.length });
      return false;
    }
    this.logRefusal('refused call', `OCPP: CALL ${verdict.messageId} refused with ${verdict.code}: ${verdict.why}`, { bytes: frame.length });
    try {
      link.client.sendRaw(JSON.stringify([4, verdict.messageId, verdict.code, verdict.why, {}]));
    } catch {
      // the connection is going away: nothing to answer on
    }
    return false;
  }

  /** A close of the current connection, waiting for answers in flight, then forced. */
  private async shut(link: Link | undefined, code: number, reason: string): Promise<void> {
    if (!link) return;
    link.keepalive?.stop();
    const { client } = link;
    if (!link.opened && client.state !== OPEN) {
      await client.close({ code, reason }).catch(() => undefined); // aborts the attempt
      return;
    }
    // Real time: the close handshake of a real socket (see OcppConnectionOptions.clock).
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_GRACE_MS)));
    await Promise.race([client.close({ code, reason, awaitPending: true }).catch(() => undefined), grace]);
    clearTimeout(timer);
    if (client.state === CLOSED) return;
    const gone = new Promise<void>((resolve) => {
      const bound = setTimeout(resolve, CLOSE_GRACE_MS);
      client.once('close', () => {
        clearTimeout(bound);
        resolve();
      });
    });
    try {
      rawSocket(client).terminate();
    } catch {
      return; // already gone
    }
    await gone;
  }

  private endpointFor(): string {
    return `${this.url.href.replace(/\/+$/, '')}/${encodeURIComponent(this.options.chargePointId)}`;
  }

  private notify(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log('error', `OCPP connection listener failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

/** "4.2 s", or "250 ms" below a second. */
function formatDelay(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}
