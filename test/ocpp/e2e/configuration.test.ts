// ChangeConfiguration / GetConfiguration for every Core key of app/ocpp/configuration/keys.ts,
// from the dev CSMS over the wire to the full charger.

import { strict as assert } from 'node:assert';
import { KEY_DEFINITIONS } from '../../../app/ocpp/configuration/keys.js';
import type { CallFailure } from '../../../tools/dev-csms/outgoing.js';
import type { DevCsms } from '../../../tools/dev-csms/csms.js';
import { E2e, OcppRig } from './ocpp-rig.js';

/** The Core and feature profile keys (§9.1–§9.4): the table's entries before the security whitepaper's. */
const CORE_KEYS = KEY_DEFINITIONS.slice(0, KEY_DEFINITIONS.findIndex((d) => d.name === 'AdditionalRootCertificateCheck')).map((d) => d.name as string);

/** Writable Core keys: a value to set (and how the charger reads it back), and one to refuse. */
const WRITABLE: Record<string, { good: string; stored?: string; bad: string; status?: string }> = {
  AllowOfflineTxForUnknownId: { good: 'TRUE', stored: 'true', bad: 'yes' },
  AuthorizationCacheEnabled: { good: 'true', bad: '1' },
  AuthorizeRemoteTxRequests: { good: 'true', bad: 'on' },
  BlinkRepeat: { good: '5', bad: '101' },
  ClockAlignedDataInterval: { good: '900', bad: '-1' },
  ConnectionTimeOut: { good: '30', bad: '0' },
  ConnectorPhaseRotation: { good: '0.RST, 1.rst,2.Unknown', stored: '0.RST,1.RST,2.Unknown', bad: '1.XYZ', status: 'RebootRequired' },
  HeartbeatInterval: { good: '600', bad: 'abc' },
  LightIntensity: { good: '50', bad: '200' },
  LocalAuthorizeOffline: { good: 'false', bad: 'no' },
  LocalPreAuthorize: { good: 'true', bad: 'y' },
  MaxEnergyOnInvalidId: { good: '5000', bad: '1.5' },
  MeterValuesAlignedData: { good: 'Energy.Active.Import.Register,voltage', stored: 'Energy.Active.Import.Register,Voltage', bad: 'Energy.Reactive.Import.Register' },
  MeterValuesSampledData: { good: 'Power.Active.Import,Current.Import', bad: 'Foo' },
  MeterValueSampleInterval: { good: '30', bad: '86401' },
  MinimumStatusDuration: { good: '5', bad: '3601' },
  ResetRetries: { good: '3', bad: '11' },
  StopTransactionOnEVSideDisconnect: { good: 'false', bad: '' },
  StopTransactionOnInvalidId: { good: 'false', bad: 'nope' },
  StopTxnAlignedData: { good: 'Energy.Active.Import.Register', bad: 'Nope' },
  StopTxnSampledData: { good: 'Current.Import,Energy.Active.Import.Register', bad: 'Current.Import,Current.Import' },
  TransactionMessageAttempts: { good: '5', bad: '0' },
  TransactionMessageRetryInterval: { good: '30', bad: '0' },
  UnlockConnectorOnEVSideDisconnect: { good: 'false', bad: 'maybe' },
  WebSocketPingInterval: { good: '120', bad: '-5' },
  LocalAuthListEnabled: { good: 'false', bad: 'off' },
};

const READ_ONLY: Record<string, string> = {
  ConnectorPhaseRotationMaxLength: '3',
  GetConfigurationMaxKeys: '50',
  MeterValuesAlignedDataMaxLength: '8',
  MeterValuesSampledDataMaxLength: '8',
  NumberOfConnectors: '2',
  StopTransactionMaxMeterValues: '100',
  StopTxnAlignedDataMaxLength: '8',
  StopTxnSampledDataMaxLength: '8',
  SupportedFeatureProfiles: 'Core,LocalAuthListManagement',
  SupportedFeatureProfilesMaxLength: '6',
  LocalAuthListMaxLength: '10000',
  SendLocalListMaxLength: '400',
};

