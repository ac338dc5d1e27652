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
// one sync per batch rather than per record. Nothing ever rewrites written bytes (but the
// repair of a damaged segment at open, below).
//
// Segments: a new segment starts when the active one reaches `segmentBytes`. It begins with
// the caller's checkpoint records (the state a reader needs once older segments are gone),
// written and fsynced under a temporary name and then linked into place (directory fsynced)
// before anything after it counts as durable.
// Each record may carry a numeric mark (the queue's sequence number); `releaseThrough(n)`
// lets every closed segment whose marks are all <= n be deleted, oldest first. Records
// without a mark (acknowledgements, say) keep nothing alive: what they say must be in the
// checkpoints. The newest segment is never deleted, so the newest checkpoint always survives.
// That is the only compaction.
//
// Open: segments are replayed in order. Bytes that do not frame are one of two things.
// - A torn tail: in the newest segment, after its (synced) checkpoint, nothing valid follows the
//   bad bytes. A power cut cut the last write short, and no append of it was acknowledged: the
//   file is truncated there (reported).
// - Damage: anything else (a bad record followed by good ones, a bad checkpoint, an older
//   segment, which was synced whole before the next began). The segment is kept aside whole as
//   `seg-<id>.log.corrupt-<time>`, every frame that still checks out is recovered (frames
//   resynchronise: the scan moves byte by byte to the next length+CRC that checks out), the
//   segment is rewritten with those alone (a temporary file renamed over it) and the damage is
//   reported, so it is reported once and the bytes stay available to a technician.
// An empty segment is damage too (a segment never exists without its checkpoint), reported.

