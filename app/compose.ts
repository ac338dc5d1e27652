// How a charger is put together from its parts, in the one order that works: the board, then
// the OCPP client (connecting and sending its BootNotification at once: it needs nothing from
// the charger), then the stores and the charger, then the client following the charger, which
// reconciles its queue with the sessions a power cut left open. app/main.ts runs it on the
// system clock; the end-to-end rig runs it on a virtual one.

import type { BoardProfile } from '../config/board-profile.js';
import type { ChargerConfig } from '../config/charger-config.js';
import type { Clock } from '../hal/clock.js';
import { loadBoard, type LoadedBoard } from '../hal/load-board.js';
import type { Charger } from './charger.js';
import type { OcppClient, OcppClientOptions } from './ocpp/ocpp-client.js';
import type { PersistenceProblem } from './persistence/durable-json-file.js';
import { FailSafe, type FailSafeOptions } from './safety/fail-safe.js';
import { SecurityEventLog } from './security/security-events.js';

export interface ComposeOptions {
  readonly config: ChargerConfig;
  readonly profile: BoardProfile;
  readonly dataDir: string;
  readonly clock: Clock;
  /** For the OCPP client, when `config.ocpp.csmsUrl` is set. */
  readonly ocpp: Pick<OcppClientOptions, 'tls' | 'firmwareVersion' | 'log' | 'restart' | 'onBootSent' | 'connectDelayMs'>;
  readonly chargerLog: (message: string, fields?: Record<string, unknown>) => void;
  /** A store could not read or write its file (a damaged one is also recorded as a StorageCorruption security event). */
  readonly reportPersistence: (problem: unknown) => void;
  /** How the fail-safe path over this board logs and exits (app/main.ts); without, actor errors are thrown as uncaught exceptions. */
  readonly failSafe?: Pick<FailSafeOptions, 'log' | 'exit'>;
  /** For tests: acts on the loaded board before anything starts (e.g. a simulated EV plugged in at power-up). */
  readonly prepareBoard?: (board: LoadedBoard) => void;
}

export interface ChargerParts {
  readonly board: LoadedBoard;
  readonly charger: Charger;
  /** Null for a standalone charger (no `ocpp.csmsUrl`). */
  readonly ocpp: OcppClient | null;
  /** The fail-safe path over this board, when options.failSafe was given. */
  readonly failSafe: FailSafe | null;
  readonly securityEvents: SecurityEventLog;
}

/** Builds and starts the charger. Throws HardwareUnavailableError when the board's hardware is missing. */
export async function composeCharger(options: ComposeOptions): Promise<ChargerParts> {
  const { config, profile, dataDir, clock } = options;
  // First: every damaged file found from here on is recorded in it (its own, once it is open).
  const isDamage = (problem: unknown): problem is PersistenceProblem => (problem as Partial<PersistenceProblem>).kind === 'corrupt';
  const foundAtOpen: string[] = [];
  const securityEvents = await SecurityEventLog.open(dataDir, {
    report: (problem) => {
      options.reportPersistence(problem);
      if (isDamage(problem)) foundAtOpen.push(problem.message);
    },
    now: () => new Date(clock.now()),
  });
  const recordDamage = (message: string): void => void securityEvents.record('StorageCorruption', message);
  foundAtOpen.forEach(recordDamage);
  const report = (problem: unknown): void => {
    options.reportPersistence(problem);
    if (isDamage(problem)) recordDamage(problem.message);
  };

  const board = await loadBoard({
    profile,
    clock,
    connectors: config.connectors,
    nominalVoltageV: config.site.nominalVoltageV,
    dataDir,
    reportDamage: (message) => report({ kind: 'corrupt', message }),
  });
  options.prepareBoard?.(board);
  const failSafe = options.failSafe ? new FailSafe({ ...options.failSafe, hardware: board.hardware }) : null;

  const csmsUrl = config.ocpp.csmsUrl;
  // Loaded only when used: a standalone charger does not carry the OCPP client's code and schemas.
  const ocpp = csmsUrl
    ? await (await import('./ocpp/ocpp-client.js')).OcppClient.open({ ...options.ocpp, config, csmsUrl, dataDir, clock, meterType: profile.name, onStorageDamage: recordDamage })
    : null;

  // The OCPP client is connecting meanwhile: its BootNotification does not wait for the charger
  // (whose modules load now, giving the connection's events their turns).
  const [{ Charger }, { SessionStore }, { FaultLogStore }] = await Promise.all([
    import('./charger.js'),
    import('./persistence/session-store.js'),
    import('./persistence/fault-log-store.js'),
  ]);
  const [sessions, faultLog] = await Promise.all([SessionStore.open(dataDir, { report, clock, forBackend: ocpp !== null }), FaultLogStore.open(dataDir, { report })]);

  const charger = new Charger({
    config,
    hardware: board.hardware,
    clock,
    sessions,
    faultLog,
    ...(ocpp?.authorizer ? { authorizer: ocpp.authorizer } : {}),
    ...(failSafe ? { onSoftwareFault: failSafe.trip } : {}),
    log: options.chargerLog,
  });
  const openBefore = new Set(sessions.open().map((s) => s.sessionId));
  await charger.start();
  if (ocpp) await ocpp.start(charger, openBefore);
  return { board, charger, ocpp, failSafe, securityEvents };
}
