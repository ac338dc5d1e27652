// What the app reads of a charging point's state: the tags and meta its states carry
// (charging-point.ts), read here. Nothing outside state-machines/ matches a state name: a renamed
// state keeps its tags and meta, and a state without an OCPP status fails a test.

import type { SnapshotFrom } from 'xstate';
import type { chargingPointMachine } from './charging-point.js';

/** OCPP 1.6 §7.7 ChargePointStatus. */
export type ChargePointStatus =
  | 'Available'
  | 'Preparing'
  | 'Charging'
  | 'SuspendedEVSE'
  | 'SuspendedEV'
  | 'Finishing'
  | 'Reserved'
  | 'Unavailable'
  | 'Faulted';

/** Why the energized state is being left by the EVSE: to pause (limit < 6 A) or to finish (stopped). */
export type StopIntent = 'pause' | 'finish';

/** The tags of the point region's states: what the app asks of a state, by name. */
export const Tag = {
  /** No EV, no card: a card read now is for this connector if it is the only one free. */
  vacant: 'vacant',
  /** A card was accepted before the EV was plugged in. */
  awaitsPlug: 'awaitsPlug',
  /** An EV is plugged in and a card would start a session (a new one after a finished session). */
  waitsForCard: 'waitsForCard',
  /** An authorized session is open. */
  inSession: 'inSession',
  /** The contactor is closed. */
  energized: 'energized',
  /** A fault blocks the connector. */
  faulted: 'faulted',
} as const;
export type PointTag = (typeof Tag)[keyof typeof Tag];

/** What the driver's display shows for a state (app/display/driver-messages.ts words it). */
export type DisplayKey =
  | 'ready' | 'cardAccepted' | 'presentCard' | 'preparing' | 'starting' | 'charging' | 'stopping'
  | 'pausedByVehicle' | 'pausedByCharger' | 'finished' | 'fault';

/** The OCPP status of a state, as data: fixed, or by the stop intent, and what it becomes on an inoperative connector. */
export interface OcppStatusRule {
  readonly status: ChargePointStatus | { readonly [intent in StopIntent]: ChargePointStatus };
  /** OCPP 1.6 §4.9: an inoperative connector (ChangeAvailability) shows this once no session runs on it. */
  readonly inoperative?: ChargePointStatus;
}

/** The meta of a point-region state: one state node of every configuration carries it (test/state-machines checks). */
export interface PointStateMeta {
  readonly ocppStatus: OcppStatusRule;
  readonly display: DisplayKey;
}

type PointSnapshot = SnapshotFrom<typeof chargingPointMachine>;

/** The meta of the point region's active state. */
export function pointMeta(snapshot: PointSnapshot): PointStateMeta {
  const found = Object.values(snapshot.getMeta()).filter((meta): meta is PointStateMeta => meta?.ocppStatus !== undefined);
  if (found.length !== 1) throw new Error(`charging point state ${pointStateName(snapshot)} has ${found.length} status metas, not one`);
  return found[0]!;
}

/** The OCPP 1.6 §7.7 status of the connector in this snapshot. */
export function ocppStatusOf(snapshot: PointSnapshot): ChargePointStatus {
  const { status, inoperative } = pointMeta(snapshot).ocppStatus;
  const { context } = snapshot;
  if (!context.operative && inoperative !== undefined) return inoperative;
  return typeof status === 'string' ? status : status[context.stopIntent];
}

export function displayKeyOf(snapshot: PointSnapshot): DisplayKey {
  return pointMeta(snapshot).display;
}

/** The point region's state as a dotted path ("connected.session.energized.charging"), for people reading logs and the diagnostics API, never for logic. */
export function pointStateName(snapshot: PointSnapshot): string {
  const parts: string[] = [];
  let node: unknown = (snapshot.value as { point: unknown }).point;
  while (node !== undefined) {
    if (typeof node === 'string') {
      parts.push(node);
      break;
    }
    const entry = Object.entries(node as Record<string, unknown>)[0];
    if (entry === undefined) break;
    parts.push(entry[0]);
    node = entry[1];
  }
  return parts.join('.');
}
