import { strict as assert } from 'node:assert';

import { findKey, KEY_DEFINITIONS, MEASURANDS, type KeyDefinition } from '../../../app/ocpp/configuration/keys.js';
import { storeFixture } from './helpers.js';

const KEYS = KEY_DEFINITIONS as readonly KeyDefinition[];

// name: [readonly, type kind] — §9.1 (+ errata), OCPP-J §7, security whitepaper §7.
const EXPECTED: Record<string, [boolean, string]> = {
  AllowOfflineTxForUnknownId: [false, 'boolean'],
  AuthorizationCacheEnabled: [false, 'boolean'],
  AuthorizeRemoteTxRequests: [false, 'boolean'],
  BlinkRepeat: [false, 'integer'],
  ClockAlignedDataInterval: [false, 'integer'],
  ConnectionTimeOut: [false, 'integer'],
  ConnectorPhaseRotation: [false, 'csl'],
  ConnectorPhaseRotationMaxLength: [true, 'integer'],
  GetConfigurationMaxKeys: [true, 'integer'],
  HeartbeatInterval: [false, 'integer'],
  LightIntensity: [false, 'integer'],
  LocalAuthorizeOffline: [false, 'boolean'],
  LocalPreAuthorize: [false, 'boolean'],
  MaxEnergyOnInvalidId: [false, 'integer'],
  MeterValuesAlignedData: [false, 'csl'],
  MeterValuesAlignedDataMaxLength: [true, 'integer'],
  MeterValuesSampledData: [false, 'csl'],
  MeterValuesSampledDataMaxLength: [true, 'integer'],
  MeterValueSampleInterval: [false, 'integer'],
  MinimumStatusDuration: [false, 'integer'],
  NumberOfConnectors: [true, 'integer'],
  ResetRetries: [false, 'integer'],
  StopTransactionOnEVSideDisconnect: [false, 'boolean'],
  StopTransactionOnInvalidId: [false, 'boolean'],
  StopTransactionMaxMeterValues: [true, 'integer'],
  StopTxnAlignedData: [false, 'csl'],
  StopTxnAlignedDataMaxLength: [true, 'integer'],
  StopTxnSampledData: [false, 'csl'],
  StopTxnSampledDataMaxLength: [true, 'integer'],
  SupportedFeatureProfiles: [true, 'csl'],
  SupportedFeatureProfilesMaxLength: [true, 'integer'],
  TransactionMessageAttempts: [false, 'integer'],
  TransactionMessageRetryInterval: [false, 'integer'],
  UnlockConnectorOnEVSideDisconnect: [false, 'boolean'],
  WebSocketPingInterval: [false, 'integer'],
  LocalAuthListEnabled: [false, 'boolean'], // §9.2
  LocalAuthListMaxLength: [true, 'integer'],
  SendLocalListMaxLength: [true, 'integer'],
  AdditionalRootCertificateCheck: [true, 'boolean'],
  AuthorizationKey: [false, 'string'],
  CertificateSignedMaxChainSize: [true, 'integer'],
  CertificateStoreMaxLength: [true, 'integer'],
  CpoName: [false, 'string'],
  SecurityProfile: [false, 'integer'],
};

describe('ocpp/configuration/keys', () => {
  const fx = storeFixture();

  it('has exactly the expected keys, with the spec accessibility and type', () => {
    assert.deepEqual(KEYS.map((k) => k.name).sort(), Object.keys(EXPECTED).sort());
    for (const def of KEYS) {
      assert.deepEqual([def.readonly, def.type.kind], EXPECTED[def.name], def.name);
    }
  });

  it('gives every CSL a read-only integer *MaxLength key that exists', () => {
    for (const def of KEYS) {
      if (def.type.kind !== 'csl') continue;
      const max = findKey(def.type.maxLengthKey ?? '');
      assert.ok(max, `${def.name} has no MaxLength key`);
      assert.equal(max.readonly, true);
      assert.equal(max.type.kind, 'integer');
    }
  });

  it('marks AuthorizationKey write-only and SecurityProfile monotonic, and only them', () => {
    assert.deepEqual(KEYS.filter((k) => k.writeOnly).map((k) => k.name), ['AuthorizationKey']);
    assert.deepEqual(KEYS.filter((k) => k.monotonic).map((k) => k.name), ['SecurityProfile']);
  });

  it('needs a reboot only for ConnectorPhaseRotation', () => {
    assert.deepEqual(KEYS.filter((k) => k.apply === 'reboot').map((k) => k.name), ['ConnectorPhaseRotation']);
  });

  it('finds keys case-insensitively (CiString50Type)', () => {
    assert.equal(findKey('heartbeatINTERVAL')?.name, 'HeartbeatInterval');
    assert.equal(findKey('Heartbeat'), undefined);
  });

  it('has valid defaults: every key but AuthorizationKey and CpoName has a value', async () => {
    const store = await fx.open({ numberOfConnectors: 2 });
    for (const def of KEYS) {
      const hasValue = store.get(def.name) !== undefined;
      assert.equal(hasValue, !['AuthorizationKey', 'CpoName'].includes(def.name), def.name);
    }
    assert.deepEqual(fx.problems, []);
    assert.equal(store.integer('NumberOfConnectors'), 2);
    assert.equal(store.integer('ConnectorPhaseRotationMaxLength'), 3);
    assert.deepEqual(store.list('ConnectorPhaseRotation'), ['1.Unknown', '2.Unknown']);
    assert.deepEqual(store.list('MeterValuesSampledData'), ['Energy.Active.Import.Register']); // §9.1.17
    assert.deepEqual(store.list('StopTxnSampledData'), []);
    assert.deepEqual(store.list('SupportedFeatureProfiles'), ['Core', 'LocalAuthListManagement']);
    assert.equal(store.integer('SecurityProfile'), 0);
    assert.equal(store.boolean('LocalAuthorizeOffline'), true);
    assert.equal(store.integer('MeterValuesSampledDataMaxLength'), MEASURANDS.length);
  });

  it('lets GetConfigurationMaxKeys cover every key', async () => {
    const store = await fx.open();
    assert.ok(store.integer('GetConfigurationMaxKeys') >= KEYS.length);
  });
});
