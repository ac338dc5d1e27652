// The plug lock: a motor (or solenoid) driven one way by `lockMotor` and the other way by
// `unlockMotor`, for a pulse of `pulseMs`, and a feedback switch.
// Translation only: the app's lock controller times the feedback and raises LockFailure.
//
// The two motor lines are never asserted together: a new command first releases the other line
// (and any pulse still running), then starts its own pulse.
//
// Wiring rule: the feedback switch asserts its input when the plug is locked. A broken wire then
// reads "unlocked", and the app never energises a plug it cannot see locked.

import type { Clock, TimerHandle } from '../clock.js';
import type { ConnectorLock, Listener, LockPosition, Unsubscribe } from '../interfaces.js';
import type { GpioInput, GpioOutput } from './gpio-line.js';

export class GpioLock implements ConnectorLock {
  private current: LockPosition = 'unlocked';
  private pulse: TimerHandle | null = null;
  private readonly pulseMs: number;

  constructor(
    private readonly lockMotor: GpioOutput,
    private readonly unlockMotor: GpioOutput,
    private readonly feedback: GpioInput,
    private readonly clock: Clock,
    options: { pulseMs: number },
  ) {
    if (!(Number.isFinite(options.pulseMs) && options.pulseMs > 0)) {
      throw new RangeError(`lock pulseMs must be a number > 0 (got ${options.pulseMs})`);
    }
    this.pulseMs = options.pulseMs;
    this.stopMotor();
  }

  lock(): void {
    this.drive('locked');
  }

  unlock(): void {
    this.drive('unlocked');
  }

  get commanded(): LockPosition {
    return this.current;
  }

  readFeedback(): LockPosition {
    return position(this.feedback.read());
  }

  onFeedback(listener: Listener<LockPosition>): Unsubscribe {
    return this.feedback.onChange((locked) => listener(position(locked)));
  }

  /** Whether a motor pulse is running. */
  get moving(): boolean {
    return this.pulse !== null;
  }

  /** Stops any pulse and the motor. The lines stay open (their owner closes them). */
  close(): void {
    this.stopMotor();
  }

  private drive(target: LockPosition): void {
    this.current = target;
    this.stopMotor();
    const motor = target === 'locked' ? this.lockMotor : this.unlockMotor;
    motor.set(true);
    this.pulse = this.clock.setTimeout(() => {
      this.pulse = null;
      motor.set(false);
    }, this.pulseMs);
  }

  private stopMotor(): void {
    if (this.pulse !== null) this.clock.clearTimeout(this.pulse);
    this.pulse = null;
    this.lockMotor.set(false);
    this.unlockMotor.set(false);
  }
}

function position(locked: boolean): LockPosition {
  return locked ? 'locked' : 'unlocked';
}
