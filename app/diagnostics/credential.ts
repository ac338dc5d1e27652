// The diagnostics API's bearer token. There is no built-in default: either the config
// names one, or one is generated on first start and kept in the data directory.

import { randomBytes } from 'node:crypto';
import { chmod, link, mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';

export const DIAGNOSTICS_TOKEN_FILE = 'diagnostics-token';

export interface ResolvedDiagnosticsToken {
  readonly token: string;
  readonly source: 'config' | 'stored' | 'generated';
  /** The file the token lives in; null when it came from the config. */
  readonly file: string | null;
}

/**
 * The config token wins; otherwise the token stored in `<dataDir>/diagnostics-token`;
 * otherwise a new random token (32 bytes, hex), written with mode 0600 atomically.
 * An empty or blank config token counts as not configured.
 */
export async function resolveDiagnosticsToken(
  configToken: string | undefined,
  dataDir: string,
): Promise<ResolvedDiagnosticsToken> {
  const configured = configToken?.trim();
  if (configured) return { token: configured, source: 'config', file: null };

  const file = join(dataDir, DIAGNOSTICS_TOKEN_FILE);
  const stored = await readStoredToken(file);
  if (stored !== null) return { token: stored, source: 'stored', file };

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
      if (winner !== null) {
        await unlink(tmp).catch(() => undefined);
        return { token: winner, source: 'stored', file };
      }
    }
    // No hard links here, or an empty file was left behind: replace it atomically.
    await rename(tmp, file);
  }
  return { token, source: 'generated', file };
}

async function readStoredToken(file: string): Promise<string | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const token = text.trim();
  if (token === '') return null;
  // Keep the secret private even if someone loosened the file's mode.
  const info = await stat(file);
  if ((info.mode & 0o077) !== 0) await chmod(file, 0o600);
  return token;
}
