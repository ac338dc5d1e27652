import { strict as assert } from 'node:assert';

import { KEY_40, storeFixture } from './helpers.js';

describe('ocpp/configuration/configuration-store change', () => {
  const fx = storeFixture();

  it('is NotSupported for an unknown key', async () => {
    const store = await fx.open();
    assert.equal(await store.change('NoSuchKey', '1'), 'NotSupported');
  });

  it('rejects read-only keys, even with their own value', async () => {
    const store = await fx.open();
    for (const [key, value] of [
      ['NumberOfConnectors', '2'],
      ['GetConfigurationMaxKeys', '10'],
      ['SupportedFeatureProfiles', 'Core'],
      ['MeterValuesSampledDataMaxLength', '3'],
      ['AdditionalRootCertificateCheck', 'true'],
    ]) {
      assert.equal(await store.change(key!, value!), 'Rejected', key);
    }
    assert.equal(store.get('NumberOfConnectors'), '2');
  });

  it('rejects values of the wrong type or out of range, keeping the old value', async () => {
    const store = await fx.open();
    const cases: [string, string][] = [
      ['LocalPreAuthorize', 'yes'],
      ['LocalPreAuthorize', ''],
      ['HeartbeatInterval', 'abc'],
      ['HeartbeatInterval', '1.5'],
      ['HeartbeatInterval', '0'],
      ['HeartbeatInterval', '86401'],
      ['WebSocketPingInterval', '-1'], // §9.1.34
      ['LightIntensity', '101'],
      ['SecurityProfile', '4'],
      ['CpoName', ''],
      ['CpoName', 'x'.repeat(65)],
      ['MeterValueSampleInterval', '9'.repeat(501)], // longer than CiString500
    ];
    for (const [key, value] of cases) assert.equal(await store.change(key, value), 'Rejected', `${key}=${value}`);
    assert.equal(store.boolean('LocalPreAuthorize'), false);
    assert.equal(store.integer('HeartbeatInterval'), 86400);
    assert.equal(store.integer('WebSocketPingInterval'), 60);
  });

  it('accepts valid values, canonically, matching the key case-insensitively', async () => {
    const store = await fx.open();
    assert.equal(await store.change('heartbeatinterval', ' 0300 '), 'Accepted');
    assert.equal(store.get('HeartbeatInterval'), '300');
    assert.equal(await store.change('LocalPreAuthorize', 'TRUE'), 'Accepted');
    assert.equal(store.get('LocalPreAuthorize'), 'true');
    assert.equal(await store.change('WebSocketPingInterval', '0'), 'Accepted');
    assert.equal(await store.change('CpoName', 'Example CPO'), 'Accepted');
    assert.equal(store.get('CpoName'), 'Example CPO');
  });

  describe('measurand lists (errata §3.14)', () => {
    it('accepts supported measurands, trimmed and canonical, and the empty list', async () => {
      const store = await fx.open();
      assert.equal(await store.change('MeterValuesSampledData', 'energy.active.import.register, Power.Active.Import,SoC'), 'Accepted');
      assert.deepEqual(store.list('MeterValuesSampledData'), ['Energy.Active.Import.Register', 'Power.Active.Import', 'SoC']);
      assert.equal(await store.change('StopTxnAlignedData', 'Energy.Active.Import.Register'), 'Accepted');
      assert.equal(await store.change('StopTxnAlignedData', ''), 'Accepted'); // §3.14.5
      assert.deepEqual(store.list('StopTxnAlignedData'), []);
    });

    it('rejects unknown, unsupported, phase-qualified, duplicate and empty items; nothing changes', async () => {
      const store = await fx.open();
      for (const value of [
        'Energy.Active.Import.Register,Bogus',
        'Power.Reactive.Import', // a §7.31 measurand this charger does not produce
        'Energy.Active.Export.Register',
        'Voltage.L1',
        'Voltage,Voltage',
        'Voltage,,SoC',
      ]) {
        assert.equal(await store.change('MeterValuesAlignedData', value), 'Rejected', value);
      }
      assert.deepEqual(store.list('MeterValuesAlignedData'), ['Energy.Active.Import.Register']);
    });

    it('rejects a list longer than its *MaxLength', async () => {
      const store = await fx.open({ initial: { StopTxnSampledDataMaxLength: '2' } });
      assert.equal(await store.change('StopTxnSampledData', 'Voltage,Frequency'), 'Accepted');
      assert.equal(await store.change('StopTxnSampledData', 'Voltage,Frequency,SoC'), 'Rejected');
      assert.deepEqual(store.list('StopTxnSampledData'), ['Voltage', 'Frequency']);
    });
  });

  describe('ConnectorPhaseRotation', () => {
    it('is RebootRequired when changed, Accepted when set back to its start-up value', async () => {
      const store = await fx.open();
      const events: string[] = [];
      store.onChange((key) => events.push(key));
      assert.equal(await store.change('ConnectorPhaseRotation', '0.RST,1.rst,2.RTS'), 'RebootRequired');
      assert.deepEqual(store.list('ConnectorPhaseRotation'), ['0.RST', '1.RST', '2.RTS']);
      assert.equal(await store.change('ConnectorPhaseRotation', '0.RST,1.RST,2.RTS'), 'RebootRequired');
      assert.equal(await store.change('ConnectorPhaseRotation', '1.Unknown,2.Unknown'), 'Accepted');
      assert.deepEqual(events, []); // applied at the next start, not live
    });

    it('rejects bad items, unknown connectors, repeated connectors and too many items', async () => {
      const store = await fx.open({ numberOfConnectors: 1 });
      for (const value of ['RST', '1.XYZ', '2.RST', '1.RST,1.RTS', '0.RST,1.RST,0.RST', '1.RST;0.RST']) {
        assert.equal(await store.change('ConnectorPhaseRotation', value), 'Rejected', value);
      }
      assert.equal(await store.change('ConnectorPhaseRotation', '0.RST,1.NotApplicable'), 'RebootRequired');
    });
  });

  describe('SecurityProfile (whitepaper §7.6, A05)', () => {
    it('needs an AuthorizationKey for profile 1 and 2 (A05.FR.02)', async () => {
      const store = await fx.open();
      assert.equal(await store.change('SecurityProfile', '1'), 'Rejected');
      assert.equal(await store.change('AuthorizationKey', KEY_40), 'Accepted');
      assert.equal(await store.change('SecurityProfile', '1'), 'Accepted');
      assert.equal(store.integer('SecurityProfile'), 1);
    });

    it('only goes up: lower or equal is Rejected (A05.FR.01)', async () => {
      const store = await fx.open({ initial: { AuthorizationKey: KEY_40 }, securityProfilePrerequisites: () => true });
      assert.equal(await store.change('SecurityProfile', '2'), 'Accepted');
      assert.equal(await store.change('SecurityProfile', '2'), 'Rejected');
      assert.equal(await store.change('SecurityProfile', '1'), 'Rejected');
      assert.equal(await store.change('SecurityProfile', '0'), 'Rejected');
      assert.equal(await store.change('SecurityProfile', '3'), 'Accepted');
      assert.equal(store.integer('SecurityProfile'), 3);
    });

    it('asks for the certificate prerequisites of 2 and 3 (A05.FR.03/04)', async () => {
      const asked: number[] = [];
      const store = await fx.open({
        initial: { AuthorizationKey: KEY_40 },
        securityProfilePrerequisites: (p) => (asked.push(p), p === 2),
      });
      assert.equal(await store.change('SecurityProfile', '3'), 'Rejected');
      assert.equal(await store.change('SecurityProfile', '2'), 'Accepted');
      assert.deepEqual(asked, [3, 2]);
    });

    it('without a certificate check, 2 and 3 are Rejected', async () => {
      const store = await fx.open({ initial: { AuthorizationKey: KEY_40 } });
      assert.equal(await store.change('SecurityProfile', '2'), 'Rejected');
      assert.equal(await store.change('SecurityProfile', '3'), 'Rejected');
      assert.equal(store.integer('SecurityProfile'), 0);
    });

    it('is applied live (the client reconnects), announced after being stored', async () => {
      const store = await fx.open({ initial: { AuthorizationKey: KEY_40 } });
      const events: [string, string][] = [];
      store.onChange((k, v) => events.push([k, v]));
      assert.equal(await store.change('SecurityProfile', '1'), 'Accepted');
      assert.deepEqual(events, [['SecurityProfile', '1']]);
    });
  });

  describe('AuthorizationKey (whitepaper §7.2, A00.FR.205)', () => {
    it('accepts 16 to 20 bytes as 32 to 40 hex digits, kept as given', async () => {
      const store = await fx.open();
      assert.equal(await store.change('AuthorizationKey', 'a'.repeat(32)), 'Accepted');
      assert.equal(await store.change('AuthorizationKey', KEY_40), 'Accepted');
      assert.equal(store.get('AuthorizationKey'), KEY_40);
    });

    it('rejects too short, too long, odd-length and non-hex keys', async () => {
      const store = await fx.open();
      for (const value of ['a'.repeat(30), 'a'.repeat(42), 'a'.repeat(33), `${'a'.repeat(31)}g`, 'correct horse battery staple!!!!']) {
        assert.equal(await store.change('AuthorizationKey', value), 'Rejected', `length ${value.length}`);
      }
      assert.equal(store.get('AuthorizationKey'), undefined);
    });
  });

  describe('onChange', () => {
    it('tells listeners about live changes only when the value changes; unsubscribes', async () => {
      const store = await fx.open();
      const events: [string, string][] = [];
      const off = store.onChange((k, v) => events.push([k, v]));
      await store.change('MeterValueSampleInterval', '30');
      await store.change('MeterValueSampleInterval', '30');
      await store.change('HeartbeatInterval', 'x');
      off();
      await store.change('MeterValueSampleInterval', '15');
      assert.deepEqual(events, [['MeterValueSampleInterval', '30']]);
    });

    it('survives a failing listener, reporting it', async () => {
      const store = await fx.open();
      const seen: string[] = [];
      store.onChange(() => {
        throw new Error('boom');
      });
      store.onChange((k) => seen.push(k));
      assert.equal(await store.change('ResetRetries', '5'), 'Accepted');
      assert.deepEqual(seen, ['ResetRetries']);
      assert.deepEqual(
        fx.problems.map((p) => p.kind),
        ['listener-failed'],
      );
    });

    it('applies concurrent changes one at a time, in order', async () => {
      const store = await fx.open({ initial: { AuthorizationKey: KEY_40 }, securityProfilePrerequisites: () => true });
      const results = await Promise.all([
        store.change('SecurityProfile', '3'),
        store.change('SecurityProfile', '2'), // checked against 3: lower
        store.change('HeartbeatInterval', '100'),
        store.change('HeartbeatInterval', '200'),
      ]);
      assert.deepEqual(results, ['Accepted', 'Rejected', 'Accepted', 'Accepted']);
      assert.equal(store.integer('HeartbeatInterval'), 200);
    });
  });
});
