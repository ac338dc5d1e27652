// Security profiles from the firmware's own config file (ocpp.configuration + ocpp.tls PEM
// files), against a dev CSMS serving TLS with certificates this test makes: profile 3 (client
// certificate), profile 2 (server certificate + Basic auth), a wrong CA (a clear log line and
// retries, the firmware stays up) and a CA file that does not exist (refused at start).

import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { pino } from 'pino';
import { DevCsms } from '../../../tools/dev-csms/csms.js';
import { createTestPki, type TestPki } from '../../dev-csms/certs.js';
import { CP_ID, freePort, processTestFixture, status, until, writeConfig } from './firmware.js';

const KEY = '0123456789abcdef0123456789abcdef';

describe('ocpp/process: security profiles from the config file', function () {
  this.timeout(60_000);
  const f = processTestFixture('charger-security-');
  let pki: TestPki;
  let otherPki: TestPki;
  let csms: DevCsms | null = null;
  const start = (config: string) => f.spawn(config, join(f.dir, 'data'));

  before(async () => {
    [pki, otherPki] = await Promise.all([createTestPki(), createTestPki()]);
  });
  after(async () => {
    await Promise.all([pki?.cleanup(), otherPki?.cleanup()]);
  });

  const tlsCsms = async (options: { clientCert: boolean; basicAuth?: boolean }) => {
    const port = await freePort();
    csms = f.closeAfter(await DevCsms.start({
      host: '127.0.0.1',
      port,
      pingIntervalMs: 0,
      logger: pino({ level: 'silent' }),
      tls: { cert: pki.server.cert, key: pki.server.key, ca: pki.ca.cert, requestClientCert: options.clientCert },
      ...(options.basicAuth ? { basicAuth: { [CP_ID]: KEY } } : {}),
    }));
    return `wss://localhost:${port}/ocpp`;
  };

  it('profile 3: connects with the charger\'s certificate and boots Accepted', async () => {
    const client = await pki.issueClient(CP_ID);
    const csmsUrl = await tlsCsms({ clientCert: true });
    const fw = start(await writeConfig(f.dir, {
      csmsUrl,
      keys: { SecurityProfile: '3' },
      tls: { caFile: pki.ca.certFile, certFile: client.certFile, keyFile: client.keyFile },
    }));
    await fw.running();
    const info = await csms!.waitForConnection(CP_ID, 15_000);
    assert.equal(info.certificateCn, CP_ID);
    await until('registered', async () => (await status(fw)).ocpp.registration === 'Accepted', 10_000);
  });

  it('profile 2: the CSMS certificate checked against the CA file, the AuthorizationKey by Basic auth', async () => {
    const csmsUrl = await tlsCsms({ clientCert: false, basicAuth: true });
    const fw = start(await writeConfig(f.dir, { csmsUrl, keys: { SecurityProfile: '2', AuthorizationKey: KEY }, tls: { caFile: pki.ca.certFile } }));
    await fw.running();
    await csms!.waitForConnection(CP_ID, 15_000);
    await until('registered', async () => (await status(fw)).ocpp.registration === 'Accepted', 10_000);
    assert.ok(!fw.stdout.includes(KEY), 'the key never reaches the log');
  });

  it('a wrong CA: one clear log line per attempt, retries, and the charger stays up', async () => {
    const csmsUrl = await tlsCsms({ clientCert: false, basicAuth: true });
    const fw = start(await writeConfig(f.dir, { csmsUrl, keys: { SecurityProfile: '2', AuthorizationKey: KEY }, tls: { caFile: otherPki.ca.certFile } }));
    await fw.running();
    await until('two failed attempts', () => (fw.stdout.match(/OCPP connection failed: TLS[^"]*certificate/g) ?? []).length >= 2, 20_000, () => fw.stdout.slice(-2000));
    assert.deepEqual(csms!.connected(), []);
    assert.ok(fw.alive);
    assert.equal((await status(fw)).ocpp.connected, false);
  });

  it('a CA file that cannot be read: refused at start, naming the field and the file', async () => {
    const missing = join(f.dir, 'no-such-ca.pem');
    const fw = start(await writeConfig(f.dir, { csmsUrl: 'wss://localhost:1/ocpp', keys: { SecurityProfile: '2', AuthorizationKey: KEY }, tls: { caFile: missing } }));
    const { code } = await fw.exited;
    assert.equal(code, 2);
    assert.match(fw.stderr, new RegExp(`refusing to start: ocpp\\.tls\\.caFile ${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} cannot be read`));
  });
});
