// The few file-system steps every durable store here takes the same way.

import { copyFile, link, open, rename, stat } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Directories cannot be fsynced on every platform (Windows); there, the rename is as durable as it gets. */
const DIR_SYNC_UNSUPPORTED = new Set(['EISDIR', 'EPERM', 'EINVAL', 'EBADF', 'EACCES']);

/** Makes a rename, creation or deletion in `dir` durable. */
export async function syncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (err) {
    if (!DIR_SYNC_UNSUPPORTED.has((err as NodeJS.ErrnoException).code ?? '')) throw err;
  } finally {
    await handle?.close();
  }
}

export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** A free name `<file>.<label>-<time>` (with `-<n>` if that is taken). */
async function asidePath(file: string, label: string, at: Date): Promise<string> {
  const stamp = at.toISOString().replace(/[:.]/g, '-');
  let path = `${file}.${label}-${stamp}`;
  for (let n = 1; await exists(path); n++) path = `${file}.${label}-${stamp}-${n}`;
  return path;
}

/**
 * Renames `file` to `<file>.<label>-<time>` (with `-<n>` if that is taken), durably, and returns
 * the new path. Rejects if the rename fails.
 */
export async function moveAside(file: string, label: string, at: Date): Promise<string> {
  const movedTo = await asidePath(file, label, at);
  await rename(file, movedTo);
  await syncDirectory(dirname(file));
  return movedTo;
}

/**
 * Keeps the bytes of `file` under `<file>.<label>-<time>` too (a hard link, or a synced copy where
 * links are not supported), durably, and returns that path; `file` stays where it is.
 */
export async function keepAside(file: string, label: string, at: Date): Promise<string> {
  const keptAt = await asidePath(file, label, at);
  try {
    await link(file, keptAt);
  } catch {
    await copyFile(file, keptAt);
    const handle = await open(keptAt, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
  await syncDirectory(dirname(file));
  return keptAt;
}
