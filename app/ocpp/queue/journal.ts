// An append-only journal of small records, in segment files `seg-<id>.log` in one directory.
// What the records mean is the caller's business (see transaction-queue.ts); this file only
// frames, appends, syncs, replays and deletes.
//
// Frame: u32 LE body length, u32 LE CRC-32 of (length bytes + body), body. A length of zero
// is never written, so a zero-filled tail never passes for a record.
//
// Durability (group commit): `append` queues frames and resolves once they are written and
// fdatasync'd. One write+fdatasync is in flight at a time; appends that arrive meanwhile wait
// and share the next one. So an append costs at most two syncs of latency, and a burst costs
// one sync per batch rather than per record. Nothing ever rewrites written bytes.
//
// Segments: a new segment starts when the active one reaches `segmentBytes`. It begins with
// the caller's checkpoint records (the state a reader needs once older segments are gone);
// the file and its directory are fsynced before anything after it counts as durable.
// Each record may carry a numeric mark (the queue's sequence number); `releaseThrough(n)`
// lets every closed segment whose marks are all <= n be deleted, oldest first. Records
// without a mark (acknowledgements, say) keep nothing alive: what they say must be in the
// checkpoints. The newest segment is never deleted, so the newest checkpoint always survives.
// That is the only compaction.
//
// Open: segments are replayed in order. In the newest one, the first record that does not
// check out is where a power cut tore the last write: the file is truncated there (reported).
// In an older segment, a bad record can only be damage (those were synced whole before the
// next segment began): it is reported and skipped, and reading resumes at the next valid frame.

import { openSync, readSync, closeSync, constants as fsConstants } from 'node:fs';
import { mkdir, open, readdir, readFile, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { syncDirectory } from '../../persistence/files.js';

export const DEFAULT_SEGMENT_BYTES = 1024 * 1024;
/** No body is larger; a longer length field is damage. */
export const MAX_RECORD_BYTES = 16 * 1024 * 1024;
export const FRAME_HEADER_BYTES = 8;

const SEGMENT_NAME = /^seg-(\d{10})\.log$/;

export interface JournalProblem {
  /**
   * torn-tail: the newest segment ended in an incomplete record (a write cut off), truncated away.
   * corrupt-record: damaged bytes inside a segment, skipped. write-failed: an append was not made
   * durable. delete-failed: a released segment could not be removed (tried again later).
   */
  readonly kind: 'torn-tail' | 'corrupt-record' | 'write-failed' | 'delete-failed';
  readonly file: string;
  /** Where the bad bytes start, and how many were dropped or skipped. */
  readonly offset?: number;
  readonly bytes?: number;
  readonly error?: Error;
  /** One line for a log. */
  readonly message: string;
}

export interface RecordLocation {
  readonly segment: number;
  /** Of the frame, in the segment file. */
  readonly offset: number;
  /** Of the frame, header included. */
  readonly length: number;
}

export interface JournalRecord {
  readonly body: Uint8Array;
  /** Counted against `releaseThrough`; records without a mark never keep a segment alive. */
  readonly mark?: number;
  /** A pending record with the same key directly before this one is replaced by it (e.g. "acked up to N"). */
  readonly coalesceKey?: string;
  /** Told where the record landed, once it is durable. */
  readonly onWritten?: (at: RecordLocation) => void;
}

export interface JournalOptions {
  readonly segmentBytes?: number;
  readonly report?: (problem: JournalProblem) => void;
  /** Bodies written at the start of every new segment. */
  readonly checkpoint: () => readonly Uint8Array[];
}

/** Called for every valid record on open, in order; returns the record's mark, if any. Throwing counts the record as corrupt. */
export type ReplayRecord = (body: Buffer, at: RecordLocation) => number | undefined;

export interface JournalStats {
  /** Frame bytes written since open, checkpoints included. */
  bytesWritten: number;
  syncs: number;
  segmentsCreated: number;
  segmentsDeleted: number;
}

interface Segment {
  readonly id: number;
  readonly path: string;
  bytes: number;
  maxMark: number;
  /** Holds nothing but its checkpoint. */
  fresh: boolean;
}

interface Pending {
  frame: Buffer;
  record: JournalRecord;
}

interface Waiter {
  resolve(): void;
  reject(error: Error): void;
}

export function encodeFrame(body: Uint8Array): Buffer {
  if (body.length === 0 || body.length > MAX_RECORD_BYTES) throw new RangeError(`journal record of ${body.length} bytes`);
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + body.length);
  frame.writeUInt32LE(body.length, 0);
  frame.writeUInt32LE(crc32(body, crc32(frame.subarray(0, 4))), 4);
  frame.set(body, FRAME_HEADER_BYTES);
  return frame;
}

