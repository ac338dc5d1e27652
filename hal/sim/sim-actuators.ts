// Sim drivers for the things that move: the contactor (20 ms) and the connector lock (200 ms).
// The feedback follows the command after the mechanical delay, unless a fault holds the
// mechanism where it is; once the fault is cleared the mechanism follows its command again.
//
// The contactor's coil is a word of shared memory (the board's SafeStateRelease.coils), as a
// coil driven by a GPIO line is a register another thread can write: the event-loop watchdog's
// worker drops it while the main thread is stalled, and the mechanism follows the coil.

import type { TimerHandle } from '../clock.js';
import { OutputWriteError, type Contactor, type ConnectorLock, type Listener, type LockPosition, type SwitchPosition, type Unsubscribe } from '../interfaces.js';
import { Listeners } from '../listeners.js';
import type { SimTimers } from './sim-timers.js';

export const CONTACTOR_DELAY_MS = 20;
export const LOCK_DELAY_MS = 200;

/** A mechanism moving to its commanded position after a delay; `canMove` is asked when the move completes. */
class DelayedMechanism<P extends string> {
  commanded: P;
  position: P;
  private pending: TimerHandle | undefined;
  readonly listeners = new Listeners<P>();

  constructor(
    private readonly timers: SimTimers,
    private readonly delayMs: number,
    initial: P,
    private readonly canMove: (target: P) => boolean,
    private readonly beforeMove: () => void,
  ) {
    this.commanded = initial;
    this.position = initial;
  }

  command(target: P): void {
    this.commanded = target;
    this.pending = this.timers.cancel(this.pending);
    if (target === this.position) return;
    this.pending = this.timers.after(this.delayMs, () => {
      this.pending = undefined;
      if (this.position === target || !this.canMove(target)) return;
      this.beforeMove();
      this.position = target;
      this.listeners.emit(target);
    });
  }

  /** After a fault is cleared: move to the command if not there. */
  reapply(): void {
    if (this.pending === undefined && this.position !== this.commanded) this.command(this.commanded);
  }
}

export class SimContactor implements Contactor {
  private welded = false;
  private wontClose = false;
  private writeFails = false;
  private readonly mechanism: DelayedMechanism<SwitchPosition>;

  /**
   * @param beforeMove called just before the main contacts move (to integrate energy up to that instant)
   * @param coil this contactor's coil word (1 = energized), shared with whoever may release it
   * @param delayMs the mechanical delay (the sim profile's contactorDropOutMs)
   */
  constructor(timers: SimTimers, beforeMove: () => void, private readonly coil: Int32Array, delayMs: number = CONTACTOR_DELAY_MS) {
    Atomics.store(coil, 0, 0);
    this.mechanism = new DelayedMechanism<SwitchPosition>(
      timers,
      delayMs,
      'open',
      (target) => (target === 'open' ? !this.welded : !this.wontClose),
      beforeMove,
    );
  }

  close(): void {
    this.driveCoil(1);
    this.mechanism.command('closed');
  }

  open(): void {
    this.driveCoil(0);
    this.mechanism.command('open');
  }

  get commanded(): SwitchPosition {
    this.followCoil();
    return this.mechanism.commanded;
  }

  /** The mirror contact is mechanically tied to the main contacts. */
  readFeedback(): SwitchPosition {
    this.followCoil();
    return this.mechanism.position;
  }

  /** A coil released from outside the driver (another thread, the exit path) lets the contacts drop. */
  followCoil(): void {
    if (Atomics.load(this.coil, 0) === 0 && this.mechanism.commanded === 'closed') this.mechanism.command('open');
  }

  /** outputWriteFails: the driver's writes to the coil fail (the coil stays as it was). */
  setWriteFails(fails: boolean): void {
    this.writeFails = fails;
  }

  onFeedback(listener: Listener<SwitchPosition>): Unsubscribe {
    return this.mechanism.listeners.subscribe(listener);
  }

  /** Where the main contacts physically are. */
  get contactsClosed(): boolean {
    return this.mechanism.position === 'closed';
  }

  /** Welded contacts do not open; if open now, they weld at the next close. */
  setWelded(welded: boolean): void {
    this.welded = welded;
    if (!welded) this.mechanism.reapply();
  }

  setWontClose(wontClose: boolean): void {
    this.wontClose = wontClose;
    if (!wontClose) this.mechanism.reapply();
  }

  private driveCoil(value: 0 | 1): void {
    if (this.writeFails) throw new OutputWriteError('contactor coil', 'sim', 'injected fault outputWriteFails');
    Atomics.store(this.coil, 0, value);
  }
}

export class SimConnectorLock implements ConnectorLock {
  private stuck = false;
  private slipped = false;
  private readonly mechanism: DelayedMechanism<LockPosition>;

  constructor(timers: SimTimers) {
    this.mechanism = new DelayedMechanism<LockPosition>(
      timers,
      LOCK_DELAY_MS,
      'unlocked',
      (target) => !this.stuck && !(this.slipped && target === 'locked'),
      () => {},
    );
  }

  lock(): void {
    this.mechanism.command('locked');
  }

  unlock(): void {
    this.mechanism.command('unlocked');
  }

  get commanded(): LockPosition {
    return this.mechanism.commanded;
  }

  readFeedback(): LockPosition {
    return this.mechanism.position;
  }

  onFeedback(listener: Listener<LockPosition>): Unsubscribe {
    return this.mechanism.listeners.subscribe(listener);
  }

  /** lockFailure: the motor does not move; the feedback stays where it was. */
  setStuck(stuck: boolean): void {
    this.stuck = stuck;
    if (!stuck) this.mechanism.reapply();
  }

  /** lockSlip: the pin is pushed back to unlocked whatever the command, and cannot lock while it lasts. */
  setSlipped(slipped: boolean): void {
    this.slipped = slipped;
    if (slipped && this.mechanism.position !== 'unlocked') {
      this.mechanism.position = 'unlocked';
      this.mechanism.listeners.emit('unlocked');
    }
    if (!slipped) this.mechanism.reapply();
  }
}
