// Charging sessions, kept in memory and persisted to `<dataDir>/sessions.json`.
// Every method is synchronous on the in-memory list and persists in the background
// (never awaited by the caller); `flush()` awaits what is pending (tests, shutdown).
// Start, stop and recovery are written at once; meter updates at most every
// `updatePersistIntervalMs`, so a power cut loses at most that much of a session's progress
// (the meter's own register remains the reference).

import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Low } from 'lowdb';

import { systemClock, type Clock, type TimerHandle } from '../../hal/clock.js';
import type { FaultName } from '../../state-machines/faults.js';
import { SESSION_DELIVERIES, SESSION_STOP_REASONS, type SessionDelivery, type SessionRecord, type SessionStopReason } from '../records.js';
import { consoleReporter, openDurableDb, versionedListValidator, type PersistenceReporter } from './durable-json-file.js';

export const SESSIONS_FILE = 'sessions.json';
export const DEFAULT_MAX_SESSIONS = 1000;
export const DEFAULT_UPDATE_PERSIST_INTERVAL_MS = 10_000;

export interface SessionStoreOptions {
  /** Oldest finished sessions are dropped beyond this many. Default 1000. */
  readonly maxSessions?: number;
  /** Meter updates are written at most this often (0: every update, coalesced). Default 10 s. */
  readonly updatePersistIntervalMs?: number;
  /** Told about a corrupt file or a failed write. Default: console.error. */
  readonly report?: PersistenceReporter;
  /**
   * Sessions are a backend's to bill: each is created with delivery 'queued', in the same write as
   * the session itself, so no session the store holds is ever unknown to the reconciliation. Default false.
   */
  readonly forBackend?: boolean;
  /** Times the deferred meter-update writes. Default: the system clock. */
  readonly clock?: Clock;
}

export interface SessionStart {
  readonly connectorId: number;
  readonly idTag: string | null;
  readonly startedAt: string; // ISO 8601
  readonly meterStartWh: number;
}

export interface SessionReading {
  /** The meter's import register. */
  readonly meterWh: number;
  readonly powerW: number;
}

export interface SessionStop {
  readonly at: string; // ISO 8601
  readonly meterStopWh: number;
  readonly reason: SessionStopReason;
  readonly fault?: FaultName | null;
}

interface SessionsFile {
  version: 1;
  sessions: SessionRecord[];
}

const STOP_REASONS: readonly string[] = SESSION_STOP_REASONS;
const DELIVERIES: readonly string[] = SESSION_DELIVERIES;

function isFiniteNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

function recordProblem(r: unknown): string | null {
  if (typeof r !== 'object' || r === null) return 'not an object';
  const s = r as Record<string, unknown>;
  if (typeof s['sessionId'] !== 'string') return 'sessionId';
  if (!Number.isInteger(s['connectorId'])) return 'connectorId';
  if (s['idTag'] !== null && typeof s['idTag'] !== 'string') return 'idTag';
  if (typeof s['startedAt'] !== 'string') return 'startedAt';
  if (s['stoppedAt'] !== null && typeof s['stoppedAt'] !== 'string') return 'stoppedAt';
  if (!isFiniteNumber(s['meterStartWh'])) return 'meterStartWh';
  if (s['meterStopWh'] !== null && !isFiniteNumber(s['meterStopWh'])) return 'meterStopWh';
  if (!isFiniteNumber(s['energyWh'])) return 'energyWh';
  if (!isFiniteNumber(s['maxPowerW'])) return 'maxPowerW';
  if (s['stopReason'] !== null && !STOP_REASONS.includes(s['stopReason'] as string)) return 'stopReason';
  if (s['stopFault'] !== null && typeof s['stopFault'] !== 'string') return 'stopFault';
  if (s['delivery'] !== undefined && !DELIVERIES.includes(s['delivery'] as string)) return 'delivery';
  if (s['backendTransactionId'] !== undefined && !Number.isSafeInteger(s['backendTransactionId'])) return 'backendTransactionId';
  return null;
}

const validateSessionsFile = versionedListValidator('sessions', 'sessions', recordProblem);

/** The last meter reading known for a session. */
function lastMeterWh(s: SessionRecord): number {
  return s.meterStopWh ?? s.meterStartWh + s.energyWh;
}

