// Boot-loop guard. A charger that crashes at start (a bad file, a message from the backend that
// trips a bug) restarts, crashes again, and so on: a whole fleet doing that hammers the CSMS and
// never charges anyone. This counts the starts that died young and, once the last N all did,
// reports it and recovers:
//   - it moves aside (`<file>.bootloop-<time>`) the optional state that could make a start crash:
//     the OCPP authorization cache and the availability file. Never the transaction queue, the
//     sessions, the fault log or the OCPP configuration: those are records, not caches.
//   - it delays the first connection to the backend by a back-off that doubles with every further
//     young death (with jitter, so a looping fleet spreads out), so a looping fleet does not
//     hammer the CSMS, and a crash the backend triggers gets a pause.
//
// `<dataDir>/boot-history.json` keeps the last starts. Each start is recorded (durably, before the
// stores open) as not stable; once the process has run `stableAfterMs` it is marked stable. A
// clean stop (SIGTERM, a reset) is marked too: it is not a death. At the next start, the starts
// in a row before it that are neither stable nor cleanly stopped are the ones that died young.
//
// The guard never stops the charger from starting: if its own file cannot be written, it says so
// and the start goes on as if there were no loop.

import { join } from 'node:path';
import type { Low } from 'lowdb';
import { systemClock, type Clock, type TimerHandle } from '../../hal/clock.js';
import { openDurableDb, type PersistenceReporter } from '../persistence/durable-json-file.js';
import { exists, moveAside } from '../persistence/files.js';
import { AUTHORIZATION_CACHE_FILE } from '../ocpp/authorization/authorization-cache.js';
import { AVAILABILITY_FILE } from '../ocpp/availability/availability-service.js';

export const BOOT_HISTORY_FILE = 'boot-history.json';
export const DEFAULT_STABLE_AFTER_MS = 60_000;
/** This many starts in a row that died young make a boot loop. */
export const DEFAULT_LOOP_STARTS = 5;
/** The connect delay at the first boot loop detected; it doubles with each further young death, up to maxMs. */
export const DEFAULT_LOOP_BACKOFF = { initialMs: 60_000, maxMs: 30 * 60_000 } as const;
/** Optional state a start reads that may be moved aside in a boot loop (relative to the data directory). */
export const OPTIONAL_STATE_FILES: readonly string[] = [AUTHORIZATION_CACHE_FILE, AVAILABILITY_FILE];
/** Starts kept in the history. */
const HISTORY_LENGTH = 20;
/** ±25 % around the back-off step. */
const JITTER = 0.25;

export interface BootLoopStatus {
  /** This start followed a boot loop (and recovered from it). */
  readonly bootLoop: boolean;
  /** Starts in a row, right before this one, that died before becoming stable. */
  readonly recentStarts: number;
}

export type BootLoopLog = (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;

export interface BootLoopGuardOptions {
  readonly dataDir: string;
  readonly log: BootLoopLog;
  /** Default: the system clock. */
  readonly clock?: Clock;
  /** A start that ran this long is stable. Default 60 s. */
  readonly stableAfterMs?: number;
  /** N: this many young deaths in a row are a boot loop. Default 5. */
  readonly loopStarts?: number;
  /** Connect delay in a boot loop. Default 60 s doubling to 30 min. */
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number };
  /** For the jitter. Default Math.random. */
  readonly random?: () => number;
}

interface StartEntry {
  /** ISO 8601. */
  readonly at: string;
  stable: boolean;
  /** Ended by a clean stop (signal, reset) before it became stable: not a death. */
  cleanStop: boolean;
}

interface BootHistoryFile {
  version: 1;
  starts: StartEntry[];
}

