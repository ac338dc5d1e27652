// CSMS-initiated calls. Actions with an OCPP 1.6 schema go through ocpp-rpc (validated both ways);
// other actions (and `unchecked` calls) are written as raw CALL frames and matched to their answer by
// message id, so the charger's own NotImplemented/NotSupported can be observed.

import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import ocppRpc from 'ocpp-rpc';
import type * as serverClient from 'ocpp-rpc/lib/server-client.js';
import type { RecordedMessage } from './types.js';

type RPCServerClient = serverClient.default;

const { RPCError, TimeoutError } = ocppRpc;

const schemas = createRequire(import.meta.url)('ocpp-rpc/lib/schemas/ocpp1_6.json') as ReadonlyArray<{ $id: string }>;
const REQUEST_SCHEMAS = new Set(schemas.map((s) => s.$id).filter((id) => id.endsWith('.req')).map((id) => id.slice(4, -4)));

/** True when ocpp-rpc's bundled OCPP 1.6 schemas (with the security extension) know the action. */
export function hasSchema(action: string): boolean {
  return REQUEST_SCHEMAS.has(action);
}

export type CallFailureKind =
  | 'not-connected' // no such charge point connected
  | 'invalid-request' // the payload breaks the schema: nothing was sent
  | 'call-error' // the charge point answered CALLERROR
  | 'invalid-response' // the charge point's CALLRESULT breaks the schema
  | 'timeout'
  | 'disconnected'; // the connection closed before the answer

export class CallFailure extends Error {
  constructor(
    readonly kind: CallFailureKind,
    message: string,
    readonly errorCode?: string,
    readonly errorDetails?: unknown,
  ) {
    super(message);
    this.name = 'CallFailure';
  }
}

export interface CallOptions {
  readonly timeoutMs?: number;
  /** Send without schema validation (a raw CALL frame), e.g. to test the charger's own validation. */
  readonly unchecked?: boolean;
}

/** Tells apart ocpp-rpc's errors: the same error objects are reported by 'strictValidationFailure'. */
export function watchValidationFailures(client: RPCServerClient, failures: WeakMap<object, CallFailureKind>): void {
  client.on('strictValidationFailure', (event: { error: object; outbound: boolean; isCall: boolean }) => {
    if (event.outbound && event.isCall) failures.set(event.error, 'invalid-request');
    if (!event.outbound && !event.isCall) failures.set(event.error, 'invalid-response');
  });
}

export async function validatedCall(
  client: RPCServerClient,
  action: string,
  payload: unknown,
  timeoutMs: number,
  failures: WeakMap<object, CallFailureKind>,
): Promise<unknown> {
  try {
    return await client.call(action, payload, { callTimeoutMs: timeoutMs });
  } catch (error) {
    throw classify(error, failures, timeoutMs);
  }
}

function classify(error: unknown, failures: WeakMap<object, CallFailureKind>, timeoutMs: number): CallFailure {
  if (error instanceof TimeoutError) return new CallFailure('timeout', `no answer within ${timeoutMs} ms`);
  if (error instanceof RPCError) {
    const code = error.rpcErrorCode;
    const details = (error as { details?: unknown }).details;
    const kind = failures.get(error);
    if (kind === 'invalid-request') return new CallFailure(kind, `request not sent, it breaks the OCPP 1.6 schema: ${error.message}`, code, details);
    if (kind === 'invalid-response') return new CallFailure(kind, `the answer breaks the OCPP 1.6 schema: ${error.message}`, code, details);
    return new CallFailure('call-error', error.message, code, details);
  }
  const message = error instanceof Error ? error.message : String(error);
  return new CallFailure('disconnected', message);
}

interface PendingRaw {
  resolve(result: unknown): void;
  reject(failure: CallFailure): void;
}

/** Raw CALLs awaiting an answer, keyed by charge point and message id. */
export class RawCalls {
  private readonly pending = new Map<string, PendingRaw>();

  call(client: RPCServerClient, chargePointId: string, action: string, payload: unknown, timeoutMs: number): Promise<unknown> {
    const messageId = randomUUID();
    const key = `${chargePointId}\n${messageId}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => settle(() => reject(new CallFailure('timeout', `no answer within ${timeoutMs} ms`))), timeoutMs);
      const settle = (done: () => void): void => {
        clearTimeout(timer);
        this.pending.delete(key);
        done();
      };
      this.pending.set(key, {
        resolve: (result) => settle(() => resolve(result)),
        reject: (failure) => settle(() => reject(failure)),
      });
      try {
        client.sendRaw(JSON.stringify([2, messageId, action, payload]));
      } catch (error) {
        settle(() => reject(new CallFailure('disconnected', error instanceof Error ? error.message : String(error))));
      }
    });
  }

  /** Feed every recorded incoming message: answers to raw CALLs settle them. */
  onIncoming(message: RecordedMessage): void {
    if (message.messageId === undefined) return;
    const pending = this.pending.get(`${message.chargePointId}\n${message.messageId}`);
    if (!pending) return;
    if (message.messageType === 'CALLRESULT') pending.resolve(message.payload);
    if (message.messageType === 'CALLERROR') {
      const { errorCode, errorDescription, errorDetails } = message.payload as { errorCode: string; errorDescription: string; errorDetails: unknown };
      pending.reject(new CallFailure('call-error', errorDescription, errorCode, errorDetails));
    }
  }

  disconnected(chargePointId: string): void {
    for (const [key, pending] of this.pending) {
      if (key.startsWith(`${chargePointId}\n`)) pending.reject(new CallFailure('disconnected', 'the charge point disconnected'));
    }
  }
}
