// The diagnostics API's bearer token. There is no built-in default: either the config
// names one, or one is generated on first start and kept in the data directory.
//
// A stored token that cannot be a bearer token (RFC 6750 §2.1 b64token: garbage, a damaged
// file) is moved aside (`diagnostics-token.corrupt-<time>`) and a new one generated in its
// place, and the caller logs it with the path. Not a refusal to start: that would take the
// charger out of service over a file that only guards the diagnostics API, and technicians
// already read the token from this file (README, `charger-cli --data-dir`), so a fresh one in
// the same place is what they find; no stored token would have worked anyway.

import { randomBytes } from 'node:crypto';
import { chmod, link, mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { moveAside } from '../persistence/files.js';

export const DIAGNOSTICS_TOKEN_FILE = 'diagnostics-token';

export interface ResolvedDiagnosticsToken {
  readonly token: string;
  readonly source: 'config' | 'stored' | 'generated';
  /** The file the token lives in; null when it came from the config. */
  readonly file: string | null;
  /** Set when a stored token was unusable and this one generated in its place. */
  readonly replaced?: { readonly reason: string; readonly movedTo: string };
}

/** RFC 6750 §2.1: what an `Authorization: Bearer` header can carry. */
const BEARER_TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/**
 * The config token wins; otherwise the token stored in `<dataDir>/diagnostics-token`;
 * otherwise a new random token (32 bytes, hex), written with mode 0600 atomically.
 * An empty or blank config token counts as not configured.
 */
export async function resolveDiagnosticsToken(
  configToken: string | undefined,
  dataDir: string,
  now: () => Date = () => new Date(),
): Promise<ResolvedDiagnosticsToken> {
  const configured = configToken?.trim();
  if (configured) return { token: configured, source: 'config', file: null };

  const file = join(dataDir, DIAGNOSTICS_TOKEN_FILE);
  const stored = await readStoredToken(file);
  if (typeof stored === 'string') return { token: stored, source: 'stored', file };
  if (stored !== null) {
    const movedTo = await moveAside(file, 'corrupt', now());
    return { ...(await generateToken(dataDir, file)), replaced: { reason: stored.unusable, movedTo } };
  }
  return generateToken(dataDir, file);
}

async function generateToken(dataDir: string, file: string): Promise<ResolvedDiagnosticsToken> {
  await mkdir(dataDir, { recursive: true });
  const token = randomBytes(32).toString('hex');
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await open(tmp, 'wx', 0o600);
  try {
    await handle.writeFile(`${token}\n`, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    // link() fails if another process stored a token meanwhile: then that one is used.
    await link(tmp, file);
    await unlink(tmp);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      const winner = await readStoredToken(file);
      if (typeof winner === 'string') {
        await unlink(tmp).catch(() => undefined);
        return { token: winner, source: 'stored', file };
      }
    }
    // No hard links here, or an empty file was left behind: replace it atomically.
    await rename(tmp, file);
  }
  return { token, source: 'generated', file };
}

/** The stored token; null if there is none; why it is unusable if it cannot be one. */
async function readStoredToken(file: string): Promise<string | { unusable: string } | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const token = text.trim();
  if (token === '') return null;
  if (!BEARER_TOKEN.test(token)) return { unusable: 'it is not a token the firmware writes (characters a bearer token cannot hold)' };
  // Keep the secret private even if someone loosened the file's mode.
  const info = await stat(file);
  if ((info.mode & 0o077) !== 0) await chmod(file, 0o600);
  return token;
}
