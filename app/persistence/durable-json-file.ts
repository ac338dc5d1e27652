// A lowdb adapter for data that must survive power loss at any instant.
//
// Write: `<file>.tmp` is written and fsynced, renamed over `<file>`, then the directory is
// fsynced, so after a power cut the file holds either the old or the new data, whole.
// Writes are serialised: a write asked for while one is in flight waits, and several such
// requests coalesce into one write of the latest data. Nothing here is ever awaited on a
// safety path; callers fire and forget (and catch: a failed write rejects, after reporting).
//
// Read: a leftover `.tmp` (a write cut off before its rename) is removed; a corrupt file is
// moved aside to `<file>.corrupt-<timestamp>` and reported, and reading returns null, so
// the store starts empty and the bad data is kept for inspection.
//
// Checksum: an object is written with a last member `"crc32":"<8 hex>"`, the CRC-32 of the text
// without it, so one flipped byte anywhere (a digit of a meter value, say) fails the check as
// surely as a truncated, zeroed or garbage file does. The file stays plain JSON for a technician
// (the member is stripped on read). A file without the member (an older firmware's, or one a
// technician edited and removed it from) is read as it is, and still validated.

import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { crc32 } from 'node:zlib';
import { Low, type Adapter } from 'lowdb';
import { moveAside, syncDirectory } from './files.js';

export interface PersistenceProblem {
  /** corrupt: the file could not be used and was moved aside; write-failed: data not saved. */
  readonly kind: 'corrupt' | 'write-failed';
  readonly file: string;
  /** Where a corrupt file was moved (null if even that failed). */
  readonly movedTo?: string | null;
  readonly error: Error;
  /** One line for a log. */
  readonly message: string;
}

export type PersistenceReporter = (problem: PersistenceProblem) => void;

export const consoleReporter: PersistenceReporter = (problem) => {
  console.error(`[persistence] ${problem.message}`);
};

export interface DurableJsonFileOptions {
  /** Told about a corrupt file or a failed write. Default: console.error. */
  readonly report?: PersistenceReporter;
  /** Permissions of the file; 0o600 for files holding secrets. Default 0o644. */
  readonly fileMode?: number;
  /** Checks parsed data; returns why it is unusable, or null when fine. A failed check counts as corrupt. */
  readonly validate?: (value: unknown) => string | null;
  /** For the timestamp of a corrupt file's new name. */
  readonly now?: () => Date;
}

interface Waiter {
  resolve(): void;
  reject(error: unknown): void;
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

const CHECKSUM = /,?"crc32":"([0-9a-f]{8})"\}\s*$/;
const hex = (text: string): string => crc32(text).toString(16).padStart(8, '0');

/** JSON text of `data`, an object's with its checksum as the last member. */
export function sealJson(data: unknown): string {
  const text = JSON.stringify(data);
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return text;
  return `${text.slice(0, -1)}${text === '{}' ? '' : ','}"crc32":"${hex(text)}"}`;
}

/** The checksum member's shape at the end of the text; `_` is a hex digit. */
const SEAL_TAIL = '"crc32":"________"}';

/** Ends in what differs from a checksum member in a byte or two: a damaged one, not a file without. */
function damagedSeal(text: string): boolean {
  const tail = text.trimEnd().slice(-SEAL_TAIL.length);
  if (tail.length < SEAL_TAIL.length) return false;
  let differences = 0;
  for (let i = 0; i < SEAL_TAIL.length; i++) {
    const want = SEAL_TAIL[i]!;
    if (want === '_' ? !/[0-9a-f]/.test(tail[i]!) : tail[i] !== want) differences++;
  }
  return differences <= 3;
}

/** The JSON text `sealJson` was given, checked; throws if the checksum does not match. Text without one is returned as it is. */
export function unsealJson(text: string): string {
  const m = CHECKSUM.exec(text);
  if (!m) {
    if (damagedSeal(text)) throw new Error('checksum damaged: the file was changed or damaged');
    return text;
  }
  const body = `${text.slice(0, m.index)}}`;
  if (hex(body) !== m[1]) throw new Error('checksum mismatch: the file was changed or damaged');
  return body;
}

/**
 * A validator for files shaped `{ version: 1, <listKey>: item[] }`, naming the first bad item.
 * `itemProblem` returns the name of the bad field, or null.
 */
