// Shared types of the dev CSMS: its options, its answers and the messages it records.

import type { Logger } from 'pino';

export type BootStatus = 'Accepted' | 'Pending' | 'Rejected';
export type AuthorizationStatus = 'Accepted' | 'Blocked' | 'Expired' | 'Invalid';

export interface BootResponseConfig {
  readonly status: BootStatus;
  /** Seconds: the heartbeat interval when Accepted, the retry delay otherwise. */
  readonly interval: number;
}

export interface TagConfig {
  readonly status: AuthorizationStatus;
  readonly parentIdTag?: string;
  /** ISO 8601 date-time. */
  readonly expiryDate?: string;
}

export interface TlsConfig {
  /** PEM text of the server certificate (chain). */
  readonly cert: string;
  /** PEM text of the server's private key. */
  readonly key: string;
  /** PEM text of the CA(s) that sign charge point certificates (security profile 3). */
  readonly ca?: string;
  /** Security profile 3: require a client certificate signed by `ca`; a missing or unknown one fails the TLS handshake. */
  readonly requestClientCert?: boolean;
}

export interface DevCsmsOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly bootResponse?: BootResponseConfig;
  /** idTag → answer. idTags are CiString20: looked up case-insensitively. Unknown tags are Invalid. */
  readonly authorizedTags?: Readonly<Record<string, TagConfig>>;
  /**
   * Security profile 1 (or 2 with tls): charge point id → AuthorizationKey. When set, every charge point
   * must present its key by HTTP Basic auth at the upgrade; others are refused with 401.
   */
  readonly basicAuth?: Readonly<Record<string, string>>;
  /** Security profiles 2 and 3: serve wss://. */
  readonly tls?: TlsConfig;
  /** Append every message as a JSON line to this file. */
  readonly recordFile?: string;
  /** Messages kept in memory (oldest dropped first). Default 10 000. */
  readonly memoryLimit?: number;
  /** WebSocket pings sent by the CSMS to each charge point; 0 disables. Default 30 000 ms. */
  readonly pingIntervalMs?: number;
  /** Timeout of CSMS-initiated calls. Default 30 000 ms. */
  readonly callTimeoutMs?: number;
  readonly logger?: Logger;
}

export type Direction = 'in' | 'out';
/** INVALID: a frame that is not a well-formed OCPP-J message (not JSON, not an array, bad type or id). */
export type MessageType = 'CALL' | 'CALLRESULT' | 'CALLERROR' | 'INVALID';

export interface RecordedMessage {
  /** Increasing per CSMS instance, from 1. */
  readonly seq: number;
  /** ISO 8601. */
  readonly time: string;
  readonly chargePointId: string;
  /** 'in': charge point → CSMS; 'out': CSMS → charge point. */
  readonly direction: Direction;
  readonly messageType: MessageType;
  readonly messageId?: string;
  /** The CALL's action; for a CALLRESULT/CALLERROR, the action of the CALL it answers (when known). */
  readonly action?: string;
  /**
   * CALL/CALLRESULT: the payload. CALLERROR: { errorCode, errorDescription, errorDetails }.
   * INVALID: the frame's text (cut to 64 KiB).
   */
  readonly payload: unknown;
  /** Length of the frame in characters. */
  readonly size: number;
}

export interface MessageFilter {
  readonly chargePointId?: string;
  readonly action?: string;
  readonly direction?: Direction;
  readonly messageType?: MessageType;
  /** Only messages with seq greater than this. */
  readonly afterSeq?: number;
  /** The last `limit` matching messages. */
  readonly limit?: number;
}

export interface ChargePointInfo {
  readonly id: string;
  /** ISO 8601. */
  readonly connectedAt: string;
  readonly remoteAddress: string | undefined;
  /** Subject CN of the client certificate (security profile 3). */
  readonly certificateCn?: string;
}

/** What a handler of an incoming CALL receives. Return the answer, NOREPLY, or throw an RPC error. */
export interface IncomingCall {
  readonly chargePointId: string;
  readonly messageId: string;
  readonly action: string;
  readonly params: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- validated by strict mode
}

export type CallHandler = (call: IncomingCall) => unknown;
