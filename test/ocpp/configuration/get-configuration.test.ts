import { strict as assert } from 'node:assert';

import { TooManyKeysError } from '../../../app/ocpp/configuration/configuration-store.js';
import { KEY_DEFINITIONS } from '../../../app/ocpp/configuration/keys.js';
import { KEY_40, storeFixture } from './helpers.js';

describe('ocpp/configuration/configuration-store getConfiguration', () => {
  const fx = storeFixture();

  it('returns every key when none or an empty list is asked for (§5.8), without unknownKey', async () => {
    const store = await fx.open();
    for (const result of [store.getConfiguration(), store.getConfiguration([])]) {
      assert.deepEqual(
        result.configurationKey.map((k) => k.key),
        KEY_DEFINITIONS.map((d) => d.name),
      );
      assert.equal('unknownKey' in result, false);
    }
    const all = store.getConfiguration().configurationKey;
    assert.deepEqual(
      all.find((k) => k.key === 'NumberOfConnectors'),
      { key: 'NumberOfConnectors', readonly: true, value: '2' },
    );
    assert.deepEqual(
      all.find((k) => k.key === 'HeartbeatInterval'),
      { key: 'HeartbeatInterval', readonly: false, value: '86400' },
    );
    // Known but not set: no value (§7.29).
    assert.deepEqual(
      all.find((k) => k.key === 'CpoName'),
      { key: 'CpoName', readonly: false },
    );
  });

  it('never returns the AuthorizationKey value, asked for or not', async () => {
    const store = await fx.open({ initial: { AuthorizationKey: KEY_40 } });
    const entry = { key: 'AuthorizationKey', readonly: false };
    assert.deepEqual(
      store.getConfiguration().configurationKey.find((k) => k.key === 'AuthorizationKey'),
      entry,
    );
    assert.deepEqual(store.getConfiguration(['AuthorizationKey']), { configurationKey: [entry] });
    assert.ok(!JSON.stringify(store.getConfiguration()).includes(KEY_40));
  });

  it('returns the keys asked for, and lists the unknown ones as given', async () => {
    const store = await fx.open();
    const result = store.getConfiguration(['heartbeatinterval', 'Nope', 'SupportedFeatureProfiles', 'LocalAuthListEnabled', 'NotAKey']);
    assert.deepEqual(result, {
      configurationKey: [
        { key: 'HeartbeatInterval', readonly: false, value: '86400' },
        { key: 'SupportedFeatureProfiles', readonly: true, value: 'Core,LocalAuthListManagement' },
        { key: 'LocalAuthListEnabled', readonly: false, value: 'true' },
      ],
      unknownKey: ['Nope', 'NotAKey'],
    });
  });

  it('answers a key asked for twice once', async () => {
    const store = await fx.open();
    const result = store.getConfiguration(['HeartbeatInterval', 'HEARTBEATINTERVAL', 'X', 'X']);
    assert.equal(result.configurationKey.length, 1);
    assert.deepEqual(result.unknownKey, ['X']);
  });

  it('only unknown keys: an empty configurationKey list', async () => {
    const store = await fx.open();
    assert.deepEqual(store.getConfiguration(['A', 'B']), { configurationKey: [], unknownKey: ['A', 'B'] });
  });

  it('accepts up to GetConfigurationMaxKeys keys and refuses more with OccurenceConstraintViolation', async () => {
    const store = await fx.open({ initial: { GetConfigurationMaxKeys: '3' } });
    assert.equal(store.getConfiguration(['HeartbeatInterval', 'ResetRetries', 'Unknown']).configurationKey.length, 2);
    const four = ['HeartbeatInterval', 'ResetRetries', 'BlinkRepeat', 'LightIntensity'];
    assert.throws(
      () => store.getConfiguration(four),
      (err: unknown) =>
        err instanceof TooManyKeysError &&
        err.rpcErrorCode === 'OccurenceConstraintViolation' &&
        err.requested === 4 &&
        err.max === 3,
    );
    assert.equal(store.getConfiguration().configurationKey.length, KEY_DEFINITIONS.length); // "all" is not limited
  });

  it('reflects accepted changes', async () => {
    const store = await fx.open();
    await store.change('MeterValuesSampledData', 'Voltage,Current.Import');
    assert.deepEqual(store.getConfiguration(['MeterValuesSampledData']).configurationKey, [
      { key: 'MeterValuesSampledData', readonly: false, value: 'Voltage,Current.Import' },
    ]);
  });
});
