// Security profiles (whitepaper ed. 2 §2) against the real dev CSMS: 1 (Basic), 2 (TLS + Basic),
// 3 (TLS client certificate), profile/URL mismatches, and raising SecurityProfile (A05).

import { strict as assert } from 'node:assert';
import { once } from 'node:events';
import { createTestPki, type TestPki } from '../../dev-csms/certs.js';
import { Harness, KEY, until } from './helpers.js';

const WRONG_KEY = 'FFEEDDCCBBAA99887766554433221100';

describe('OCPP connection: security profiles', function () {
  this.timeout(15_000);
  const h = new Harness();
  afterEach(() => h.cleanup());

  describe('profile 1 (HTTP Basic)', () => {
    it('connects with the right AuthorizationKey', async () => {
      const csms = await h.csms({ basicAuth: { 'CP-1': KEY } });
      const { connection } = await h.connection(csms.url, 'CP-1', { config: { SecurityProfile: '1', AuthorizationKey: KEY } });
      await csms.waitForConnection('CP-1');
      await until(() => connection.connected, 'connected');
    });

    it('logs 401 and retries with a wrong key; a new key is used from the next attempt on (A01)', async () => {
      const csms = await h.csms({ basicAuth: { 'CP-1': KEY } });
      const refusals: string[] = [];
      csms.on('refused', ({ reason }) => refusals.push(reason));
      const { connection, logs, configuration } = await h.connection(csms.url, 'CP-1', { config: { SecurityProfile: '1', AuthorizationKey: WRONG_KEY } });
      await logs.waitFor(/^OCPP connection failed: HTTP 401 .*\(wrong or missing AuthorizationKey\?\); retrying in/, 2);
      assert.equal(connection.connected, false);
      assert.ok(refusals.length >= 2 && refusals.every((r) => r === 'wrong AuthorizationKey'));
      assert.ok(!logs.lines.some((l) => JSON.stringify(l).includes(WRONG_KEY)), 'the key is never logged');
      assert.equal(await configuration.change('AuthorizationKey', KEY), 'Accepted');
      await csms.waitForConnection('CP-1');
    });

    it('is refused, not attempted, with a wss:// URL (and profile 2 with ws://)', async () => {
      const one = await h.connection('wss://127.0.0.1:1/ocpp', 'CP-1', { config: { SecurityProfile: '1', AuthorizationKey: KEY } });
      const [line] = await one.logs.waitFor(/^OCPP connection not attempted: SecurityProfile 1 is plain transport.*needs SecurityProfile 2 or 3/);
      assert.equal(line!.level, 'error');
      const two = await h.connection('ws://127.0.0.1:1/ocpp', 'CP-2', { config: { SecurityProfile: '2', AuthorizationKey: KEY }, tls: { ca: 'x' } });
      await two.logs.waitFor(/^OCPP connection not attempted: SecurityProfile 2 is a TLS profile.*needs a wss:\/\/ URL/);
      // Nothing was tried: no failure lines, only the refusal.
      assert.equal(one.logs.matching(/failed/).length + two.logs.matching(/failed/).length, 0);
    });
  });

  describe('profiles 2 and 3 (TLS)', () => {
    let pki: TestPki;
    let otherPki: TestPki;
    before(async () => {
      pki = await createTestPki();
      otherPki = await createTestPki();
    });
    after(async () => {
      await pki?.cleanup();
      await otherPki?.cleanup();
    });

    it('profile 2: verifies the CSMS against the configured CA and sends Basic auth', async () => {
      const csms = await h.csms({ tls: { cert: pki.server.cert, key: pki.server.key }, basicAuth: { 'CP-1': KEY } });
      assert.match(csms.url, /^wss:/);
      const { connection } = await h.connection(csms.url, 'CP-1', { config: { SecurityProfile: '2', AuthorizationKey: KEY }, tls: { ca: pki.ca.cert } });
      await csms.waitForConnection('CP-1');
      await until(() => connection.connected, 'connected');
      assert.ok(await connection.call('Heartbeat', {}));
    });

    it('profile 2 with a wrong CA: one clear line per attempt, retries, never connects', async () => {
      const csms = await h.csms({ tls: { cert: pki.server.cert, key: pki.server.key } });
      const { connection, logs } = await h.connection(csms.url, 'CP-1', { config: { SecurityProfile: '2', AuthorizationKey: KEY }, tls: { ca: otherPki.ca.cert } });
      const lines = await logs.waitFor(/^OCPP connection failed: TLS: .*certificate.* \(wrong CA\?\); retrying in (\d+ ms|\d+\.\d s)$/, 3);
      assert.ok(lines.every((l) => l.level === 'warn'));
      assert.equal(connection.connected, false);
      assert.deepEqual(csms.connected(), []);
    });

    it('profile 3: connects with the client certificate (no Basic auth needed)', async () => {
      const csms = await h.csms({ tls: { cert: pki.server.cert, key: pki.server.key, ca: pki.ca.cert, requestClientCert: true } });
      const client = await pki.issueClient('SN-0001');
      const { connection } = await h.connection(csms.url, 'CP-1', {
        config: { SecurityProfile: '3' }, tls: { ca: pki.ca.cert, cert: client.cert, key: client.key },
      });
      const info = await csms.waitForConnection('CP-1');
      assert.equal(info.certificateCn, 'SN-0001');
      await until(() => connection.connected, 'connected');
    });

    it('profile 3 without a client certificate is refused locally; a CSMS wanting one is logged and retried', async () => {
      const csms = await h.csms({ tls: { cert: pki.server.cert, key: pki.server.key, ca: pki.ca.cert, requestClientCert: true } });
      const three = await h.connection(csms.url, 'CP-3', { config: { SecurityProfile: '3' }, tls: { ca: pki.ca.cert } });
      await three.logs.waitFor(/^OCPP connection not attempted: SecurityProfile 3 needs a ChargePointCertificate/);
      const two = await h.connection(csms.url, 'CP-2', { config: { SecurityProfile: '2', AuthorizationKey: KEY }, tls: { ca: pki.ca.cert } });
      await two.logs.waitFor(/^OCPP connection failed: (TLS: .*certificate required.*|connection reset.*); retrying in/, 2);
      assert.deepEqual(csms.connected(), []);
    });
  });

  describe('raising SecurityProfile (whitepaper A05)', () => {
    it('reconnects with the new profile after the change was answered (A05.FR.05-07)', async () => {
      const csms = await h.csms();
      const { connection, logs, configuration } = await h.connection(csms.url, 'CP-1', { config: { AuthorizationKey: KEY } });
      await until(() => connection.connected, 'connected');
      const gone = once(csms, 'disconnect');
      assert.equal(await configuration.change('SecurityProfile', '1'), 'Accepted');
      await gone;
      await until(() => connection.connected, 'reconnected');
      const opened = logs.matching(/^OCPP connected$/);
      assert.deepEqual(opened.map((l) => l.fields?.['securityProfile']), [0, 1]);
      assert.equal(logs.matching(/SecurityProfile 1 in use \(whitepaper A05.FR.07\)/).length, 1);
    });

    it('answers the ChangeConfiguration before it disconnects', async () => {
      const csms = await h.csms();
      const { connection, configuration } = await h.connection(csms.url, 'CP-1', { config: { AuthorizationKey: KEY } });
      connection.handle('ChangeConfiguration', async ({ key, value }: { key: string; value: string }) => ({ status: await configuration.change(key, value) }));
      await until(() => connection.connected, 'connected');
      let disconnected = false;
      csms.once('disconnect', () => (disconnected = true));
      assert.deepEqual(await csms.call('CP-1', 'ChangeConfiguration', { key: 'SecurityProfile', value: '1' }), { status: 'Accepted' });
      assert.equal(disconnected, false, 'the answer came before the disconnect');
      await until(() => disconnected && connection.connected, 'reconnected');
      assert.equal(configuration.get('SecurityProfile'), '1');
    });

    it('falls back to the previous profile when the new one cannot be used (A05.FR.08)', async () => {
      const csms = await h.csms();
      const { connection, logs, configuration } = await h.connection(csms.url, 'CP-1', { config: { SecurityProfile: '1', AuthorizationKey: KEY } });
      await until(() => connection.connected, 'connected');
      assert.equal(await configuration.change('SecurityProfile', '2'), 'Accepted'); // ws:// URL: 2 cannot work
      await logs.waitFor(/^OCPP SecurityProfile 2 unusable \(SecurityProfile 2 is a TLS profile.*\); falling back to SecurityProfile 1 \(whitepaper A05.FR.08\)$/);
      await until(() => logs.matching(/^OCPP connected$/).length === 2 && connection.connected, 'reconnected');
      assert.deepEqual(logs.matching(/^OCPP connected$/).map((l) => l.fields?.['securityProfile']), [1, 1]);
      assert.equal(configuration.get('SecurityProfile'), '2'); // A00.FR.005: never lowered over OCPP
    });

    it('falls back after repeated failed attempts with the new profile (A05.FR.08)', async () => {
      const csms = await h.csms();
      const { connection, logs, configuration } = await h.connection(csms.url, 'CP-1', { config: { AuthorizationKey: KEY } });
      await until(() => connection.connected, 'connected');
      await csms.close(); // the new profile's attempts all fail
      assert.equal(await configuration.change('SecurityProfile', '1'), 'Accepted');
      await logs.waitFor(/^OCPP SecurityProfile 1 unusable \(3 connection attempts failed\); falling back to SecurityProfile 0/);
      const failures = logs.matching(/^OCPP connection failed/).map((l) => l.fields?.['securityProfile']);
      assert.deepEqual(failures.slice(0, 3), [1, 1, 1]);
      await logs.waitFor(/^OCPP connection failed/, 4);
      assert.equal(logs.matching(/^OCPP connection failed/)[3]?.fields?.['securityProfile'], 0);
    });
  });
});
