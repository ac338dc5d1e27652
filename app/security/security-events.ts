// The security event log: append-only, durable, protocol-neutral, kept in
// `<dataDir>/security-events.json` (the newest 1000). The event types are those of the OCPP 1.6
// Security White Paper (edition 2, §8 "Security Events") where one fits, plus vendor types for
// what it does not name; `critical` is the paper's column (critical events are pushed to the
// backend, §5.15 SecurityEventNotification.req, once the OCPP side sends them).
// `record` is synchronous in memory and persists in the background; `flush()` awaits it.

import { join } from 'node:path';

import { BoundedLogFile } from '../persistence/bounded-log-file.js';
import type { PersistenceReporter } from '../persistence/durable-json-file.js';

export const SECURITY_EVENTS_FILE = 'security-events.json';
export const DEFAULT_MAX_SECURITY_EVENTS = 1000;
/** SecurityEventNotification.req limits: type string[50], techInfo string[0..255]. */
const MAX_TECH_INFO_CHARS = 255;

/** Each type and whether it is critical. */
export const SECURITY_EVENT_TYPES = {
  // OCPP 1.6 Security White Paper edition 2, §8.
  FirmwareUpdated: true,
  FailedToAuthenticateAtCentralSystem: false,
  CentralSystemFailedToAuthenticate: false,
  SettingSystemTime: true,
  StartupOfTheDevice: true,
  ResetOrReboot: true,
  SecurityLogWasCleared: true,
  ReconfigurationOfSecurityParameters: false,
  MemoryExhaustion: true,
  InvalidMessages: false,
  AttemptedReplayAttacks: false,
  TamperDetectionActivated: true,
  InvalidFirmwareSignature: false,
  InvalidFirmwareSigningCertificate: false,
  InvalidCentralSystemCertificate: false,
  InvalidChargePointCertificate: false,
  InvalidTLSVersion: false,
  InvalidTLSCipherSuite: false,
  // Vendor: a data file failed its check (moved or kept aside; see techInfo). Critical: it can hide tampering, and billing data may be at stake.
  StorageCorruption: true,
} as const satisfies Record<string, boolean>;

export type SecurityEventType = keyof typeof SECURITY_EVENT_TYPES;

export interface SecurityEvent {
  readonly at: string; // ISO 8601
  readonly type: SecurityEventType;
  readonly critical: boolean;
  /** At most 255 characters. */
  readonly techInfo: string | null;
}

export interface SecurityEventLogOptions {
  readonly maxEvents?: number;
  /** Told about a corrupt file or a failed write. Default: console.error. */
  readonly report?: PersistenceReporter;
  /** Default: the system time. */
  readonly now?: () => Date;
}

function eventProblem(e: unknown): string | null {
  if (typeof e !== 'object' || e === null) return 'not an object';
  const r = e as Record<string, unknown>;
  if (typeof r['at'] !== 'string') return 'at';
  // A type this firmware does not know (from a newer one) is kept: history is history.
  if (typeof r['type'] !== 'string' || r['type'].length > 50) return 'type';
  if (typeof r['critical'] !== 'boolean') return 'critical';
  if (r['techInfo'] !== null && typeof r['techInfo'] !== 'string') return 'techInfo';
  return null;
}

export class SecurityEventLog {
  private constructor(
    private readonly log: BoundedLogFile<SecurityEvent>,
    private readonly now: () => Date,
  ) {}

  /** Opens (creating if needed) `<dataDir>/security-events.json`. A corrupt file is moved aside and reported. */
  static async open(dataDir: string, options: SecurityEventLogOptions = {}): Promise<SecurityEventLog> {
    const log = await BoundedLogFile.open<SecurityEvent>(
      join(dataDir, SECURITY_EVENTS_FILE),
      { kind: 'security event log', listKey: 'events', itemProblem: eventProblem, freeze: (e) => Object.freeze({ ...e }) },
      { maxItems: options.maxEvents ?? DEFAULT_MAX_SECURITY_EVENTS, ...(options.report ? { report: options.report } : {}) },
    );
    return new SecurityEventLog(log, options.now ?? (() => new Date()));
  }

  /** Adds an event now (in memory at once, written in the background). Returns it. */
  record(type: SecurityEventType, techInfo: string | null = null): SecurityEvent {
    return this.log.append({
      at: this.now().toISOString(),
      type,
      critical: SECURITY_EVENT_TYPES[type],
      techInfo: techInfo === null ? null : techInfo.slice(0, MAX_TECH_INFO_CHARS),
    });
  }

  /** Every event kept, oldest first. */
  list(): readonly SecurityEvent[] {
    return this.log.list();
  }

  /** Writes what is pending now and waits until it is on disk. Rejects if that write failed. */
  flush(): Promise<void> {
    return this.log.flush();
  }
}
