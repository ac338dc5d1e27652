// Drives a socket's plug lock and checks that it moved. The lock never releases a plug while
// the contactor's mirror contact says the contacts are closed (a welded contactor keeps the socket live).
// A lock that lets go of the plug by itself is a fault at once: the plug could be drawn under load.

import type { Clock, TimerHandle } from '../../hal/clock.js';
import type { ConnectorLock, Contactor, LockPosition } from '../../hal/interfaces.js';
import type { FaultReporter } from './fault-reporter.js';

export class LockController {
  private timer: TimerHandle | null = null;
  /** A release that waits for the contacts to open. */
  private releasePending = false;
  private readonly unsubscribe: () => void;
  private readonly unsubscribeContactor: () => void;

  constructor(
    private readonly lock: ConnectorLock,
    private readonly contactor: Contactor,
    private readonly clock: Clock,
    private readonly timeoutMs: number,
    private readonly reporter: FaultReporter,
    private readonly onPosition: (position: LockPosition) => void,
  ) {
    this.unsubscribe = lock.onFeedback((position) => {
      if (position === lock.commanded) this.stopTimer();
      else if (position === 'unlocked' && this.timer === null) {
        // Commanded locked, confirmed, and now open without a command: raise (the contactor opens
        // before anything else runs), then tell the machine the lock is no longer confirmed.
        this.reporter.raise('LockFailure', { commanded: lock.commanded, feedback: position, uncommanded: true });
        this.reporter.clear('LockFailure');
      }
      this.onPosition(position);
    });
    this.unsubscribeContactor = contactor.onFeedback((position) => {
      if (position === 'open' && this.releasePending) this.release();
    });
  }

  get feedback(): LockPosition {
    return this.lock.readFeedback();
  }

  engage(): void {
    this.releasePending = false;
    this.command('locked');
  }

  /** Releases the plug, or, while the contacts may be live, as soon as they open. */
  release(): void {
    if (this.contactor.readFeedback() === 'closed') {
      this.releasePending = true;
      return;
    }
    this.releasePending = false;
    this.command('unlocked');
  }

  dispose(): void {
    this.unsubscribe();
    this.unsubscribeContactor();
    this.stopTimer();
  }

  private command(position: LockPosition): void {
    if (this.lock.commanded === position && this.lock.readFeedback() === position) {
      this.onPosition(position);
      return;
    }
    if (position === 'locked') this.lock.lock();
    else this.lock.unlock();
    this.stopTimer();
    if (this.lock.readFeedback() === position) {
      // Turned back before it moved (locked again while still letting go): no feedback change
      // will come, so say where it is now, or the session waits for a lock it already has.
      this.onPosition(position);
      return;
    }
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      if (this.lock.readFeedback() === position) return;
      this.reporter.raise('LockFailure', { commanded: position, feedback: this.lock.readFeedback(), waitedMs: this.timeoutMs });
      this.reporter.clear('LockFailure');
    }, this.timeoutMs);
  }

  private stopTimer(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }
}
