// How CALLs fail, both ways: ocpp-rpc's errors for our CALLs become OcppCallError kinds, and a
// handler's throw becomes the CALLERROR we answer (OCPP-J 1.6 §4.2.3).

import { OcppCallError, OcppHandlerError, type IncomingCallHandler } from '../ocpp-types.js';
import { ocpp16ErrorCode } from './frames.js';
import { RPCError, TimeoutError, createRPCError } from './ocpp-rpc-parts.js';

export type Log = (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;

/** Which strict-mode check an ocpp-rpc error object came from ('strictValidationFailure' events). */
export type ValidationFailure = 'invalid-request' | 'invalid-response';

export function toCallError(err: unknown, action: string, failures: WeakMap<object, ValidationFailure>, timeoutMs: number): OcppCallError {
  if (err instanceof TimeoutError) return new OcppCallError('timeout', action, `${action}: no answer within ${timeoutMs} ms`);
  if (err instanceof RPCError) {
    const code = ocpp16ErrorCode(err.rpcErrorCode);
    const failure = failures.get(err);
    if (failure === 'invalid-response') {
      return new OcppCallError('invalid-response', action, `${action}: the CSMS's answer breaks the OCPP 1.6 schema: ${err.message}`);
    }
    // Our own payload broke the schema: nothing was sent. ocpp-types has no kind for it; 'call-error'
    // with the violation's code (the answer a strict CSMS would give) is the closest.
    if (failure === 'invalid-request') {
      return new OcppCallError('call-error', action, `${action} not sent: the request breaks the OCPP 1.6 schema: ${err.message}`, code);
    }
    return new OcppCallError('call-error', action, `${action}: CALLERROR ${code}${err.message ? `: ${err.message}` : ''}`, code);
  }
  // "Cannot make call while socket not open", or the connection went while we waited (AbortError).
  const why = err instanceof Error ? err.message : String(err);
  return new OcppCallError('offline', action, `${action}: not connected (${why})`);
}

/** ocpp-rpc's handler for one action: the handler's result is the CALLRESULT (validated by strict mode). */
export function rpcHandler(action: string, lookup: () => IncomingCallHandler | undefined, log: Log) {
  return async ({ params }: { params?: unknown }): Promise<Record<string, unknown>> => {
    const handler = lookup();
    // J §4.2.3: NotSupported = "recognized but not supported"; NotImplemented (unknown actions) is
    // answered by ocpp-rpc itself, which has no handler for them.
    if (!handler) throw createRPCError('NotSupported', `${action} is not supported by this charge point`);
    try {
      return (await handler(params)) as Record<string, unknown>;
    } catch (err) {
      if (err instanceof OcppHandlerError) throw createRPCError(err.code, err.message, err.details);
      log('error', `OCPP handler for ${action} failed; answering InternalError`, { action, error: err instanceof Error ? err.stack ?? err.message : String(err) });
      throw createRPCError('InternalError', `${action} could not be processed`);
    }
  };
}
