// What the OCPP client sees of the charger, and the only way it acts on it: views to read,
// events to follow, commands to send. The charger (app/charger.ts) implements ChargerPort;
// the OCPP client never reaches into connectors or machines.

import type { MeterReading } from '../../hal/interfaces.js';
import type { FaultName, OcppErrorCode } from '../../state-machines/faults.js';
import type { SessionDelivery, SessionRecord, SessionStopReason } from '../records.js';

import type { ChargePointStatus } from '../../state-machines/charging-point-view.js';

/** OCPP 1.6 §7.7 ChargePointStatus: the charging point's states carry it (state-machines/charging-point-view.ts). */
export type { ChargePointStatus };

/** An active fault as OCPP reports it (§7.6: standard code; details in info / vendorErrorCode). */
export interface FaultView {
  readonly fault: FaultName;
  readonly ocppErrorCode: OcppErrorCode;
  readonly vendorErrorCode: string;
  /** Short human text, ≤ 50 characters (CiString50). */
  readonly info: string;
  /** ISO 8601, when it was raised. */
  readonly since: string;
}

export interface ConnectorView {
  readonly connectorId: number;
  readonly status: ChargePointStatus;
  /** Active faults of this connector and the station's, in the order they were raised. */
  readonly faults: readonly FaultView[];
  readonly phases: 1 | 3;
  readonly meter: MeterReading | null;
  /** What the PWM offers now, per phase (0 when no PWM). */
  readonly offeredCurrentA: number;
  readonly socketTemperatureC: number | null;
  /** IEC 61851 AC EVs do not report their state of charge: null unless the EV does. */
  readonly socPercent: number | null;
  /** The session in progress, if any. */
  readonly session: SessionRecord | null;
  /** A vehicle is plugged in (CP B, C or D). */
  readonly plugged: boolean;
}

export interface StationView {
  /** Connector 0 may only be Available, Unavailable or Faulted (§4.9). */
  readonly status: 'Available' | 'Unavailable' | 'Faulted';
  readonly faults: readonly FaultView[];
}

/** Why a session ends, as OCPP 1.6 §7.39 Reason has it (the charger's own reasons included). */
export type StopReason = SessionStopReason;

export type ChargerEvent =
  /** Something observable changed on a connector (0: the station); read its view again. */
  | { readonly type: 'changed'; readonly connectorId: number }
  | { readonly type: 'sessionStarted'; readonly connectorId: number; readonly session: SessionRecord }
  /** `session` is the final record (stoppedAt, meterStopWh, stopReason set). */
  | { readonly type: 'sessionStopped'; readonly connectorId: number; readonly session: SessionRecord; readonly stoppedByIdTag: string | null }
  | { readonly type: 'meterReading'; readonly connectorId: number; readonly reading: MeterReading; readonly at: number };

export type UnlockResult = 'Unlocked' | 'UnlockFailed' | 'NotSupported';

export interface ChargerPort {
  readonly connectorIds: readonly number[];
  connector(connectorId: number): ConnectorView;
  station(): StationView;
  /** Returns an unsubscribe. Listeners run synchronously after the change; they must not throw. */
  onEvent(listener: (event: ChargerEvent) => void): () => void;

  /** Authorizes a session on a connector (remote start, or a card the OCPP layer routed). False if it cannot take one now. */
  authorize(connectorId: number, idTag: string): boolean;
  /** Ends the session on a connector; false if there is none. */
  stopSession(connectorId: number, reason: StopReason, stoppedByIdTag?: string | null): boolean;
  /**
   * Ends every session with `reason`; resolves once each is closed and announced (sessionStopped),
   * or once the EV has had its power-off-under-load time and a margin.
   */
  endSessions(reason: StopReason): Promise<void>;
  /** Releases the plug of a socket connector (ends its session first, reason UnlockCommand). */
  unlock(connectorId: number): Promise<UnlockResult>;
  /** Inoperative connectors take no new session; 0 = the whole charger. A running session is not ended. */
  setOperative(connectorId: number, operative: boolean): void;
  /**
   * A limit from outside the charger (OCPP smart charging), per phase, under the name of who
   * claims it; null withdraws that claim. The lowest claim applies.
   */
  setExternalLimit(connectorId: number, amps: number | null, claim: string): void;
  /** Session rules the backend sets (ConnectionTimeOut, StopTransactionOnEVSideDisconnect), for every connector. */
  configureSessions(settings: SessionSettings): void;
  /** Every session record, oldest first, including those in progress (for reconciliation after a restart). */
  sessions(): readonly SessionRecord[];
  /** Records how far the backend has a session (SessionDelivery) and its transactionId; resolves once durable, rejects if that failed. */
  noteDelivery(sessionId: string, delivery: SessionDelivery, transactionId?: number): Promise<void>;
}

export interface SessionSettings {
  /** How long an authorization waits for the EV to be plugged in. */
  readonly plugInTimeoutMs?: number;
  /** The session outlives an unplug at the EV side (StopTransactionOnEVSideDisconnect = false). */
  readonly keepSessionOnUnplug?: boolean;
  /** A socket releases the cable when the EV is unplugged (UnlockConnectorOnEVSideDisconnect). */
  readonly unlockOnUnplug?: boolean;
}
