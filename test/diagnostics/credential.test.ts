import { strict as assert } from 'node:assert';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveDiagnosticsToken } from '../../app/diagnostics/credential.js';
import { tokensEqual } from '../../app/diagnostics/auth.js';

describe('diagnostics credential', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'diag-token-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('generates a random token once, stores it with mode 600, and reuses it', async () => {
    const first = await resolveDiagnosticsToken(undefined, dir);
    assert.equal(first.source, 'generated');
    assert.match(first.token, /^[0-9a-f]{64}$/);
    assert.equal(first.file, join(dir, 'diagnostics-token'));
    const info = await stat(first.file!);
    assert.equal(info.mode & 0o777, 0o600);
    assert.equal((await readFile(first.file!, 'utf8')).trim(), first.token);
    assert.deepEqual(await readdir(dir), ['diagnostics-token'], 'no temporary file is left behind');

    const second = await resolveDiagnosticsToken(undefined, dir);
    assert.deepEqual(second, { token: first.token, source: 'stored', file: first.file });
  });

  it('generates different tokens for different data directories', async () => {
    const other = await mkdtemp(join(tmpdir(), 'diag-token-'));
    try {
      const a = await resolveDiagnosticsToken(undefined, dir);
      const b = await resolveDiagnosticsToken(undefined, other);
      assert.notEqual(a.token, b.token);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  it('lets the config token win and writes nothing', async () => {
    const resolved = await resolveDiagnosticsToken('from-config', dir);
    assert.deepEqual(resolved, { token: 'from-config', source: 'config', file: null });
    assert.deepEqual(await readdir(dir), []);
    await writeFile(join(dir, 'diagnostics-token'), 'stored-token\n');
    assert.equal((await resolveDiagnosticsToken('from-config', dir)).token, 'from-config');
  });

  it('treats a blank config token as not configured', async () => {
    const resolved = await resolveDiagnosticsToken('   ', dir);
    assert.equal(resolved.source, 'generated');
    assert.notEqual(resolved.token.trim(), '');
  });

  it('reads a stored token trimmed and tightens a loose file mode', async () => {
    await writeFile(join(dir, 'diagnostics-token'), '  abc123 \n', { mode: 0o644 });
    const resolved = await resolveDiagnosticsToken(undefined, dir);
    assert.deepEqual(resolved, { token: 'abc123', source: 'stored', file: join(dir, 'diagnostics-token') });
    assert.equal((await stat(join(dir, 'diagnostics-token'))).mode & 0o777, 0o600);
  });

  it('replaces an empty token file with a generated token', async () => {
    await writeFile(join(dir, 'diagnostics-token'), '\n', { mode: 0o600 });
    const resolved = await resolveDiagnosticsToken(undefined, dir);
    assert.equal(resolved.source, 'generated');
    assert.equal((await readFile(join(dir, 'diagnostics-token'), 'utf8')).trim(), resolved.token);
  });

  it('creates a missing data directory', async () => {
    const nested = join(dir, 'a', 'b');
    const resolved = await resolveDiagnosticsToken(undefined, nested);
    assert.equal(resolved.source, 'generated');
    assert.equal((await readFile(join(nested, 'diagnostics-token'), 'utf8')).trim(), resolved.token);
  });

  it('agrees on one token when two starts race', async () => {
    const [a, b] = await Promise.all([resolveDiagnosticsToken(undefined, dir), resolveDiagnosticsToken(undefined, dir)]);
    assert.equal(a.token, b.token);
    assert.equal((await readFile(join(dir, 'diagnostics-token'), 'utf8')).trim(), a.token);
    assert.deepEqual(await readdir(dir), ['diagnostics-token']);
  });

  it('compares tokens exactly, whatever their lengths', () => {
    assert.equal(tokensEqual('secret', 'secret'), true);
    assert.equal(tokensEqual('secreT', 'secret'), false);
    assert.equal(tokensEqual('secret-longer', 'secret'), false);
    assert.equal(tokensEqual('', 'secret'), false);
  });
});
