// A garbage diagnostics-token file must not lock technicians out silently (issue 9 item 5).

import { strict as assert } from 'node:assert';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { DIAGNOSTICS_TOKEN_FILE, resolveDiagnosticsToken } from '../../app/diagnostics/credential.js';

describe('diagnostics/credential: a damaged token file', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'charger-token-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true, maxRetries: 3 });
  });

  const garbage = Buffer.from(Array.from({ length: 65 }, (_, i) => (i * 97 + 13) & 0xff));
  for (const [what, bytes] of [
    ['garbage', garbage],
    ['zeroed', Buffer.alloc(65)],
    ['a token with a flipped byte into a space', Buffer.from(`${'a'.repeat(30)} ${'b'.repeat(33)}\n`)],
  ] as const) {
    it(`${what}: moved aside, a new usable token generated in its place, the replacement said`, async () => {
      const file = join(dir, DIAGNOSTICS_TOKEN_FILE);
      await writeFile(file, bytes, { mode: 0o600 });
      const resolved = await resolveDiagnosticsToken(undefined, dir, () => new Date(Date.UTC(2026, 0, 1)));
      assert.equal(resolved.source, 'generated');
      assert.match(resolved.token, /^[0-9a-f]{64}$/);
      assert.equal((await readFile(file, 'utf8')).trim(), resolved.token, 'the technician finds it where the README says');
      assert.equal((await stat(file)).mode & 0o777, 0o600);
      assert.ok(resolved.replaced, 'the caller is told, to log it');
      assert.deepEqual(await readFile(resolved.replaced.movedTo), bytes, 'the damaged file kept');
      assert.deepEqual((await readdir(dir)).sort(), [DIAGNOSTICS_TOKEN_FILE, `${DIAGNOSTICS_TOKEN_FILE}.corrupt-2026-01-01T00-00-00-000Z`]);
      const again = await resolveDiagnosticsToken(undefined, dir);
      assert.deepEqual(again, { token: resolved.token, source: 'stored', file });
    });
  }
});
