// The one path every software fault takes: an actor that failed (a machine's action threw, e.g. a
// driver write), an uncaught exception, an unhandled rejection, a fatal signal, a stalled event
// loop. It opens every contactor through the HAL directly (each driver, then the board's
// safe-state release, which needs no driver object), puts every control pilot to state F, logs
// the fault synchronously (the process is about to die), then exits non-zero so that the service
// manager restarts the firmware. Nothing here goes through the machines or the contactor gate:
// they may be the broken part.
//
// Coils are also de-energized on every way out of the process: install() adds a
// process 'exit' handler that carries out the safe-state release synchronously.

import { writeSync } from 'node:fs';
import type { BoardHardware } from '../../hal/interfaces.js';
import { releaseSafeState } from '../../hal/safe-state.js';

/** Exit code after a software fault: EX_SOFTWARE of sysexits.h ("internal software error"). */
export const EXIT_SOFTWARE_FAULT = 70;

/** Signals that end the process other than the clean stop (SIGTERM, SIGINT in app/main.ts). */
export const FATAL_SIGNALS = ['SIGHUP', 'SIGQUIT', 'SIGUSR2'] as const;

export type SoftwareFaultSource = 'actor' | 'uncaughtException' | 'unhandledRejection' | 'signal' | 'eventLoopStall';

export interface SoftwareFault {
  readonly source: SoftwareFaultSource;
  /** Which part failed, e.g. "connector 1 charging-point machine", "SIGHUP". */
  readonly where: string;
  readonly error: unknown;
}

/** Hears a software fault: what actors' error observers call (app/charger.ts, app/connector/connector.ts). */
export type SoftwareFaultHandler = (fault: SoftwareFault) => void;

/** What the fail-safe path logged, one record per fault. */
export interface FailSafeRecord {
  readonly source: SoftwareFaultSource;
  readonly where: string;
  readonly error: string;
  /** Outputs that could not be released (each driver and each safe-state write is tried). */
  readonly releaseFailures: readonly string[];
}

export interface FailSafeOptions {
  readonly hardware: BoardHardware;
  /** Must write before it returns: after it the process exits. */
  readonly log: (record: FailSafeRecord) => void;
  /** process.exit in the firmware; tests record the code instead. */
  readonly exit: (code: number) => void;
}

export class FailSafe {
  private first: SoftwareFault | null = null;

  constructor(private readonly options: FailSafeOptions) {}

  /** The fault that tripped it, if any. */
  get fault(): SoftwareFault | null {
    return this.first;
  }

  /** The fail-safe path. Safe to call again (a second fault while dying): it de-energizes again, logs and exits once. */
  readonly trip: SoftwareFaultHandler = (fault) => {
    const releaseFailures = this.deEnergize();
    if (this.first) return;
    this.first = fault;
    this.options.log({ source: fault.source, where: fault.where, error: describe(fault.error), releaseFailures });
    this.options.exit(EXIT_SOFTWARE_FAULT);
  };

  /**
   * Every contactor open and every pilot to state F: through each driver first, then through the
   * board's safe-state release, in case a driver is the broken part. Never throws; returns what failed.
   */
  deEnergize(): string[] {
    const failures: string[] = [];
    const attempt = (what: string, act: () => void): void => {
      try {
        act();
      } catch (error) {
        failures.push(`${what}: ${describe(error)}`);
      }
    };
    const { hardware } = this.options;
    for (const connector of hardware.connectors) {
      attempt(`connector ${connector.connectorId} contactor`, () => connector.contactor.open());
      attempt(`connector ${connector.connectorId} pilot`, () => connector.pilot.setOutput({ mode: 'error' }));
    }
    failures.push(...releaseSafeState(hardware.safeState));
    return failures;
  }

  /**
   * Routes the process's own ways of failing here (uncaught exceptions, unhandled rejections,
   * fatal signals) and de-energizes the coils on 'exit', whatever the way out. Returns the undo.
   */
  install(target: NodeJS.EventEmitter = process): () => void {
    const handlers: [string, (...args: any[]) => void][] = [
      ['uncaughtException', (error: unknown) => this.trip({ source: 'uncaughtException', where: 'process', error })],
      ['unhandledRejection', (reason: unknown) => this.trip({ source: 'unhandledRejection', where: 'process', error: reason })],
      ['exit', () => void this.deEnergize()],
      ...FATAL_SIGNALS.map((signal): [string, () => void] => [signal, () => this.trip({ source: 'signal', where: signal, error: `received ${signal}` })]),
    ];
    for (const [event, handler] of handlers) target.on(event, handler);
    return () => {
      for (const [event, handler] of handlers) target.off(event, handler);
    };
  }
}

/** The firmware's log: one pino-shaped JSON line (level fatal) on stdout, written before it returns. */
export function logFailSafeSync(record: FailSafeRecord): void {
  const line = { level: 60, time: new Date().toISOString(), app: 'charger', pid: process.pid, failSafe: true, ...record, msg: 'software fault: contactors opened, pilots to state F, exiting' };
  try {
    writeSync(1, `${JSON.stringify(line)}\n`);
  } catch {
    // stdout gone: the exit code still tells the service manager.
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return String(error);
}
