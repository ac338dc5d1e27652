// Admission of charge points: subprotocol, HTTP Basic AuthorizationKey (security profile 1),
// wss with a server certificate (profile 2) and client certificates (profile 3).

import { strict as assert } from 'node:assert';
import { keyMatches } from '../../tools/dev-csms/security.js';
import { createTestPki, type TestPki } from './certs.js';
import { Harness, rejection } from './helpers.js';

const KEY = '00112233445566778899AABBCCDDEEFF';

describe('dev CSMS: security profiles', () => {
  const h = new Harness();
  afterEach(() => h.cleanup());

  describe('upgrade checks and profile 1 (HTTP Basic auth)', () => {
    it('refuses a client without the ocpp1.6 subprotocol', async () => {
      const csms = await h.csms();
      const error = await rejection(h.client(csms.url, 'CP-1', { protocols: ['ocpp2.0.1'] }).connect());
      assert.equal(error.code, 400);
      assert.deepEqual(csms.connected(), []);
    });

    it('accepts the right AuthorizationKey and refuses a wrong, missing or unknown one at the upgrade with 401', async () => {
      const csms = await h.csms({ basicAuth: { 'CP-1': KEY } });
      const refusals: string[] = [];
      csms.on('refused', ({ reason }) => refusals.push(reason));
      await h.connect(csms, 'CP-1', { password: KEY });
      for (const [identity, password] of [['CP-1', 'FFEEDDCCBBAA99887766554433221100'], ['CP-1', undefined], ['CP-2', KEY]] as const) {
        const error = await rejection(h.client(csms.url, identity, password === undefined ? {} : { password }).connect());
        assert.equal(error.code, 401, `${identity}/${password}`);
      }
      assert.deepEqual(csms.connected(), ['CP-1']);
      assert.deepEqual(refusals, ['wrong AuthorizationKey', 'HTTP Basic authorization (identity:AuthorizationKey) required', 'unknown charge point CP-2']);
    });

    it('accepts the key as its text or as the bytes its hex digits encode', () => {
      assert.ok(keyMatches(Buffer.from(KEY), KEY));
      assert.ok(keyMatches(Buffer.from(KEY, 'hex'), KEY));
      assert.ok(!keyMatches(Buffer.from(KEY.toLowerCase()), KEY));
      assert.ok(!keyMatches(Buffer.from('short'), KEY));
    });
  });

  describe('profiles 2 and 3 (TLS)', function () {
    this.timeout(10_000);
    let pki: TestPki;
    before(async () => (pki = await createTestPki()));
    after(() => pki?.cleanup());

    it('profile 2: serves wss with the server certificate, verified by the client against the CA, with Basic auth', async () => {
      const csms = await h.csms({ tls: { cert: pki.server.cert, key: pki.server.key }, basicAuth: { 'CP-1': KEY } });
      assert.match(csms.url, /^wss:\/\/127\.0\.0\.1:\d+\/ocpp$/);
      const cp = await h.connect(csms, 'CP-1', { password: KEY, wsOpts: { ca: pki.ca.cert } });
      assert.equal(((await cp.call('Heartbeat', {})) as { currentTime?: string }).currentTime !== undefined, true);
      const wrongKey = await rejection(h.client(csms.url, 'CP-1', { password: 'nope', wsOpts: { ca: pki.ca.cert } }).connect());
      assert.equal(wrongKey.code, 401);
    });

    it('profile 2: a client that does not trust the CA refuses the server', async () => {
      const csms = await h.csms({ tls: { cert: pki.server.cert, key: pki.server.key } });
      const other = await createTestPki();
      try {
        const error = await rejection(h.client(csms.url, 'CP-1', { wsOpts: { ca: other.ca.cert } }).connect());
        assert.match(error.message, /certificate/i);
      } finally {
        await other.cleanup();
      }
    });

    it('profile 3: accepts a client certificate signed by the CA and refuses a missing or self-signed one', async () => {
      const csms = await h.csms({ tls: { cert: pki.server.cert, key: pki.server.key, ca: pki.ca.cert, requestClientCert: true } });
      const good = await pki.issueClient('SN-0001');
      const rogue = await pki.issueClient('SN-0001', { selfSigned: true });
      await h.connect(csms, 'CP-1', { wsOpts: { ca: pki.ca.cert, cert: good.cert, key: good.key } });
      assert.equal(csms.chargePoints()[0]?.certificateCn, 'SN-0001');
      const missing = await rejection(h.client(csms.url, 'CP-2', { wsOpts: { ca: pki.ca.cert } }).connect());
      assert.match(missing.message, /certificate required/);
      await rejection(h.client(csms.url, 'CP-3', { wsOpts: { ca: pki.ca.cert, cert: rogue.cert, key: rogue.key } }).connect());
      assert.deepEqual(csms.connected(), ['CP-1']);
    });
  });
});
