// The frames a hostile backend sends in the fuzz run, each with the answer OCPP-J 1.6 requires of
// the charger: valid commands (destructive ones included) a CALLRESULT; a CALL it can identify but
// not accept a CALLERROR with the same id and the §4.2.3 code; anything it cannot answer (no
// readable CALL id, J §4.1.3 unknown types, answers to CALLs never made) nothing at all.

import type { SeededRandom } from '../seeded-random.js';

export type Expectation =
  | { readonly kind: 'result'; readonly id: string } // CALLRESULT
  | { readonly kind: 'error'; readonly id: string; readonly code: string } // CALLERROR with this code
  | { readonly kind: 'none' }; // no answer

export interface FuzzFrame {
  readonly data: string | Buffer;
  readonly binary: boolean;
  readonly expect: Expectation;
  /** What kind of frame, for the report. */
  readonly label: string;
}

/** Configuration keys the fuzz may change: none of them can stop a later session or the link. */
const KEYS = ['HeartbeatInterval', 'MeterValueSampleInterval', 'ClockAlignedDataInterval', 'ConnectionTimeOut', 'NoSuchKey'];
const VALUES = ['30', '0', '60', '-5', 'abc', ''];

type Generator = (rng: SeededRandom, id: string) => FuzzFrame;

const call = (id: string, action: string, payload: unknown, label: string, expect: Expectation = { kind: 'result', id }): FuzzFrame =>
  ({ data: JSON.stringify([2, id, action, payload]), binary: false, expect, label });
const refused = (id: string, code: string): Expectation => ({ kind: 'error', id, code });
const text = (data: string, label: string): FuzzFrame => ({ data, binary: false, expect: { kind: 'none' }, label });

/** Valid commands: answered with a CALLRESULT (or the CALLERROR a known but unsupported action gets). */
const VALID: readonly Generator[] = [
  (r, id) => call(id, 'GetConfiguration', r.chance(0.5) ? {} : { key: [r.pick(KEYS)] }, 'GetConfiguration'),
  (r, id) => call(id, 'DataTransfer', { vendorId: r.ascii(r.int(1, 20)), ...(r.chance(0.5) ? { data: r.ascii(r.int(0, 100)) } : {}) }, 'DataTransfer'),
  (_, id) => call(id, 'ClearCache', {}, 'ClearCache'),
  (r, id) => call(id, 'ChangeConfiguration', { key: r.pick(KEYS), value: r.pick(VALUES) }, 'ChangeConfiguration'),
  (r, id) => call(id, 'RemoteStopTransaction', { transactionId: r.int(-5, 100_000) }, 'RemoteStopTransaction'),
  (r, id) => call(id, 'UnlockConnector', { connectorId: r.int(0, 3) }, 'UnlockConnector'),
  (r, id) => call(id, 'ChangeAvailability', { connectorId: r.int(0, 3), type: r.pick(['Operative', 'Inoperative']) }, 'ChangeAvailability'),
  (_, id) => call(id, 'TriggerMessage', { requestedMessage: 'Heartbeat' }, 'not supported', refused(id, 'NotSupported')),
  (r, id) => call(id, r.pick(['FlyToTheMoon', 'reset', 'Reset2']), {}, 'unknown action', refused(id, 'NotImplemented')),
];

