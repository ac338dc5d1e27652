// The only code that commands a contactor. The charging-point machine decides when to close;
// the gate re-checks every close precondition against the hardware at the instant of closing
// (defence in depth: a wrong decision upstream still cannot close onto a fault), with the same
// rules as the machine's guard (state-machines/close-preconditions.ts), and watches the mirror contact.

import type { Clock, TimerHandle } from '../../hal/clock.js';
import type { Contactor, SwitchPosition } from '../../hal/interfaces.js';
import {
  MIN_CONTACTOR_OFF_TIME_MS,
  closeBlockers,
  type CloseBlocker,
  type CloseConditions,
} from '../../state-machines/close-preconditions.js';
import type { FaultReporter } from './fault-reporter.js';

/** The close preconditions as the hardware shows them now; the gate adds its own off-time check. */
export type HardwareCloseConditions = Omit<CloseConditions, 'offTimeElapsed'>;

export interface ContactorGateOptions {
  readonly contactor: Contactor;
  readonly clock: Clock;
  readonly reporter: FaultReporter;
  /** After every open, the mirror contact must confirm within this time, or the contactor is welded. */
  readonly feedbackTimeoutMs: number;
  readonly closeTimeoutMs: number;
  /** Reads every close precondition from the hardware (pilot, PP, lock, RCD, faults, session). */
  readonly conditions: () => HardwareCloseConditions;
  readonly onRefused?: (blockers: readonly CloseBlocker[]) => void;
}

export class ContactorGate {
  private watchdog: TimerHandle | null = null;
  /** A weld was reported and the mirror contact has not confirmed open since. */
  private weldReported = false;
  /** When the gate last opened a closed contactor. */
  private openedAt = Number.NEGATIVE_INFINITY;
  private readonly unsubscribe: () => void;

  constructor(private readonly options: ContactorGateOptions) {
    this.unsubscribe = options.contactor.onFeedback((position) => this.onFeedback(position));
  }

  get commanded(): SwitchPosition {
    return this.options.contactor.commanded;
  }

  get feedback(): SwitchPosition {
    return this.options.contactor.readFeedback();
  }

  /** What forbids closing at this instant; empty when closing is safe. */
  blockers(): CloseBlocker[] {
    const offTimeElapsed = this.options.clock.now() - this.openedAt >= MIN_CONTACTOR_OFF_TIME_MS;
    return closeBlockers({ ...this.options.conditions(), offTimeElapsed });
  }

  /** Closes if every interlock allows it; returns whether it did. */
  close(): boolean {
    const blockers = this.blockers();
    if (blockers.length > 0) {
      this.options.onRefused?.(blockers);
      return false;
    }
    if (this.options.contactor.commanded === 'closed') return true;
    this.options.contactor.close();
    this.watch('closed', this.options.closeTimeoutMs);
    return true;
  }

  /** Opens at once. Safe to call at any time, any number of times. */
  open(): void {
    const { contactor } = this.options;
    if (contactor.commanded === 'open') {
      // Already commanded open: re-assert, and keep any weld watch already running.
      if (contactor.readFeedback() === 'closed' && this.watchdog === null) this.watch('open', this.options.feedbackTimeoutMs);
      return;
    }
    contactor.open();
    this.openedAt = this.options.clock.now();
    this.watch('open', this.options.feedbackTimeoutMs);
  }

  dispose(): void {
    this.unsubscribe();
    this.stopWatch();
  }

  private watch(expected: SwitchPosition, timeoutMs: number): void {
    this.stopWatch();
    const commandedAt = this.options.clock.now();
    this.watchdog = this.options.clock.setTimeout(() => {
      this.watchdog = null;
      const { contactor, reporter } = this.options;
      if (contactor.commanded !== expected || contactor.readFeedback() === expected) return;
      const values = { commanded: expected, feedback: contactor.readFeedback(), waitedMs: this.options.clock.now() - commandedAt };
      if (expected === 'open') {
        // The condition lasts while the contacts stay welded: it clears (and latches) only when
        // the mirror contact confirms open, so a reset cannot clear it while the socket is live.
        this.weldReported = true;
        reporter.raise('ContactorWelded', values);
      } else {
        contactor.open();
        reporter.raise('ContactorStuckOpen', values);
        reporter.clear('ContactorStuckOpen');
      }
    }, timeoutMs);
  }

  private stopWatch(): void {
    if (this.watchdog !== null) this.options.clock.clearTimeout(this.watchdog);
    this.watchdog = null;
  }

  private onFeedback(position: SwitchPosition): void {
    const { contactor } = this.options;
    if (position === contactor.commanded) {
      this.stopWatch();
      if (position === 'open' && this.weldReported) {
        this.weldReported = false;
        this.options.reporter.clear('ContactorWelded');
      }
      return;
    }
    // The contacts moved without a command (or bounced back): give them the usual time to settle.
    if (this.watchdog === null) {
      this.watch(contactor.commanded, contactor.commanded === 'open' ? this.options.feedbackTimeoutMs : this.options.closeTimeoutMs);
    }
  }
}