export class SessionStore {
  private readonly maxSessions: number;
  private readonly updateIntervalMs: number;
  private readonly forBackend: boolean;
  private readonly clock: Clock;
  private updateTimer: TimerHandle | null = null;
  private lastPersistAt = 0;

  private constructor(
    private readonly db: Low<SessionsFile>,
    options: SessionStoreOptions,
  ) {
    this.clock = options.clock ?? systemClock;
    this.maxSessions = Math.max(1, options.maxSessions ?? DEFAULT_MAX_SESSIONS);
    this.updateIntervalMs = Math.max(0, options.updatePersistIntervalMs ?? DEFAULT_UPDATE_PERSIST_INTERVAL_MS);
    this.forBackend = options.forBackend ?? false;
    this.db.data.sessions = this.db.data.sessions.map((s) => Object.freeze({ ...s }));
  }

  /** Opens (creating if needed) `<dataDir>/sessions.json`. A corrupt file is moved aside and reported. */
  static async open(dataDir: string, options: SessionStoreOptions = {}): Promise<SessionStore> {
    const report = options.report ?? consoleReporter;
    const db = await openDurableDb<SessionsFile>(join(dataDir, SESSIONS_FILE), () => ({ version: 1, sessions: [] }), {
      report,
      validate: validateSessionsFile,
    });
    return new SessionStore(db, options);
  }

  /** Every session kept, oldest first. */
  list(): readonly SessionRecord[] {
    return Object.freeze(this.db.data.sessions.slice());
  }

  get(sessionId: string): SessionRecord | undefined {
    return this.db.data.sessions.find((s) => s.sessionId === sessionId);
  }

  /** Sessions not stopped yet. */
  open(): SessionRecord[] {
    return this.db.data.sessions.filter((s) => s.stoppedAt === null);
  }

  /**
   * Records a new session. A session still open on the same connector (a missed stop) is
   * closed first, reason Other, at its last known meter value.
   */
  start(fields: SessionStart): SessionRecord {
    const { connectorId, idTag, startedAt, meterStartWh } = fields;
    if (!Number.isInteger(connectorId) || connectorId < 1) throw new RangeError(`bad connectorId ${connectorId}`);
    if (!isFiniteNumber(meterStartWh)) throw new RangeError(`bad meterStartWh ${meterStartWh}`);
    const startedMs = Date.parse(startedAt);
    if (Number.isNaN(startedMs)) throw new RangeError(`bad startedAt ${JSON.stringify(startedAt)}`);

    const sessions = this.db.data.sessions;
    sessions.forEach((s, i) => {
      if (s.connectorId === connectorId && s.stoppedAt === null) {
        sessions[i] = this.stopped(s, { at: startedAt, meterStopWh: lastMeterWh(s), reason: 'Other' });
      }
    });

    let sessionId: string;
    do sessionId = `${connectorId}-${startedMs}-${randomBytes(2).toString('hex')}`;
    while (sessions.some((s) => s.sessionId === sessionId));

    const record: SessionRecord = Object.freeze({
      sessionId,
      connectorId,
      idTag,
      startedAt,
      stoppedAt: null,
      meterStartWh,
      meterStopWh: null,
      energyWh: 0,
      maxPowerW: 0,
      stopReason: null,
      stopFault: null,
      ...(this.forBackend ? { delivery: 'queued' as const } : {}),
    });
    sessions.push(record);
    this.trim();
    this.persist();
    return record;
  }

  /** A meter reading for an open session. Returns the updated record, or null if not open. */
  update(sessionId: string, reading: SessionReading): SessionRecord | null {
    const i = this.indexOfOpen(sessionId);
    if (i < 0 || !isFiniteNumber(reading.meterWh)) return null;
    const s = this.db.data.sessions[i]!;
    const record: SessionRecord = Object.freeze({
      ...s,
      energyWh: reading.meterWh - s.meterStartWh,
      maxPowerW: isFiniteNumber(reading.powerW) ? Math.max(s.maxPowerW, reading.powerW) : s.maxPowerW,
    });
    this.db.data.sessions[i] = record;
    this.persistSoon();
    return record;
  }