/** CALLs that break the schema or the RPC framework: the §4.2.3 code (app/ocpp/connection/schema-errors.ts). */
const INVALID: readonly Generator[] = [
  (r, id) => call(id, 'Reset', { type: r.pick(['Foo', 'soft', 'HARD', '']) }, 'bad enum', refused(id, 'PropertyConstraintViolation')),
  (r, id) => call(id, 'RemoteStartTransaction', { idTag: 'A'.repeat(r.int(21, 200)) }, 'long idTag', refused(id, 'PropertyConstraintViolation')),
  (r, id) => call(id, 'ReserveNow', { connectorId: 1, expiryDate: r.pick(['tomorrow', '2024-13-45T99:00:00Z', '']), idTag: 'A', reservationId: 1 }, 'bad date-time', refused(id, 'PropertyConstraintViolation')),
  (r, id) => call(id, 'UnlockConnector', { connectorId: r.pick(['1', true, 1.5, null, [1]]) }, 'bad type', refused(id, 'TypeConstraintViolation')),
  (_, id) => call(id, 'ChangeAvailability', { connectorId: 1 }, 'missing field', refused(id, 'OccurenceConstraintViolation')),
  (r, id) => call(id, 'ClearCache', { [r.ascii(r.int(1, 30))]: r.int(0, 9) }, 'extra field', refused(id, 'FormationViolation')),
  (r, id) => call(id, 'Reset', r.pick(['Soft', 5, null, []]), 'payload not an object', refused(id, 'TypeConstraintViolation')),
  (_, id) => ({ data: `[2,"${id}","Reset",{"type":"Soft"},{}]`, binary: false, expect: refused(id, 'FormationViolation'), label: '5-element CALL' }),
  (_, id) => ({ data: `[2,"${id}","Reset"]`, binary: false, expect: refused(id, 'FormationViolation'), label: '3-element CALL' }),
  (_, id) => ({ data: `[2,"${id}",7,{}]`, binary: false, expect: refused(id, 'FormationViolation'), label: 'action not a string' }),
  (r, id) => {
    const long = `${id}-${'L'.repeat(r.int(37, 200))}`.slice(0, r.int(37, 255));
    return { data: JSON.stringify([2, long, 'Reset', { type: 'Soft' }]), binary: false, expect: refused(long, 'FormationViolation'), label: 'id over 36 characters' };
  },
  (r, id) => {
    const whole = JSON.stringify([2, id, 'Reset', { type: 'Soft' }]);
    const cut = r.int(id.length + 6, whole.length - 1); // after the id: still readable
    return { data: whole.slice(0, cut), binary: false, expect: refused(id, 'FormationViolation'), label: 'truncated JSON' };
  },
];

/** Rare, heavy ones. */
const HEAVY: readonly Generator[] = [
  (r, id) => {
    const depth = r.int(1000, 6000);
    return { data: `[2,"${id}","DataTransfer",{"vendorId":"x","extra":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}]`, binary: false, expect: refused(id, 'FormationViolation'), label: 'nested ~5000 deep' };
  },
  (r, id) => ({ data: JSON.stringify([2, id, 'DataTransfer', { vendorId: 'x', data: 'D'.repeat(r.int(70_000, 200_000)) }]), binary: false, expect: refused(id, 'FormationViolation'), label: 'over the frame limit' }),
];

/** Nothing to answer. */
const UNANSWERABLE: readonly Generator[] = [
  (r) => text(r.ascii(r.int(0, 200)).replace(/^\[/, '('), 'garbage text'),
  (r, id) => text(JSON.stringify([r.pick([0, 1, 5, 7, 99, -2]), id, 'Reset', {}]), 'unknown message type'),
  (r, id) => text(JSON.stringify([3, id, { status: r.ascii(5) }]), 'CALLRESULT to no CALL'),
  (_, id) => text(JSON.stringify([4, id, 'GenericError', 'x', {}]), 'CALLERROR to no CALL'),
  (r) => text(JSON.stringify(r.pick([{ a: 1 }, 42, 'str', null, [], [2]])), 'not an OCPP array'),
  (r) => text(`[2,${r.int(0, 9)},"Reset",{"type":"Soft"}]`, 'id not a string'),
  (r) => ({ data: Buffer.from(Array.from({ length: r.int(1, 64) }, () => r.int(0x80, 0xff))).subarray(0), binary: true, expect: { kind: 'none' }, label: 'binary garbage' }),
  (r) => text(`[2,"${r.ascii(10).replace(/["\\]/g, '')}`.slice(0, 3), 'cut before the id'),
];

/** One frame of the mix (ids `${prefix}${index}` are unique in a run). */
export function fuzzFrame(rng: SeededRandom, index: number, prefix = 'f'): FuzzFrame {
  const id = `${prefix}${index}`;
  const roll = rng.next();
  const family = roll < 0.35 ? VALID : roll < 0.7 ? INVALID : roll < 0.702 ? HEAVY : UNANSWERABLE;
  return rng.pick(family)(rng, id);
}