describe('OCPP e2e: ChangeConfiguration / GetConfiguration', function () {
  const e2e = new E2e();
  let csms: DevCsms;
  let rig: OcppRig;

  beforeEach(async () => {
    csms = await e2e.csms();
    rig = await e2e.rig(csms);
  });
  afterEach(() => e2e.cleanup());

  const get = async (keys?: string[]) => rig.call('GetConfiguration', keys ? { key: keys } : {});
  const valueOf = async (key: string) => ((await get([key])).configurationKey as { key: string; value?: string }[]).find((k) => k.key === key)?.value;

  it('the test tables cover every Core key of keys.ts', () => {
    assert.deepEqual([...Object.keys(WRITABLE), ...Object.keys(READ_ONLY)].sort(), [...CORE_KEYS].sort());
    for (const def of KEY_DEFINITIONS) if (CORE_KEYS.includes(def.name)) assert.equal(def.readonly, def.name in READ_ONLY, def.name);
  });

  it('GetConfiguration without keys: every key with its readonly flag; the write-only key without a value', async () => {
    const answer = await get();
    const keys = answer.configurationKey as { key: string; readonly: boolean; value?: string }[];
    assert.deepEqual(keys.map((k) => k.key).sort(), KEY_DEFINITIONS.map((d) => d.name as string).sort());
    for (const k of keys) assert.equal(k.readonly, KEY_DEFINITIONS.find((d) => d.name === k.key)!.readonly, k.key);
    assert.equal(keys.find((k) => k.key === 'AuthorizationKey')!.value, undefined);
    assert.equal(keys.find((k) => k.key === 'HeartbeatInterval')!.value, '300', 'from BootNotification.conf interval');
    assert.equal(answer.unknownKey, undefined);
  });

  for (const [key, { good, stored, bad, status }] of Object.entries(WRITABLE)) {
    it(`${key}: "${good}" ${status ?? 'Accepted'} and read back; "${bad}" Rejected, the value kept`, async () => {
      const before = await valueOf(key);
      assert.deepEqual(await rig.call('ChangeConfiguration', { key, value: good }), { status: status ?? 'Accepted' });
      assert.equal(await valueOf(key), stored ?? good);
      assert.notEqual(stored ?? good, before, 'the test value differs from the default');
      assert.deepEqual(await rig.call('ChangeConfiguration', { key, value: bad }), { status: 'Rejected' });
      assert.equal(await valueOf(key), stored ?? good);
    });
  }

  it('read-only keys: ChangeConfiguration Rejected, value unchanged', async () => {
    for (const [key, value] of Object.entries(READ_ONLY)) {
      assert.equal(await valueOf(key), value, key);
      const attempt = key === 'SupportedFeatureProfiles' ? 'Core,SmartCharging' : String(Number(value) + 1);
      assert.deepEqual(await rig.call('ChangeConfiguration', { key, value: attempt }), { status: 'Rejected' }, key);
      assert.equal(await valueOf(key), value, key);
    }
  });

  it('an unknown key: ChangeConfiguration NotSupported; GetConfiguration lists it under unknownKey; keys are case-insensitive', async () => {
    assert.deepEqual(await rig.call('ChangeConfiguration', { key: 'NoSuchKey', value: '1' }), { status: 'NotSupported' });
    const answer = await get(['HeartbeatInterval', 'NoSuchKey', 'AlsoUnknown']);
    assert.deepEqual(answer.configurationKey, [{ key: 'HeartbeatInterval', readonly: false, value: '300' }]);
    assert.deepEqual(answer.unknownKey, ['NoSuchKey', 'AlsoUnknown']);
    assert.deepEqual(await rig.call('ChangeConfiguration', { key: 'minimumstatusduration', value: '7' }), { status: 'Accepted' });
    assert.equal(await valueOf('MinimumStatusDuration'), '7');
  });

  it('more keys than GetConfigurationMaxKeys: CALLERROR OccurenceConstraintViolation; the charger still answers', async () => {
    const keys = Array.from({ length: 51 }, (_, i) => `Key${i}`);
    const failure = await rig.call('GetConfiguration', { key: keys }).then(() => null, (e: CallFailure) => e);
    assert.ok(failure, 'refused');
    assert.equal(failure.kind, 'call-error');
    const [error] = csms.messages({ chargePointId: rig.cpId, direction: 'in', messageType: 'CALLERROR', action: 'GetConfiguration' });
    assert.equal((error!.payload as { errorCode: string }).errorCode, 'OccurenceConstraintViolation', 'the OCPP-J 1.6 spelling');
    const fifty = await get(keys.slice(0, 50));
    assert.equal((fifty.unknownKey as string[]).length, 50);
  });

  it('accepted values are persisted: a restart over the same data dir reads them back', async () => {
    for (const [key, { good, status }] of Object.entries(WRITABLE)) {
      assert.deepEqual(await rig.call('ChangeConfiguration', { key, value: good }), { status: status ?? 'Accepted' }, key);
    }
    rig = await e2e.restart(rig);
    const keys = (await get()).configurationKey as { key: string; value?: string }[];
    for (const [key, { good, stored }] of Object.entries(WRITABLE)) {
      // BootNotification.conf's interval sets HeartbeatInterval again at every boot (§4.2).
      const expected = key === 'HeartbeatInterval' ? '300' : (stored ?? good);
      assert.equal(keys.find((k) => k.key === key)?.value, expected, key);
    }
    // The reboot key's new value is now the boot value: setting it again is plain Accepted.
    assert.deepEqual(await rig.call('ChangeConfiguration', { key: 'ConnectorPhaseRotation', value: WRITABLE['ConnectorPhaseRotation']!.stored! }), { status: 'Accepted' });
  });
});