function validate(value: unknown): string | null {
  const file = value as Partial<BootHistoryFile> | null;
  if (typeof file !== 'object' || file === null || file.version !== 1 || !Array.isArray(file.starts)) return 'not a boot history file';
  const bad = file.starts.findIndex((s) => typeof s !== 'object' || s === null || typeof s.at !== 'string' || typeof s.stable !== 'boolean' || typeof s.cleanStop !== 'boolean');
  return bad < 0 ? null : `starts[${bad}] is malformed`;
}

/** Test and bench hooks: CHARGER_BOOT_STABLE_AFTER_MS, CHARGER_BOOT_LOOP_STARTS, CHARGER_BOOT_LOOP_BACKOFF_MS (the initial delay; the cap is 30× it). */
export function bootLoopSettingsFromEnv(env: NodeJS.ProcessEnv): Pick<BootLoopGuardOptions, 'stableAfterMs' | 'loopStarts' | 'backoff'> {
  const number = (name: string): number | undefined => {
    const text = env[name];
    const value = text === undefined || text.trim() === '' ? NaN : Number(text);
    return Number.isFinite(value) && value >= 0 ? value : undefined;
  };
  const stableAfterMs = number('CHARGER_BOOT_STABLE_AFTER_MS');
  const loopStarts = number('CHARGER_BOOT_LOOP_STARTS');
  const backoffMs = number('CHARGER_BOOT_LOOP_BACKOFF_MS');
  return {
    ...(stableAfterMs !== undefined ? { stableAfterMs } : {}),
    ...(loopStarts !== undefined && loopStarts >= 1 ? { loopStarts: Math.floor(loopStarts) } : {}),
    ...(backoffMs !== undefined ? { backoff: { initialMs: backoffMs, maxMs: backoffMs * 30 } } : {}),
  };
}

export class BootLoopGuard {
  private stableTimer: TimerHandle | null = null;
  private damageFound: string[] = [];
  private ended = false;
  private writing: Promise<void> = Promise.resolve();

  private constructor(
    private readonly options: BootLoopGuardOptions,
    private readonly clock: Clock,
    private readonly db: Low<BootHistoryFile> | null,
    private readonly entry: StartEntry | null,
    /** The status of this start. */
    readonly status: BootLoopStatus,
    /** How long the first connection to the backend waits (0 without a boot loop). */
    readonly connectDelayMs: number,
    /** Files moved aside at this start: where each went. */
    readonly movedAside: readonly { readonly file: string; readonly movedTo: string }[],
    private readonly startedAt: number,
  ) {}