import { openSync, readSync, closeSync, constants as fsConstants } from 'node:fs';
import { link, mkdir, open, readdir, readFile, rename, rm, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { exists, keepAside, syncDirectory } from '../../persistence/files.js';

export const DEFAULT_SEGMENT_BYTES = 1024 * 1024;
/** No body is larger; a longer length field is damage. */
export const MAX_RECORD_BYTES = 16 * 1024 * 1024;
export const FRAME_HEADER_BYTES = 8;

const SEGMENT_NAME = /^seg-(\d{10})\.log$/;
/** A segment being created or repaired: a leftover is a cut-off attempt, never the segment itself. */
const TEMP_NAME = /^seg-\d{10}\.log\.tmp$/;

export interface JournalProblem {
  /**
   * torn-tail: the newest segment ended in an incomplete record (a write cut off), truncated away.
   * corrupt-segment: damaged bytes in a segment; kept aside (`keptAt`), the readable records
   * recovered. empty-segment: a segment file with nothing in it. corrupt-record: a record that
   * checks out but the reader refused, skipped. write-failed: an append was not made durable.
   * delete-failed: a released segment could not be removed (tried again later).
   */
  readonly kind: 'torn-tail' | 'corrupt-segment' | 'empty-segment' | 'corrupt-record' | 'write-failed' | 'delete-failed';
  readonly file: string;
  /** Where the (first) bad bytes start, and how many were dropped or skipped in all. */
  readonly offset?: number;
  readonly bytes?: number;
  /** corrupt-segment: where the whole damaged segment was kept (null if that failed), and how many records were recovered from it. */
  readonly keptAt?: string | null;
  readonly recovered?: number;
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
  /** For the time in a damaged segment's kept name. Default: the system time. */
  readonly now?: () => Date;
  /**
   * Makes what was written to `handle` durable: 'data' after appends (fdatasync), 'file' for a
   * new segment (fsync: its size and name too). Injected by tests that count syncs or simulate
   * losing what was never synced. Default: the real calls.
   */
  readonly sync?: (handle: FileHandle, kind: 'data' | 'file') => Promise<void>;
}

const realSync = (handle: FileHandle, kind: 'data' | 'file'): Promise<void> => (kind === 'data' ? handle.datasync() : handle.sync());

/** What a scan of a segment found: every frame that checks out, and the bytes between them that do not. */
interface SegmentScan {
  readonly frames: ReadonlyArray<{ readonly offset: number; readonly length: number }>;
  readonly damage: ReadonlyArray<{ readonly offset: number; readonly bytes: number }>;
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

/** Walks `buf` frame by frame; past bytes that do not frame, resumes at the next offset where a frame checks out. */
function scanSegment(buf: Buffer): SegmentScan {
  const frames: Array<{ offset: number; length: number }> = [];
  const damage: Array<{ offset: number; bytes: number }> = [];
  let offset = 0;
  while (offset < buf.length) {
    const body = decodeFrame(buf, offset);
    if (body) {
      frames.push({ offset, length: FRAME_HEADER_BYTES + body.length });
      offset += FRAME_HEADER_BYTES + body.length;
      continue;
    }
    let next = offset + 1;
    while (next < buf.length && !decodeFrame(buf, next)) next++;
    damage.push({ offset, bytes: next - offset });
    offset = next;
  }
  return { frames, damage };
}

/** Links `tmp` to `path` unless `path` exists (false then); renames where hard links are not supported. */
async function placeSegment(tmp: string, path: string): Promise<boolean> {
  try {
    await link(tmp, path);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw err;
    if (await exists(path)) return false;
    await rename(tmp, path);
    return true;
  }
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
  private readonly now: () => Date;
  private readonly sync: (handle: FileHandle, kind: 'data' | 'file') => Promise<void>;
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
    this.now = options.now ?? (() => new Date());
    this.sync = options.sync ?? realSync;
  }

  /** Replays every segment in `dir` (created if missing) through `replay`, then is ready to append. */
  static async open(dir: string, options: JournalOptions, replay: ReplayRecord): Promise<Journal> {
    const journal = new Journal(dir, options);
    await mkdir(dir, { recursive: true });
    const names = await readdir(dir);
    // A segment's creation or repair cut off before its link or rename: the segments themselves are whole.
    for (const name of names.filter((n) => TEMP_NAME.test(n))) await rm(join(dir, name), { force: true });
    const ids = names
      .map((name) => SEGMENT_NAME.exec(name))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]))
      .sort((a, b) => a - b);
    for (const [i, id] of ids.entries()) {
      await journal.replaySegment(id, i === ids.length - 1, replay);
      journal.nextSegmentId = id + 1;
    }
    if (journal.segments.at(-1)?.bytes === 0) {
      // Nothing readable left in it (damage, reported): appends go on in a new segment.
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
      await this.sync(handle, 'data');
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

  /**
   * Writes the checkpoint to `seg-<id>.log.tmp`, syncs it, then links it into place: a segment
   * file never exists without its whole checkpoint, so an empty or checkpoint-less segment found
   * at open is damage, never a creation cut off.
   */
  private async startSegment(): Promise<void> {
    const data = Buffer.concat(this.checkpoint().map(encodeFrame));
    const tmp = join(this.dir, `${segmentName(this.nextSegmentId)}.tmp`);
    const staging = await open(tmp, 'w');
    try {
      if (data.length > 0) await writeAll(staging, data);
      await this.sync(staging, 'file');
    } finally {
      await staging.close();
    }
    let id = this.nextSegmentId;
    try {
      // Never over a file we did not replay (left by an earlier failed attempt): the next id then.
      while (!(await placeSegment(tmp, join(this.dir, segmentName(id))))) id++;
    } finally {
      await rm(tmp, { force: true });
    }
    await syncDirectory(this.dir); // the new name must survive a power cut too
    const path = join(this.dir, segmentName(id));
    const handle = await open(path, 'a');
    this.nextSegmentId = id + 1;
    const segment: Segment = { id, path, bytes: data.length, maxMark: -Infinity, fresh: true };
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
    let buf: Buffer = await readFile(path);
    const scan = scanSegment(buf);
    const first = scan.damage[0];
    if (buf.length === 0) {
      this.report({ kind: 'empty-segment', file: path, offset: 0, bytes: 0, message: `${path} is empty: its records are lost` });
    } else if (first && newest && scan.damage.length === 1 && first.offset > 0 && first.offset + first.bytes === buf.length) {
      this.report({ kind: 'torn-tail', file: path, offset: first.offset, bytes: first.bytes, message: `${path}: incomplete write of ${first.bytes} bytes at ${first.offset} truncated` });
      const handle = await open(path, 'r+');
      try {
        await handle.truncate(first.offset);
        await this.sync(handle, 'file');
      } finally {
        await handle.close();
      }
      buf = buf.subarray(0, first.offset);
    } else if (first) {
      buf = await this.rewriteDamaged(path, buf, scan);
    }
    const segment: Segment = { id, path, bytes: buf.length, maxMark: -Infinity, fresh: false };
    for (let offset = 0; offset < buf.length; ) {
      const body = decodeFrame(buf, offset)!; // only whole frames are left
      const at: RecordLocation = { segment: id, offset, length: FRAME_HEADER_BYTES + body.length };
      try {
        const mark = replay(body, at);
        if (mark !== undefined && mark > segment.maxMark) segment.maxMark = mark;
      } catch (err) {
        const error = asError(err);
        this.report({ kind: 'corrupt-record', file: path, offset, bytes: at.length, error, message: `${path}:${offset}: unusable record skipped (${error.message})` });
      }
      offset += at.length;
    }
    this.segments.push(segment);
  }

  /** Keeps the damaged segment aside, replaces it by its readable frames, reports; returns the new contents. */
  private async rewriteDamaged(path: string, buf: Buffer, scan: SegmentScan): Promise<Buffer> {
    const lost = scan.damage.reduce((n, d) => n + d.bytes, 0);
    const first = scan.damage[0]!;
    let keptAt: string | null = null;
    let kept: string;
    try {
      keptAt = await keepAside(path, 'corrupt', this.now());
      kept = `kept as ${keptAt}`;
    } catch (err) {
      kept = `could not keep a copy (${asError(err).message})`;
    }
    const clean = Buffer.concat(scan.frames.map((f) => buf.subarray(f.offset, f.offset + f.length)));
    const tmp = `${path}.tmp`;
    const handle = await open(tmp, 'w');
    try {
      await writeAll(handle, clean);
      await this.sync(handle, 'file');
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
    await syncDirectory(this.dir);
    this.report({
      kind: 'corrupt-segment',
      file: path,
      offset: first.offset,
      bytes: lost,
      keptAt,
      recovered: scan.frames.length,
      message: `${path} is damaged: ${lost} bytes in ${scan.damage.length} place(s) from offset ${first.offset} unreadable, ${scan.frames.length} records recovered; ${kept}`,
    });
    return clean;
  }
}