/** The body of the frame at `offset`, or null if there is no whole, intact frame there. */
export function decodeFrame(buf: Buffer, offset: number): Buffer | null {
  if (offset + FRAME_HEADER_BYTES > buf.length) return null;
  const length = buf.readUInt32LE(offset);
  if (length === 0 || length > MAX_RECORD_BYTES || offset + FRAME_HEADER_BYTES + length > buf.length) return null;
  const body = buf.subarray(offset + FRAME_HEADER_BYTES, offset + FRAME_HEADER_BYTES + length);
  return crc32(body, crc32(buf.subarray(offset, offset + 4))) === buf.readUInt32LE(offset + 4) ? body : null;
}

function segmentName(id: number): string {
  return `seg-${String(id).padStart(10, '0')}.log`;
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

async function writeAll(handle: FileHandle, data: Buffer): Promise<void> {
  let done = 0;
  while (done < data.length) {
    const { bytesWritten } = await handle.write(data, done, data.length - done);
    if (bytesWritten <= 0) throw new Error('write made no progress');
    done += bytesWritten;
  }
}

export class Journal {
  readonly dir: string;
  readonly stats: JournalStats = { bytesWritten: 0, syncs: 0, segmentsCreated: 0, segmentsDeleted: 0 };
  private readonly segmentBytes: number;
  private readonly report: (problem: JournalProblem) => void;
  private readonly checkpoint: () => readonly Uint8Array[];
  /** Oldest first; the active segment, when there is one, is the last. */
  private readonly segments: Segment[] = [];
  private active: { segment: Segment; handle: FileHandle } | null = null;
  private nextSegmentId = 1;
  private readonly readFds = new Map<number, number>();
  private pending: Pending[] = [];
  private waiters: Waiter[] = [];
  private running: Promise<void> | null = null;
  private releasedThrough = -Infinity;
  /** Released since the last deletion pass. */
  private releaseDue = false;
  private closed = false;

  private constructor(dir: string, options: JournalOptions) {
    this.dir = dir;
    this.segmentBytes = Math.max(4096, options.segmentBytes ?? DEFAULT_SEGMENT_BYTES);
    this.report = options.report ?? ((p) => console.error(`[journal] ${p.message}`));
    this.checkpoint = options.checkpoint;
  }

  /** Replays every segment in `dir` (created if missing) through `replay`, then is ready to append. */
  static async open(dir: string, options: JournalOptions, replay: ReplayRecord): Promise<Journal> {
    const journal = new Journal(dir, options);
    await mkdir(dir, { recursive: true });
    const ids = (await readdir(dir))
      .map((name) => SEGMENT_NAME.exec(name))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]))
      .sort((a, b) => a - b);
    for (const [i, id] of ids.entries()) {
      await journal.replaySegment(id, i === ids.length - 1, replay);
      journal.nextSegmentId = id + 1;
    }
    if (journal.segments.at(-1)?.bytes === 0) {
      // Cut off before its checkpoint was whole: nothing in it was ever durable.
      await unlink(journal.segments.pop()!.path);
    }
    const last = journal.segments.at(-1);
    if (last && last.bytes < journal.segmentBytes) {
      journal.active = { segment: last, handle: await open(last.path, 'a') };
    }
    return journal;
  }

  /** Number of segment files. */
  get segmentCount(): number {
    return this.segments.length;
  }

  /** Resolves once every record is written and synced (or rejects with the write's error). */
  append(records: readonly JournalRecord[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error('journal is closed'));
    const frames = records.map((record) => ({ frame: encodeFrame(record.body), record }));
    return new Promise<void>((resolve, reject) => {
      for (const item of frames) {
        const last = this.pending.at(-1);
        if (item.record.coalesceKey !== undefined && last?.record.coalesceKey === item.record.coalesceKey) {
          this.pending[this.pending.length - 1] = item;
        } else {
          this.pending.push(item);
        }
      }
      this.waiters.push({ resolve, reject });
      this.running ??= this.run();
    });
  }

  /** Closed segments whose marks are all <= `mark` may go (done in the background, oldest first). */
  releaseThrough(mark: number): void {
    if (mark <= this.releasedThrough || this.closed) return;
    this.releasedThrough = mark;
    this.releaseDue = true;
    this.running ??= this.run();
  }

  /** The body of the record at `at` (written earlier). Throws if it no longer checks out. */
  read(at: RecordLocation): Buffer {
    let fd = this.readFds.get(at.segment);
    if (fd === undefined) {
      fd = openSync(join(this.dir, segmentName(at.segment)), fsConstants.O_RDONLY);
      this.readFds.set(at.segment, fd);
    }
    const frame = Buffer.allocUnsafe(at.length);
    const got = readSync(fd, frame, 0, at.length, at.offset);
    const body = got === at.length ? decodeFrame(frame, 0) : null;
    if (!body || FRAME_HEADER_BYTES + body.length !== at.length) {
      throw new Error(`record at ${segmentName(at.segment)}:${at.offset} is damaged`);
    }
    return body;
  }

  /** Resolves when nothing is being written or deleted. Never rejects. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Waits for pending appends, then closes every file. Appends after this reject. */
  async close(): Promise<void> {
    await this.idle();
    this.closed = true;
    await this.active?.handle.close();
    this.active = null;
    for (const fd of this.readFds.values()) closeSync(fd);
    this.readFds.clear();
  }

  private async run(): Promise<void> {
    try {
      do {
        if (this.pending.length > 0) {
          const batch = this.pending;
          const waiters = this.waiters;
          this.pending = [];
          this.waiters = [];
          try {
            await this.writeBatch(batch);
            for (const w of waiters) w.resolve();
          } catch (err) {
            const error = asError(err);
            this.report({ kind: 'write-failed', file: this.active?.segment.path ?? this.dir, error, message: `journal write failed: ${error.message}` });
            // Whatever part of the batch reached the file is now damage in the middle of a
            // segment: carry on in a fresh one.
            await this.active?.handle.close().catch(() => undefined);
            this.active = null;
            for (const w of waiters) w.reject(error);
          }
        }
        this.releaseDue = false;
        await this.deleteReleased();
        // Appends and releases made during the awaits above are seen here, before `running` clears.
      } while (this.pending.length > 0 || this.releaseDue);
    } finally {
      this.running = null;
    }
  }

  private async writeBatch(batch: readonly Pending[]): Promise<void> {
    let i = 0;
    let full = false;
    while (i < batch.length) {
      if (!this.active || full || this.active.segment.bytes >= this.segmentBytes) await this.startSegment();
      full = false;
      const { segment, handle } = this.active!;
      const first = i;
      let end = segment.bytes;
      while (i < batch.length) {
        const size = batch[i]!.frame.length;
        // A record never straddles segments; one larger than a segment gets a fresh one to itself.
        if (end + size > this.segmentBytes && (i > first || !segment.fresh)) break;
        end += size;
        i++;
      }
      if (i === first) {
        full = true;
        continue;
      }
      const chunk = batch.slice(first, i);
      await writeAll(handle, chunk.length === 1 ? chunk[0]!.frame : Buffer.concat(chunk.map((p) => p.frame)));
      await handle.datasync();
      this.stats.bytesWritten += end - segment.bytes;
      this.stats.syncs++;
      let offset = segment.bytes;
      segment.bytes = end;
      segment.fresh = false;
      for (const { frame, record } of chunk) {
        if (record.mark !== undefined && record.mark > segment.maxMark) segment.maxMark = record.mark;
        record.onWritten?.({ segment: segment.id, offset, length: frame.length });
        offset += frame.length;
      }
    }
  }

  private async startSegment(): Promise<void> {
    const frames = this.checkpoint().map(encodeFrame);
    let id = this.nextSegmentId;
    let handle: FileHandle | undefined;
    while (!handle) {
      try {
        handle = await open(join(this.dir, segmentName(id)), 'ax'); // append, must not exist
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        id++; // left by an earlier failed attempt: never append to a file we did not replay
      }
    }
    this.nextSegmentId = id + 1;
    const segment: Segment = { id, path: join(this.dir, segmentName(id)), bytes: 0, maxMark: -Infinity, fresh: true };
    try {
      const data = Buffer.concat(frames);
      if (data.length > 0) await writeAll(handle, data);
      await handle.sync();
      await syncDirectory(this.dir); // the new name must survive a power cut too
    } catch (err) {
      await handle.close().catch(() => undefined);
      throw err;
    }
    segment.bytes = frames.reduce((n, f) => n + f.length, 0);
    this.stats.bytesWritten += segment.bytes;
    this.stats.syncs++;
    this.stats.segmentsCreated++;
    const previous = this.active;
    this.active = { segment, handle };
    this.segments.push(segment);
    await previous?.handle.close(); // already synced with its last batch
  }

  private async deleteReleased(): Promise<void> {
    while (this.segments.length > 1) {
      const oldest = this.segments[0]!;
      if (oldest === this.active?.segment || oldest.maxMark > this.releasedThrough) return;
      const fd = this.readFds.get(oldest.id);
      if (fd !== undefined) {
        closeSync(fd);
        this.readFds.delete(oldest.id);
      }
      try {
        await unlink(oldest.path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
          const error = asError(err);
          this.report({ kind: 'delete-failed', file: oldest.path, error, message: `could not delete ${oldest.path}: ${error.message}` });
          return;
        }
      }
      // No directory sync: a deletion lost to a power cut leaves a segment whose records the
      // newer checkpoints already cover; it is deleted again after the next open.
      this.segments.shift();
      this.stats.segmentsDeleted++;
    }
  }

  private async replaySegment(id: number, newest: boolean, replay: ReplayRecord): Promise<void> {
    const path = join(this.dir, segmentName(id));
    const buf = await readFile(path);
    const segment: Segment = { id, path, bytes: buf.length, maxMark: -Infinity, fresh: false };
    let offset = 0;
    while (offset < buf.length) {
      const body = decodeFrame(buf, offset);
      const at: RecordLocation = { segment: id, offset, length: FRAME_HEADER_BYTES + (body?.length ?? 0) };
      if (body) {
        try {
          const mark = replay(body, at);
          if (mark !== undefined && mark > segment.maxMark) segment.maxMark = mark;
        } catch (err) {
          const error = asError(err);
          this.report({ kind: 'corrupt-record', file: path, offset, bytes: at.length, error, message: `${path}:${offset}: unusable record skipped (${error.message})` });
        }
        offset += at.length;
        continue;
      }
      if (newest) {
        const dropped = buf.length - offset;
        this.report({ kind: 'torn-tail', file: path, offset, bytes: dropped, message: `${path}: incomplete write of ${dropped} bytes at ${offset} truncated` });
        const handle = await open(path, 'r+');
        try {
          await handle.truncate(offset);
          await handle.sync();
        } finally {
          await handle.close();
        }
        segment.bytes = offset;
        break;
      }
      let next = offset + 1;
      while (next < buf.length && !decodeFrame(buf, next)) next++;
      this.report({ kind: 'corrupt-record', file: path, offset, bytes: next - offset, message: `${path}: ${next - offset} damaged bytes at ${offset} skipped` });
      offset = next;
    }
    this.segments.push(segment);
  }
}
