import { strict as assert } from 'node:assert';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { CONFIGURATION_FILE } from '../../../app/ocpp/configuration/configuration-store.js';
import { unsealJson } from '../../../app/persistence/durable-json-file.js';
import { KEY_40, storeFixture } from './helpers.js';

describe('ocpp/configuration/configuration-store persistence', () => {
  const fx = storeFixture();
  const file = () => join(fx.dir, CONFIGURATION_FILE);
  const stored = async () => JSON.parse(unsealJson(await readFile(file(), 'utf8')));

  it('has an accepted change on disk by the time change resolves', async () => {
    const store = await fx.open();
    assert.equal(await store.change('HeartbeatInterval', '120'), 'Accepted');
    assert.deepEqual(await stored(), { version: 1, values: { HeartbeatInterval: '120' } });
  });

  it('keeps changes across a reopen, including write-only and reboot ones', async () => {
    const first = await fx.open({ initial: { AuthorizationKey: 'b'.repeat(32) } });
    await first.change('HeartbeatInterval', '120');
    await first.change('AuthorizationKey', KEY_40);
    await first.change('ConnectorPhaseRotation', '1.RST');
    await first.change('SecurityProfile', '1');
    const again = await fx.open({ initial: { AuthorizationKey: 'b'.repeat(32) } });
    assert.equal(again.integer('HeartbeatInterval'), 120);
    assert.equal(again.get('AuthorizationKey'), KEY_40); // stored beats the charger config
    assert.deepEqual(again.list('ConnectorPhaseRotation'), ['1.RST']);
    assert.equal(await again.change('ConnectorPhaseRotation', '1.RST'), 'Accepted'); // now the boot value
    assert.equal(again.integer('SecurityProfile'), 1);
    assert.deepEqual(fx.problems, []);
  });

  it('keeps the file (it holds the AuthorizationKey) readable by the charger alone', async () => {
    const store = await fx.open();
    await store.change('AuthorizationKey', KEY_40);
    assert.equal((await stat(file())).mode & 0o777, 0o600);
  });

  it('stores only what was changed, never read-only keys', async () => {
    const store = await fx.open({ initial: { SupportedFeatureProfiles: 'Core,RemoteTrigger' } });
    await store.change('NumberOfConnectors', '5');
    await store.change('LocalPreAuthorize', 'true');
    assert.deepEqual(await stored(), { version: 1, values: { LocalPreAuthorize: 'true' } });
  });

  it('drops unknown and read-only stored keys and falls back from invalid values, reporting each', async () => {
    await writeFile(
      file(),
      JSON.stringify({
        version: 1,
        values: {
          HeartbeatInterval: '600',
          Bogus: '1',
          NumberOfConnectors: '9',
          LocalPreAuthorize: 'maybe',
          MeterValueSampleInterval: 30,
          AuthorizationKey: 'short',
          LocalAuthorizeOffline: 'FALSE',
        },
      }),
    );
    const store = await fx.open();
    assert.equal(store.integer('HeartbeatInterval'), 600);
    assert.equal(store.integer('NumberOfConnectors'), 2);
    assert.equal(store.boolean('LocalPreAuthorize'), false);
    assert.equal(store.integer('MeterValueSampleInterval'), 60);
    assert.equal(store.get('AuthorizationKey'), undefined);
    assert.equal(store.boolean('LocalAuthorizeOffline'), false);
    assert.deepEqual(
      fx.problems.map((p) => [p.kind, 'key' in p ? p.key : '']),
      [
        ['unknown-key', 'Bogus'],
        ['unknown-key', 'NumberOfConnectors'],
        ['invalid-value', 'LocalPreAuthorize'],
        ['invalid-value', 'MeterValueSampleInterval'],
        ['invalid-value', 'AuthorizationKey'],
        ['corrupt', ''], // the file, kept whole before it is rewritten without them
      ],
    );
    const kept = fx.problems.at(-1)!;
    assert.ok('movedTo' in kept && kept.movedTo);
    assert.equal(JSON.parse(await readFile(kept.movedTo, 'utf8')).values.Bogus, '1');
    assert.ok(!fx.problems.some((p) => p.message.includes('short'))); // a secret is never echoed
    // The file is cleaned up.
    assert.deepEqual(await stored(), { version: 1, values: { HeartbeatInterval: '600', LocalAuthorizeOffline: 'false' } });
  });

  it('moves a corrupt file aside and starts from the defaults', async () => {
    await writeFile(file(), '{"version":1,"values":[]}');
    const store = await fx.open();
    assert.equal(store.integer('HeartbeatInterval'), 86400);
    assert.deepEqual(
      fx.problems.map((p) => p.kind),
      ['corrupt'],
    );
    assert.ok((await readdir(fx.dir)).some((f) => f.startsWith(`${CONFIGURATION_FILE}.corrupt-`)));
  });

  it('checks the charger config values, ignoring unknown and invalid ones', async () => {
    const store = await fx.open({
      initial: { AuthorizationKey: 'nothex', SupportedFeatureProfiles: 'core,SmartCharging', Whatever: 'x', CpoName: 'ACME' },
    });
    assert.equal(store.get('AuthorizationKey'), undefined);
    assert.deepEqual(store.list('SupportedFeatureProfiles'), ['Core', 'SmartCharging']);
    assert.equal(store.get('CpoName'), 'ACME');
    assert.deepEqual(
      fx.problems.map((p) => p.kind).sort(),
      ['invalid-value', 'unknown-key'],
    );
    assert.ok(!fx.problems.some((p) => p.message.includes('nothex')));
  });

  it('SecurityProfile takes the higher of the charger config and the stored value', async () => {
    const a = await fx.open({ initial: { AuthorizationKey: KEY_40 } });
    await a.change('SecurityProfile', '1');
    const b = await fx.open({ initial: { AuthorizationKey: KEY_40, SecurityProfile: '0' } });
    assert.equal(b.integer('SecurityProfile'), 1);
    const c = await fx.open({ initial: { AuthorizationKey: KEY_40, SecurityProfile: '2' } });
    assert.equal(c.integer('SecurityProfile'), 2);
  });

  it('rejects a change whose write fails, keeping the old value in memory and on disk', async () => {
    const store = await fx.open();
    await store.change('HeartbeatInterval', '120');
    await mkdir(`${file()}.tmp`); // the next write cannot create its temporary file
    assert.equal(await store.change('HeartbeatInterval', '240'), 'Rejected');
    assert.equal(store.integer('HeartbeatInterval'), 120);
    assert.deepEqual(await stored(), { version: 1, values: { HeartbeatInterval: '120' } });
    assert.deepEqual(
      fx.problems.map((p) => p.kind),
      ['write-failed'],
    );
  });
});
