// After a restart, the queue and the session store may each have seen a session end the other
// has not: a power cut can fall between the two writes, and a damaged journal loses records.
// What is missing is queued now, oldest first across connectors, so the backend sees every
// session start and stop (OCPP 1.6 §3.7, §4.10 reason PowerLoss). No session the store holds
// goes unbilled.
//
// Sessions the store knows were handed to the backend (`delivery`, set before the queue records
// a delivery, see transaction-sender.ts) are checked one by one, every one short of stopSent:
// one whose Start the backend does not have (queued) and the queue does not hold gets its Start
// and Stop queued (a Stop of it still queued is then superseded in the queue: it would come
// first); else one whose Stop the queue does not hold gets its Stop queued.
// Sessions without `delivery` (kept by an older firmware, or while the charger had no backend)
// and transactions the store never kept are reconciled per connector from the queue's memory
// of its last transaction there: whether its StopTransaction was queued.

import type { Clock } from '../../../hal/clock.js';
import type { SessionRecord } from '../../records.js';
import type { ChargerPort } from '../charger-port.js';
import type { TransactionQueue } from '../queue/transaction-queue.js';

export interface ReconcileOptions {
  readonly charger: ChargerPort;
  readonly queue: TransactionQueue;
  readonly clock: Clock;
  /** Sessions the charger found open at this start and closed with PowerLoss. */
  readonly recoveredSessionIds: ReadonlySet<string>;
  readonly enqueueStart: (session: SessionRecord) => Promise<void>;
  readonly enqueueStop: (session: SessionRecord, stoppedByIdTag: string | null) => Promise<void>;
  readonly log: (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;
}

/** Something to queue, and the time it happened (for oldest-first across connectors). */
interface Step {
  readonly at: number;
  readonly queue: () => Promise<void>;
}

export async function reconcileAfterRestart(options: ReconcileOptions): Promise<void> {
  const { charger, queue, recoveredSessionIds, log } = options;
  const sessions = charger.sessions();
  const queued = queue.queuedActions();
  // A damaged journal may have lost a transactionId the store kept: messages still queued need it.
  for (const { sessionId, backendTransactionId } of sessions) {
    if (backendTransactionId !== undefined && queued.has(sessionId) && queue.transactionIdFor(sessionId) === undefined) {
      await queue.setTransactionId(sessionId, backendTransactionId);
    }
  }
  const perConnector: Step[][] = [];
  for (const connectorId of charger.connectorIds) {
    const steps: Step[] = [];
    perConnector.push(steps);
    const own = sessions.filter((s) => s.connectorId === connectorId);
    for (const session of own) {
      const step = unsentSession(session, queued.get(session.sessionId), options);
      if (step) steps.push(step);
    }

    const last = queue.lastTransaction(connectorId);
    const known = last ? own.find((s) => s.sessionId === last.localTransactionId) : undefined;

    if (last && !last.stopQueued && known?.delivery === undefined) {
      if (known?.stoppedAt) {
        steps.push({
          at: Date.parse(known.stoppedAt),
          queue: () => {
            log('warn', 'queueing the StopTransaction a restart cut off', { connectorId, sessionId: known.sessionId });
            return options.enqueueStop(known, null);
          },
        });
      } else if (!known) {
        // Queued, but the store never kept the session: it ended with the power.
        const ghost = await ghostSession(charger, options.clock, connectorId, last.localTransactionId);
        steps.push({
          at: Date.parse(ghost.stoppedAt!),
          queue: () => {
            log('warn', 'closing a transaction the session store never kept, reason PowerLoss', { connectorId, sessionId: ghost.sessionId });
            return options.enqueueStop(ghost, null);
          },
        });
      }
    }

    // Sessions the store kept but the queue never heard of: cut off right at their start. They are
    // the ones closed with PowerLoss after the queue's last transaction on this connector (a later
    // start may have closed one and died before this ran), or, with nothing queued here yet, the
    // one closed at this start (older sessions predate OCPP and are not sent).
    const lastIndex = known ? own.indexOf(known) : -1;
    const hidden = lastIndex >= 0
      ? own.slice(lastIndex + 1).filter((s) => s.stopReason === 'PowerLoss')
      : own.filter((s) => recoveredSessionIds.has(s.sessionId) && s.sessionId !== last?.localTransactionId);
    for (const session of hidden) {
      if (session.delivery !== undefined) continue; // checked above
      steps.push({
        at: Date.parse(session.startedAt),
        queue: async () => {
          log('warn', 'queueing StartTransaction and StopTransaction of a session a power cut hid from the queue', { connectorId, sessionId: session.sessionId });
          await options.enqueueStart(session);
          await options.enqueueStop(session, null);
        },
      });
    }
  }

  // Oldest first across connectors, and within each (a stable sort keeps equal times in order).
  for (const steps of perConnector) steps.sort((a, b) => a.at - b.at);
  for (;;) {
    let next: Step[] | undefined;
    for (const steps of perConnector) if (steps.length > 0 && (!next || steps[0]!.at < next[0]!.at)) next = steps;
    if (!next) return;
    await next.shift()!.queue();
  }
}

/** What a stopped session the store knows was handed to the backend still needs, if anything. */
function unsentSession(session: SessionRecord, inQueue: ReadonlySet<string> | undefined, options: ReconcileOptions): Step | null {
  const { delivery, sessionId, connectorId } = session;
  if (delivery === undefined || delivery === 'stopSent' || !session.stoppedAt) return null;
  const needsStart = delivery === 'queued' && !inQueue?.has('StartTransaction');
  if (!needsStart && inQueue?.has('StopTransaction')) return null;
  if (!needsStart) {
    return {
      at: Date.parse(session.stoppedAt),
      queue: async () => {
        options.log('warn', 'queueing the StopTransaction the queue does not hold', { connectorId, sessionId });
        // The queue may have lost the transactionId with its journal; the store kept it.
        const { backendTransactionId } = session;
        if (backendTransactionId !== undefined && options.queue.transactionIdFor(sessionId) === undefined) {
          await options.queue.setTransactionId(sessionId, backendTransactionId);
        }
        return options.enqueueStop(session, null);
      },
    };
  }
  return {
    at: Date.parse(session.startedAt),
    queue: async () => {
      options.log('warn', 'queueing StartTransaction and StopTransaction of a session the queue does not hold', { connectorId, sessionId });
      await options.enqueueStart(session);
      await options.enqueueStop(session, null);
    },
  };
}

/** A stand-in record for a transaction the store lost: stopped now, at the meter's register. */
async function ghostSession(charger: ChargerPort, clock: Clock, connectorId: number, sessionId: string): Promise<SessionRecord> {
  const meterWh = await currentRegister(charger, clock, connectorId);
  const now = new Date(clock.now()).toISOString();
  return {
    sessionId,
    connectorId,
    idTag: null,
    startedAt: now,
    stoppedAt: now,
    meterStartWh: meterWh,
    meterStopWh: meterWh,
    energyWh: 0,
    maxPowerW: 0,
    stopReason: 'PowerLoss',
    stopFault: null,
  };
}

/** The meter's register now; waits (a little) for the first reading after start-up. */
function currentRegister(charger: ChargerPort, clock: Clock, connectorId: number, waitMs = 5000): Promise<number> {
  const now = charger.connector(connectorId).meter;
  if (now) return Promise.resolve(now.importEnergyWh);
  return new Promise((resolve) => {
    const timer = clock.setTimeout(() => {
      unsubscribe();
      resolve(charger.connector(connectorId).meter?.importEnergyWh ?? 0);
    }, waitMs);
    const unsubscribe = charger.onEvent((event) => {
      if (event.type !== 'meterReading' || event.connectorId !== connectorId) return;
      clock.clearTimeout(timer);
      unsubscribe();
      resolve(event.reading.importEnergyWh);
    });
  });
}
