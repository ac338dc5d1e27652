// The small contracts every part of the OCPP 1.6J client is written against: how a service
// sends a CALL, how an incoming CALL is answered, and how a CALL fails. The connection
// (app/ocpp/connection/) implements OcppCaller; tests use fakes of it.

/** A CALLERROR error code (OCPP-J 1.6 §4.2.3; the misspelt OccurenceConstraintViolation is kept, J errata §5). */
export type RpcErrorCode =
  | 'NotImplemented'
  | 'NotSupported'
  | 'InternalError'
  | 'ProtocolError'
  | 'SecurityError'
  | 'FormationViolation'
  | 'PropertyConstraintViolation'
  | 'OccurenceConstraintViolation'
  | 'TypeConstraintViolation'
  | 'GenericError';

/** Why a CALL we sent got no CALLRESULT. */
export type CallFailureKind =
  | 'offline' // not connected (or not yet allowed to send: boot not accepted)
  | 'timeout' // no answer within the call timeout
  | 'call-error' // the backend answered with a CALLERROR
  | 'invalid-response'; // the answer failed its schema (strict mode)

export class OcppCallError extends Error {
  override readonly name = 'OcppCallError';
  constructor(
    readonly kind: CallFailureKind,
    readonly action: string,
    message: string,
    /** The CALLERROR's code, for kind 'call-error'. */
    readonly rpcErrorCode?: string,
  ) {
    super(message);
  }
}

/** Sends CALLs to the backend, one at a time (OCPP-J: one outstanding CALL per connection). */
export interface OcppCaller {
  /** Connected and past a BootNotification that was Accepted (or the call is allowed before it). */
  readonly online: boolean;
  /** Resolves with the validated CALLRESULT payload, or rejects with OcppCallError. */
  call<T = unknown>(action: string, payload: unknown): Promise<T>;
}

/** Thrown by a handler of an incoming CALL to answer with a specific CALLERROR. */
export class OcppHandlerError extends Error {
  override readonly name = 'OcppHandlerError';
  constructor(
    readonly code: RpcErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** Answers one incoming CALL; `payload` has already passed the action's JSON schema. */
export type IncomingCallHandler = (payload: any) => unknown | Promise<unknown>; // eslint-disable-line @typescript-eslint/no-explicit-any -- schema-validated

/** OCPP 1.6 §7.13 IdTagInfo. */
export interface IdTagInfo {
  readonly status: 'Accepted' | 'Blocked' | 'Expired' | 'Invalid' | 'ConcurrentTx';
  readonly expiryDate?: string;
  readonly parentIdTag?: string;
}

/** OCPP 1.6 §7.45 SampledValue. */
export interface SampledValue {
  readonly value: string;
  readonly context?: 'Interruption.Begin' | 'Interruption.End' | 'Sample.Clock' | 'Sample.Periodic' | 'Transaction.Begin' | 'Transaction.End' | 'Trigger' | 'Other';
  readonly format?: 'Raw' | 'SignedData';
  readonly measurand?: string;
  readonly phase?: 'L1' | 'L2' | 'L3' | 'N' | 'L1-N' | 'L2-N' | 'L3-N' | 'L1-L2' | 'L2-L3' | 'L3-L1';
  readonly location?: 'Cable' | 'EV' | 'Inlet' | 'Outlet' | 'Body';
  readonly unit?: string;
}

/** OCPP 1.6 §7.31 MeterValue. */
export interface MeterValue {
  readonly timestamp: string;
  readonly sampledValue: readonly SampledValue[];
}
