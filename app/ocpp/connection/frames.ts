// Incoming frames looked at before ocpp-rpc parses them, and the OCPP 1.6 spelling of the error
// codes we send. ocpp-rpc follows OCPP 2.0.1-J for bad frames (answers "-1" ids with RpcFrameworkError
// or MessageTypeNotSupported, codes OCPP 1.6 does not have) and cannot limit a frame's size without
// closing the connection, so those cases are decided here.

import type { RpcErrorCode } from '../ocpp-types.js';

const MSG_CALL = 2;
const MSG_CALLRESULT = 3;
const MSG_CALLERROR = 4;

export type FrameVerdict =
  | { readonly kind: 'pass'; readonly callId?: string } // well formed: ocpp-rpc handles it (callId: a CALL's)
  | { readonly kind: 'drop'; readonly why: string }
  | { readonly kind: 'answer'; readonly messageId: string; readonly code: RpcErrorCode; readonly why: string };

/** OCPP-J §4.1.4 Table 3: "Maximum of 36 characters". */
export const MAX_MESSAGE_ID_CHARS = 36;
/** A longer CALL id is still answered with (J §4.2.3 "unique identifier too long"), up to this. */
const MAX_ANSWERED_ID_CHARS = 255;

/** The id of a CALL read from the start of its text (OCPP-J §4.1.4: at most 36 characters). */
export function readCallId(head: string): string | undefined {
  return /^\s*\[\s*2\s*,\s*"([^"\\]{1,36})"/.exec(head)?.[1];
}

/**
 * J §4.2.3: a CALLERROR carries "the exact same id that is in the call request", so a bad frame is
 * answered only when it is recognisably a CALL whose id can be read; anything else is dropped (and
 * logged by the caller). FormationViolation: "syntactically incorrect or not conform the PDU structure".
 */
export function screenFrame(frame: Buffer, maxBytes: number): FrameVerdict {
  if (frame.length === 0) return { kind: 'pass' }; // ocpp-rpc ignores empty frames
  if (frame.length > maxBytes) {
    const why = `frame of ${frame.length} bytes exceeds the ${maxBytes}-byte limit`;
    const messageId = readCallId(frame.subarray(0, 128).toString('utf8'));
    return messageId ? { kind: 'answer', messageId, code: 'FormationViolation', why } : { kind: 'drop', why };
  }
  const text = frame.toString('utf8');
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    const messageId = readCallId(text);
    const why = 'message is not valid JSON (OCPP-J §4)';
    return messageId ? { kind: 'answer', messageId, code: 'FormationViolation', why } : { kind: 'drop', why };
  }
  if (!Array.isArray(message) || typeof message[0] !== 'number') return { kind: 'drop', why: 'message is not an OCPP-J array [MessageTypeId, ...]' };
  const [type, id, action] = message as unknown[];
  // J §4.1.3: a Message Type Number not in the list SHALL be ignored.
  if (type !== MSG_CALL && type !== MSG_CALLRESULT && type !== MSG_CALLERROR) return { kind: 'drop', why: `unknown message type ${String(type)} ignored (OCPP-J §4.1.3)` };
  if (typeof id !== 'string') return { kind: 'drop', why: 'message id is not a string (OCPP-J §4.1.4)' };
  if (type !== MSG_CALL) return { kind: 'pass' };
  // J §4.2.3 lists "unique identifier too long" among the CALLs answered with a CALLERROR; one too
  // long to be an id at all is not echoed back.
  if (id.length > MAX_MESSAGE_ID_CHARS) {
    const why = `message id of ${id.length} characters; at most ${MAX_MESSAGE_ID_CHARS} (OCPP-J §4.1.4)`;
    return id.length <= MAX_ANSWERED_ID_CHARS ? { kind: 'answer', messageId: id, code: 'FormationViolation', why } : { kind: 'drop', why };
  }
  if (typeof action !== 'string') {
    return { kind: 'answer', messageId: id, code: 'FormationViolation', why: 'CALL without an Action name (OCPP-J §4.2.1)' };
  }
  // J §4.2.1: "A Call always consists of 4 elements".
  if (message.length !== 4) {
    return { kind: 'answer', messageId: id, code: 'FormationViolation', why: `CALL of ${message.length} elements; it has 4 (OCPP-J §4.2.1)` };
  }
  return { kind: 'pass', callId: id };
}

const OCPP16_CODES: ReadonlySet<string> = new Set<RpcErrorCode>([
  'NotImplemented', 'NotSupported', 'InternalError', 'ProtocolError', 'SecurityError', 'FormationViolation',
  'PropertyConstraintViolation', 'OccurenceConstraintViolation', 'TypeConstraintViolation', 'GenericError',
]);

/**
 * The OCPP 1.6 code for one of ocpp-rpc's. J errata §5.1/5.2 keep "OccurenceConstraintViolation" and
 * "FormationViolation" as the 1.6 codes ("do not fix"); ocpp-rpc rewrites the former to "Occurrence".
 */
export function ocpp16ErrorCode(code: unknown): RpcErrorCode {
  if (code === 'OccurrenceConstraintViolation') return 'OccurenceConstraintViolation';
  if (code === 'FormatViolation' || code === 'RpcFrameworkError') return 'FormationViolation';
  return typeof code === 'string' && OCPP16_CODES.has(code) ? (code as RpcErrorCode) : 'GenericError';
}

/** Rewrites, in place, the code of a CALLERROR about to be serialised by ocpp-rpc. */
export function keepOcpp16Codes(frame: unknown[] | null | undefined): void {
  if (frame && frame[0] === MSG_CALLERROR) frame[2] = ocpp16ErrorCode(frame[2]);
}
