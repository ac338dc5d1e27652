// A throw-away PKI for TLS tests (OCPP security profiles 2 and 3), made with the openssl command:
// a CA, a server certificate for localhost/127.0.0.1/::1, and client certificates on demand.
// Node has no X.509 generator, so openssl is required; createTestPki fails with a clear message without it.

import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface CertificateFiles {
  /** PEM text. */
  readonly cert: string;
  readonly key: string;
  readonly certFile: string;
  readonly keyFile: string;
}

export interface ClientCertificateOptions {
  /** O (organizationName) RDN: the CPO name (whitepaper A00.FR.404). */
  readonly organization?: string;
  /** Sign with this PKI's CA (default) or self-sign (an untrusted certificate). */
  readonly selfSigned?: boolean;
}

export interface TestPki {
  readonly dir: string;
  readonly ca: CertificateFiles;
  /** Server certificate for localhost, 127.0.0.1 and ::1, signed by the CA. */
  readonly server: CertificateFiles;
  /** A charge point certificate, CN = its serial number (whitepaper A00.FR.511). */
  issueClient(commonName: string, options?: ClientCertificateOptions): Promise<CertificateFiles>;
  cleanup(): Promise<void>;
}

const DAYS = '2';
const KEY_ARGS = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

async function openssl(args: string[], cwd: string): Promise<void> {
  try {
    await run('openssl', args, { cwd });
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new Error('test PKI: the openssl command is not installed (apt-get install openssl)');
    throw new Error(`test PKI: openssl ${args[0]} failed: ${e.stderr ?? e.message}`);
  }
}

async function load(dir: string, name: string): Promise<CertificateFiles> {
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  return { cert: await readFile(certFile, 'utf8'), key: await readFile(keyFile, 'utf8'), certFile, keyFile };
}

/** Subject text for openssl -subj, escaping its separators. */
function subject(parts: Record<string, string | undefined>): string {
  return Object.entries(parts)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `/${k}=${v!.replace(/[\\/=+,]/g, (c) => `\\${c}`)}`)
    .join('');
}

async function issue(dir: string, name: string, subj: string, extensions: string[]): Promise<CertificateFiles> {
  const extFile = join(dir, `${name}.ext`);
  await writeFile(extFile, `${extensions.join('\n')}\n`);
  await openssl(['req', ...KEY_ARGS, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subj], dir);
  await openssl([
    'x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-days', DAYS,
    '-set_serial', `0x${randomBytes(8).toString('hex')}`, '-extfile', extFile, '-out', `${name}.crt`,
  ], dir);
  return load(dir, name);
}

export async function createTestPki(): Promise<TestPki> {
  const dir = await mkdtemp(join(tmpdir(), 'test-pki-'));
  try {
    await openssl([
      'req', '-x509', ...KEY_ARGS, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', DAYS, '-subj', subject({ O: 'Test CPO', CN: 'Test Root CA' }),
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    ], dir);
    const ca = await load(dir, 'ca');
    const server = await issue(dir, 'server', subject({ O: 'Test CPO', CN: 'localhost' }), [
      'basicConstraints=CA:FALSE', 'keyUsage=critical,digitalSignature,keyAgreement', 'extendedKeyUsage=serverAuth',
      'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1',
    ]);
    let clients = 0;
    return {
      dir,
      ca,
      server,
      async issueClient(commonName, options = {}) {
        const name = `client-${++clients}`;
        const subj = subject({ O: options.organization ?? 'Test CPO', CN: commonName });
        if (!options.selfSigned) {
          return issue(dir, name, subj, ['basicConstraints=CA:FALSE', 'keyUsage=critical,digitalSignature,keyAgreement', 'extendedKeyUsage=clientAuth']);
        }
        await openssl(['req', '-x509', ...KEY_ARGS, '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', DAYS, '-subj', subj], dir);
        return load(dir, name);
      },
      cleanup: () => rm(dir, { recursive: true, force: true }),
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