  /** Ends an open session. Returns the stopped record, or null if it was not open. */
  stop(sessionId: string, stop: SessionStop): SessionRecord | null {
    const i = this.indexOfOpen(sessionId);
    if (i < 0) return null;
    const record = this.stopped(this.db.data.sessions[i]!, stop);
    this.db.data.sessions[i] = record;
    this.persist();
    return record;
  }

  /**
   * After a restart: every session still open was cut off by a power loss. Each is stopped
   * with reason PowerLoss at its last known meter value. Returns those sessions.
   */
  recoverAfterRestart(at: string): SessionRecord[] {
    const recovered: SessionRecord[] = [];
    const sessions = this.db.data.sessions;
    sessions.forEach((s, i) => {
      if (s.stoppedAt === null) {
        const record = this.stopped(s, { at, meterStopWh: lastMeterWh(s), reason: 'PowerLoss' });
        sessions[i] = record;
        recovered.push(record);
      }
    });
    if (recovered.length > 0) this.persist();
    return recovered;
  }

  /**
   * How far the backend has a session (forward only: an earlier step is ignored), and the id it
   * gave it. Resolves once that is on disk; rejects if the write failed (reported). Unknown
   * sessions: resolves at once.
   */
  async noteDelivery(sessionId: string, delivery: SessionDelivery, backendTransactionId?: number): Promise<void> {
    const sessions = this.db.data.sessions;
    const i = sessions.findIndex((s) => s.sessionId === sessionId);
    if (i < 0) return;
    const s = sessions[i]!;
    const forward = s.delivery === undefined || DELIVERIES.indexOf(s.delivery) < DELIVERIES.indexOf(delivery);
    const id = Number.isSafeInteger(backendTransactionId) && s.backendTransactionId === undefined ? { backendTransactionId } : {};
    if (!forward && !('backendTransactionId' in id)) return;
    sessions[i] = Object.freeze({ ...s, ...(forward ? { delivery } : {}), ...id });
    this.clearTimer();
    this.lastPersistAt = Date.now();
    await this.db.write();
  }

  /** Writes what is pending now and waits until it is on disk. Rejects if that write failed. */
  async flush(): Promise<void> {
    this.clearTimer();
    this.lastPersistAt = this.clock.now();
    await this.db.write();
  }

  private stopped(s: SessionRecord, stop: SessionStop): SessionRecord {
    const meterStopWh = isFiniteNumber(stop.meterStopWh) ? stop.meterStopWh : lastMeterWh(s);
    return Object.freeze({
      ...s,
      stoppedAt: stop.at,
      meterStopWh,
      energyWh: meterStopWh - s.meterStartWh,
      stopReason: stop.reason,
      stopFault: stop.fault ?? null,
    });
  }

  private indexOfOpen(sessionId: string): number {
    const sessions = this.db.data.sessions;
    for (let i = sessions.length - 1; i >= 0; i--) {
      if (sessions[i]!.sessionId === sessionId) return sessions[i]!.stoppedAt === null ? i : -1;
    }
    return -1;
  }

  /** Drops the oldest finished sessions beyond the limit (open ones are kept). */
  private trim(): void {
    const sessions = this.db.data.sessions;
    let excess = sessions.length - this.maxSessions;
    if (excess <= 0) return;
    this.db.data.sessions = sessions.filter((s) => {
      if (excess > 0 && s.stoppedAt !== null) {
        excess--;
        return false;
      }
      return true;
    });
  }

  private clearTimer(): void {
    if (this.updateTimer !== null) this.clock.clearTimeout(this.updateTimer);
    this.updateTimer = null;
  }

  /** Writes now, in the background. */
  private persist(): void {
    this.clearTimer();
    this.lastPersistAt = this.clock.now();
    this.db.write().catch(() => {
      // Already reported by the adapter; the next write carries the data again.
    });
  }

  /** Writes now if the last write is old enough, else once the interval is up. */
  private persistSoon(): void {
    if (this.updateTimer !== null) return; // the scheduled write will carry this change
    const wait = this.lastPersistAt + this.updateIntervalMs - this.clock.now();
    if (wait <= 0) {
      this.persist();
      return;
    }
    const timer = this.clock.setTimeout(() => {
      this.updateTimer = null;
      this.persist();
    }, wait);
    // A pending meter update does not keep the process alive (a stop flushes it).
    if (typeof timer === 'object' && 'unref' in timer) timer.unref();
    this.updateTimer = timer;
  }
}
