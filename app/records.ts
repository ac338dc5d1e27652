// Records the charger keeps and reports: sessions, the fault log, and live status.
// These are the types at the boundary of persistence and of the diagnostics API.

import type { FaultName, OcppErrorCode } from '../state-machines/faults.js';
import type { LimitSource } from '../state-machines/current-limit.js';
import type { SessionStopReason } from '../state-machines/stop-reasons.js';
import type {
  CableRatingA,
  LedBlink,
  LedColor,
  LockPosition,
  PilotOutput,
  SwitchPosition,
} from '../hal/interfaces.js';

// Words of the domain the machines use too: declared in state-machines/ (which imports nothing from app/).
export { SESSION_STOP_REASONS, type SessionStopReason } from '../state-machines/stop-reasons.js';
export type { LimitSource } from '../state-machines/current-limit.js';

export interface SessionRecord {
  readonly sessionId: string;
  readonly connectorId: number;
  /** The card that started it; null for free charging. */
  readonly idTag: string | null;
  readonly startedAt: string; // ISO 8601
  readonly stoppedAt: string | null;
  readonly meterStartWh: number;
  readonly meterStopWh: number | null;
  /** Energy from the meter's register: last reading − start. */
  readonly energyWh: number;
  readonly maxPowerW: number;
  readonly stopReason: SessionStopReason | null;
  /** The fault that ended it, when stopReason is Fault. */
  readonly stopFault: FaultName | null;
  /** How far the backend has it (absent: never handed to one, e.g. a standalone charger). */
  readonly delivery?: SessionDelivery;
  /** The backend's id for it, once the backend has its start (OCPP: the transactionId). */
  readonly backendTransactionId?: number;
}

/**
 * A session's way to the backend, only ever forward: queued (the backend is to have it; set when
 * the session is created on a charger with a backend),
 * startSent (the backend has its start), stopSent (the backend has its end, or the rules
 * for undeliverable messages gave it up). After a restart, every stopped session short of
 * stopSent that the queue does not hold is queued again (app/ocpp/transactions/reconcile.ts).
 */
export const SESSION_DELIVERIES = ['queued', 'startSent', 'stopSent'] as const;
export type SessionDelivery = (typeof SESSION_DELIVERIES)[number];

export interface FaultLogEntry {
  readonly at: string; // ISO 8601
  /** null for a station-wide fault. */
  readonly connectorId: number | null;
  readonly fault: FaultName;
  readonly event: 'raised' | 'cleared' | 'latched' | 'reset';
  readonly ocppErrorCode: OcppErrorCode;
  /** The readings that set it off, e.g. { temperatureC: 72 } or { currentA: 40, offeredA: 32 }. */
  readonly values: Readonly<Record<string, number | string | boolean | null>>;
}

export interface ActiveFault {
  readonly fault: FaultName;
  readonly since: string;
  readonly latched: boolean;
  readonly ocppErrorCode: OcppErrorCode;
}

export interface ConnectorStatus {
  readonly connectorId: number;
  /** The charging point's state for people, e.g. "connected.awaitingAuthorization" (code reads tags and status, never this). */
  readonly state: string;
  /** OCPP-style status: Available, Preparing, Charging, SuspendedEV, SuspendedEVSE, Finishing, Faulted, Unavailable. */
  readonly status: string;
  readonly pilot: {
    readonly state: string; // A..F or invalid
    readonly positiveV: number;
    readonly negativeV: number | null;
    readonly output: PilotOutput;
    readonly dutyPercent: number | null;
  };
  readonly cableRatingA: CableRatingA | null;
  readonly allowedCurrentA: number;
  readonly limitSource: LimitSource;
  readonly limits: Readonly<Partial<Record<LimitSource, number>>>;
  readonly contactor: { readonly commanded: SwitchPosition; readonly feedback: SwitchPosition };
  readonly lock: { readonly commanded: LockPosition; readonly feedback: LockPosition } | null;
  readonly meter: {
    readonly ok: boolean;
    readonly phases: readonly { readonly voltageV: number; readonly currentA: number; readonly powerW: number }[];
    readonly totalPowerW: number;
    readonly frequencyHz: number;
    readonly importEnergyWh: number;
  } | null;
  readonly temperatures: { readonly socketC: number | null; readonly enclosureC: number | null };
  readonly led: { readonly color: LedColor; readonly blink: LedBlink };
  readonly activeFaults: readonly ActiveFault[];
  readonly session: SessionRecord | null;
  readonly residualCurrentSelfTest: 'pending' | 'passed' | 'failed';
}

export interface ChargerStatus {
  readonly chargePointId: string;
  readonly board: string;
  readonly uptimeS: number;
  readonly time: string;
  readonly emergencyStop: boolean;
  readonly groundPresent: boolean;
  readonly display: readonly string[];
  readonly stationFaults: readonly ActiveFault[];
  readonly connectors: readonly ConnectorStatus[];
  /** The OCPP backend link; null when the charger runs standalone. */
  readonly ocpp?: {
    readonly connected: boolean;
    readonly registration: 'Accepted' | 'Pending' | 'Rejected' | 'NotRegistered';
    readonly queuedMessages: number;
  } | null;
  /** The boot-loop guard (app/supervision/boot-loop-guard.ts): whether this start followed a boot loop. */
  readonly supervision?: { readonly bootLoop: boolean; readonly recentStarts: number };
}