export function versionedListValidator(kind: string, listKey: string, itemProblem: (item: unknown) => string | null) {
  return (value: unknown): string | null => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return `not a ${kind} file (expected an object)`;
    const file = value as Record<string, unknown>;
    if (file['version'] !== 1) return `unknown version ${JSON.stringify(file['version'])}`;
    const list = file[listKey];
    if (!Array.isArray(list)) return `"${listKey}" is not a list`;
    for (const [i, item] of list.entries()) {
      const bad = itemProblem(item);
      if (bad) return `${listKey}[${i}] has a bad ${bad}`;
    }
    return null;
  };
}

export class DurableJsonFile<T> implements Adapter<T> {
  readonly file: string;
  readonly tmpFile: string;
  private readonly report: PersistenceReporter;
  private readonly validate: ((value: unknown) => string | null) | undefined;
  private readonly fileMode: number;
  private readonly now: () => Date;
  /** The next write: latest data and everyone waiting for it. */
  private queued: { data: T; waiters: Waiter[] } | null = null;
  private running: Promise<void> | null = null;

  constructor(file: string, options: DurableJsonFileOptions = {}) {
    this.file = file;
    this.tmpFile = `${file}.tmp`;
    this.report = options.report ?? consoleReporter;
    this.validate = options.validate;
    this.fileMode = options.fileMode ?? 0o644;
    this.now = options.now ?? (() => new Date());
  }

  /** Meant for start-up, before the first write (as lowdb's `Low.read`). */
  async read(): Promise<T | null> {
    await this.idle(); // never read (or remove the .tmp) under a write in flight
    try {
      await rm(this.tmpFile, { force: true }); // a write cut off before its rename
    } catch {
      // Not removable (e.g. a directory in its way): the next write reports the problem.
    }
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err; // unreadable (permissions, I/O): do not start empty and overwrite history
    }
    let reason: string | null;
    let value: unknown;
    try {
      const body = unsealJson(text);
      try {
        value = JSON.parse(body);
      } catch (err) {
        // The parser's message quotes the text: kept printable, so the report stays one line.
        throw new Error(text.trim() === '' ? 'the file is empty' : `not valid JSON (${asError(err).message.replace(/[^\x20-\x7e]/g, '?')})`);
      }
      reason = this.validate ? this.validate(value) : null;
    } catch (err) {
      reason = asError(err).message;
    }
    if (reason === null) return value as T;
    await this.moveAside(reason);
    return null;
  }

  write(data: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (this.queued) {
        this.queued.data = data;
        this.queued.waiters.push({ resolve, reject });
      } else {
        this.queued = { data, waiters: [{ resolve, reject }] };
      }
      this.running ??= this.drain();
    });
  }

  /** Resolves when no write is queued or in flight. Never rejects. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    while (this.queued) {
      const job = this.queued;
      this.queued = null;
      try {
        // Serialised now, not when asked: the latest state goes to disk.
        await this.writeNow(sealJson(job.data));
        for (const w of job.waiters) w.resolve();
      } catch (err) {
        const error = asError(err);
        this.report({ kind: 'write-failed', file: this.file, error, message: `could not write ${this.file}: ${error.message}` });
        for (const w of job.waiters) w.reject(error);
      }
    }
    this.running = null;
  }

  private async writeNow(text: string): Promise<void> {
    const handle = await open(this.tmpFile, 'w', this.fileMode);
    // open() applies the mode only to a new file; a leftover temp file keeps its own.
    await handle.chmod(this.fileMode);
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(this.tmpFile, this.file);
    await syncDirectory(dirname(this.file));
  }

  private async moveAside(reason: string): Promise<void> {
    let movedTo: string | null = null;
    let detail: string;
    try {
      movedTo = await moveAside(this.file, 'corrupt', this.now());
      detail = `moved aside to ${movedTo}`;
    } catch (err) {
      detail = `could not move it aside (${asError(err).message})`;
      movedTo = null;
    }
    this.report({
      kind: 'corrupt',
      file: this.file,
      movedTo,
      error: new Error(reason),
      message: `${this.file} is corrupt: ${reason}; ${detail}; starting empty`,
    });
  }
}

/** A lowdb database on a DurableJsonFile, read, with `defaultData` when there was none. */
export async function openDurableDb<T>(file: string, defaultData: () => T, options: DurableJsonFileOptions = {}): Promise<Low<T>> {
  await mkdir(dirname(file), { recursive: true });
  const adapter = new DurableJsonFile<T>(file, options);
  const db = new Low<T>(adapter, defaultData());
  await db.read();
  db.data ??= defaultData();
  return db;
}
