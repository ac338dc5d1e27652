// The OCPP 1.6 validators compiled at build time (tools/build/compile-schemas.ts) pass and fail
// exactly what ocpp-rpc's own validator does (its Ajv, its formats, its lenient multipleOf), with
// the first violation answered by its OCPP-J 1.6 §4.2.3 code.

import { strict as assert } from 'node:assert';
import { createRequire } from 'node:module';
import '../../../app/ocpp/connection/ocpp16-validators-only.js'; // before ocpp-rpc
import { ocpp16Validator } from '../../../app/ocpp/connection/ocpp16-validator.js';
import { schemaErrorCode, schemaErrorDescription, type SchemaError } from '../../../app/ocpp/connection/schema-errors.js';

const require = createRequire(import.meta.url);
const { createValidator } = require('ocpp-rpc/lib/validator.js') as {
  createValidator: (protocol: string, schemas: unknown) => { validate(id: string, params: unknown): boolean };
};
const theirs = createValidator('ocpp1.6', require('ocpp-rpc/lib/schemas/ocpp1_6.json'));

const profile = (limit: unknown) => ({
  connectorId: 1,
  csChargingProfiles: {
    chargingProfileId: 1,
    stackLevel: 0,
    chargingProfilePurpose: 'TxDefaultProfile',
    chargingProfileKind: 'Absolute',
    chargingSchedule: { chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit }] },
  },
});

const CASES: ReadonlyArray<readonly [string, unknown]> = [
  ['urn:BootNotification.req', { chargePointVendor: 'V', chargePointModel: 'M' }],
  ['urn:BootNotification.req', { chargePointVendor: 'V' }],
  ['urn:BootNotification.req', { chargePointVendor: 'V'.repeat(21), chargePointModel: 'M' }],
  ['urn:BootNotification.req', { chargePointVendor: 5, chargePointModel: 'M' }],
  ['urn:BootNotification.req', { chargePointVendor: 'V', chargePointModel: 'M', extra: 1 }],
  ['urn:BootNotification.req', 'not an object'],
  ['urn:BootNotification.conf', { status: 'Accepted', currentTime: '2026-01-01T00:00:00Z', interval: 300 }],
  ['urn:BootNotification.conf', { status: 'Accepted', currentTime: 'yesterday', interval: 300 }],
  ['urn:BootNotification.conf', { status: 'Maybe', currentTime: '2026-01-01T00:00:00Z', interval: 300 }],
  ['urn:SetChargingProfile.req', profile(16.3)], // a multiple of 0.1 within floating-point error
  ['urn:SetChargingProfile.req', profile(16.35)],
  ['urn:SetChargingProfile.req', profile('16')],
  ['urn:StatusNotification.req', { connectorId: 1, errorCode: 'NoError', status: 'Charging' }],
  ['urn:StatusNotification.req', { connectorId: 1.5, errorCode: 'NoError', status: 'Charging' }],
  ['urn:GetDiagnostics.req', { location: 'not a uri', retries: 1 }],
  ['urn:GetDiagnostics.req', { location: 'ftp://diag.example.com/up' }],
];

function ocppRpcVerdict(id: string, params: unknown): SchemaError | null {
  try {
    theirs.validate(id, params);
    return null;
  } catch (err) {
    return (err as { details: { errors: SchemaError[] } }).details.errors[0]!;
  }
}

describe('OCPP 1.6 validators compiled at build time', () => {
  it("pass and fail what ocpp-rpc's validator does, answering its first violation with the §4.2.3 code", () => {
    for (const [id, params] of CASES) {
      const expected = ocppRpcVerdict(id, params);
      const what = `${id} ${JSON.stringify(params)}`;
      if (expected === null) {
        assert.equal(ocpp16Validator.validate(id, params), true, what);
        continue;
      }
      assert.throws(() => ocpp16Validator.validate(id, params), (err: { rpcErrorCode?: string; message?: string; details?: unknown }) => {
        assert.equal(err.rpcErrorCode, schemaErrorCode(expected), what);
        assert.equal(err.message, schemaErrorDescription(expected), what);
        assert.deepEqual(err.details, {}, what);
        return true;
      }, what);
    }
  });

  it('an action without a schema is a ProtocolError', () => {
    assert.throws(() => ocpp16Validator.validate('urn:NoSuchAction.req', {}), { rpcErrorCode: 'ProtocolError' });
    assert.throws(() => ocpp16Validator.validate('toString', {}), { rpcErrorCode: 'ProtocolError' });
  });
});