  /** Records this start, detects and recovers from a boot loop, and arms the "stable" mark. Call first thing, before any store opens. */
  static async start(options: BootLoopGuardOptions): Promise<BootLoopGuard> {
    const clock = options.clock ?? systemClock;
    const { dataDir, log } = options;
    const stableAfterMs = Math.max(0, options.stableAfterMs ?? DEFAULT_STABLE_AFTER_MS);
    const loopStarts = Math.max(1, Math.floor(options.loopStarts ?? DEFAULT_LOOP_STARTS));
    const now = clock.now();
    const damage: string[] = [];
    const report: PersistenceReporter = (problem) => {
      log('error', `boot-loop guard: ${problem.message}`);
      if (problem.kind === 'corrupt') damage.push(problem.message);
    };

    let db: Low<BootHistoryFile>;
    let entry: StartEntry;
    let previous: StartEntry[];
    try {
      db = await openDurableDb<BootHistoryFile>(join(dataDir, BOOT_HISTORY_FILE), () => ({ version: 1, starts: [] }), { report, validate });
      previous = db.data.starts;
      entry = { at: new Date(now).toISOString(), stable: stableAfterMs === 0, cleanStop: false };
      db.data.starts = [...previous, entry].slice(-HISTORY_LENGTH);
      await db.write();
    } catch (error) {
      log('error', `boot-loop guard: cannot keep ${BOOT_HISTORY_FILE} (${(error as Error).message}); starting without boot-loop protection`);
      return new BootLoopGuard(options, clock, null, null, { bootLoop: false, recentStarts: 0 }, 0, [], now);
    }

    // The starts in a row, newest first, that died before becoming stable.
    const streak: StartEntry[] = [];
    for (let i = previous.length - 1; i >= 0 && !previous[i]!.stable && !previous[i]!.cleanStop; i--) streak.push(previous[i]!);
    const recentStarts = streak.length;
    const bootLoop = recentStarts >= loopStarts;

    let connectDelayMs = 0;
    const movedAside: { file: string; movedTo: string }[] = [];
    if (bootLoop) {
      const backoff = options.backoff ?? DEFAULT_LOOP_BACKOFF;
      const step = Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.min(30, recentStarts - loopStarts));
      const random = options.random ?? Math.random;
      connectDelayMs = Math.round(Math.min(backoff.maxMs, step * (1 - JITTER + 2 * JITTER * random())));
      for (const name of OPTIONAL_STATE_FILES) {
        const file = join(dataDir, name);
        if (!(await exists(file))) continue;
        try {
          movedAside.push({ file: name, movedTo: await moveAside(file, 'bootloop', new Date(now)) });
        } catch (error) {
          log('error', `boot-loop guard: could not move ${file} aside: ${(error as Error).message}`);
        }
      }
      const since = streak.at(-1)!.at;
      log(
        'error',
        `boot loop: the last ${recentStarts} starts (since ${since}) all died within ${Math.round(stableAfterMs / 1000)} s; ` +
          `moved aside ${movedAside.length > 0 ? movedAside.map((m) => m.file).join(', ') : 'nothing (no optional state)'}; ` +
          `connecting to the CSMS delayed by ${Math.round(connectDelayMs / 1000)} s (${connectDelayMs} ms)`,
        { bootLoop: true, recentStarts, since, movedAside: movedAside.map((m) => m.movedTo), connectDelayMs },
      );
    }

    const guard = new BootLoopGuard(options, clock, db, entry, { bootLoop, recentStarts }, connectDelayMs, movedAside, now);
    guard.damageFound = damage;
    if (!entry.stable) guard.stableTimer = clock.setTimeout(() => guard.markStable(), stableAfterMs);
    return guard;
  }

  /**
   * Damaged-file reports of its own history file, once: the guard runs before the security event
   * log exists, so the start records them there when it has one.
   */
  takeDamageFound(): string[] {
    const found = this.damageFound;
    this.damageFound = [];
    return found;
  }

  /** This start has run long enough to count as stable. */
  get stable(): boolean {
    return this.entry?.stable ?? false;
  }

  /** What is left of the connect delay now (a soft reset restarts the client within the same start). */
  remainingConnectDelayMs(): number {
    return Math.max(0, this.startedAt + this.connectDelayMs - this.clock.now());
  }

  /** A clean stop (signal, reset) before the start became stable: not counted as a death. Resolves once durable. */
  async stoppedCleanly(): Promise<void> {
    this.cancelTimer();
    if (!this.entry || this.ended || this.entry.stable) return;
    this.ended = true;
    this.entry.cleanStop = true;
    await this.save();
  }

  /** Cancels the stable timer and waits for a write in flight (nothing more is written). */
  async stop(): Promise<void> {
    this.cancelTimer();
    await this.writing;
  }

  private markStable(): void {
    this.stableTimer = null;
    if (!this.entry || this.ended) return;
    this.entry.stable = true;
    this.options.log('info', 'start is stable', { afterMs: this.clock.now() - this.startedAt });
    void this.save();
  }

  private save(): Promise<void> {
    const db = this.db;
    if (!db) return Promise.resolve();
    this.writing = this.writing.then(() => db.write()).catch(() => undefined); // reported by the adapter
    return this.writing;
  }

  private cancelTimer(): void {
    if (this.stableTimer !== null) this.clock.clearTimeout(this.stableTimer);
    this.stableTimer = null;
  }
}
