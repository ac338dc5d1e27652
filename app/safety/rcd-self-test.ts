// When the residual current module is tested: at boot, after a technician reset of a failed test,
// and again whenever its last passed test is `intervalMs` old (24 h at most, reference A5:
// Tinkerforge's EVSE tests its RCD every 24 h; OpenEVSE before every relay close). A stale or
// running test reads as not passed, so the contactor cannot close (the machine's guard and the
// gate both ask) until a fresh test has passed: a session waits in its offering step meanwhile.
// The module is only tested while the contactor is open, never under load; a due test waits for
// the contactor to open. Only the RCD module is awaited: nothing on the safety path waits on the
// network, the disk or the display.

import type { Clock, TimerHandle } from '../../hal/clock.js';
import type { Contactor, ResidualCurrentMonitor, SwitchPosition } from '../../hal/interfaces.js';

export type RcdSelfTestState = 'pending' | 'passed' | 'failed';

export interface RcdSelfTestOptions {
  readonly monitor: ResidualCurrentMonitor;
  /** Read only: a test runs while it is commanded and confirmed open. */
  readonly contactor: Contactor;
  readonly clock: Clock;
  /** How long a passed test vouches for the module (safety.rcdSelfTestIntervalMs). */
  readonly intervalMs: number;
  /** Every change of state: a test started or expired (pending), passed, failed. */
  readonly onState: (state: RcdSelfTestState) => void;
}

export class RcdSelfTestScheduler {
  private result: RcdSelfTestState = 'pending';
  /** When the last passed test started (its age counts from there). */
  private passedAt = -Infinity;
  private running = false;
  private expiry: TimerHandle | null = null;
  private disposed = false;
  private readonly unsubscribe: () => void;

  constructor(private readonly options: RcdSelfTestOptions) {
    this.unsubscribe = options.contactor.onFeedback((position) => this.onContactor(position));
  }

  /** Passed only while the last test passed less than `intervalMs` ago. */
  get state(): RcdSelfTestState {
    if (this.running) return 'pending';
    if (this.result === 'passed' && this.options.clock.now() - this.passedAt >= this.options.intervalMs) return 'pending';
    return this.result;
  }

  /** Tests now (boot, technician reset), unless a test is already running. */
  run(): void {
    if (this.running || this.disposed) return;
    this.running = true;
    this.stopExpiry();
    const startedAt = this.options.clock.now();
    this.options.onState('pending');
    let test: Promise<boolean>;
    try {
      test = this.options.monitor.selfTest();
    } catch {
      test = Promise.resolve(false); // a driver that throws has not shown the module trips
    }
    void test.then(
      (passed) => this.finish(passed, startedAt),
      () => this.finish(false, startedAt),
    );
  }

  dispose(): void {
    this.disposed = true;
    this.unsubscribe();
    this.stopExpiry();
  }

  private finish(passed: boolean, startedAt: number): void {
    this.running = false;
    if (this.disposed) return;
    this.result = passed ? 'passed' : 'failed';
    if (passed) {
      this.passedAt = startedAt;
      this.expiry = this.options.clock.setTimeout(() => this.onExpired(), Math.max(0, startedAt + this.options.intervalMs - this.options.clock.now()));
    }
    this.options.onState(this.result);
  }

  private onExpired(): void {
    this.expiry = null;
    this.options.onState('pending');
    if (this.contactorOpen()) this.run();
    // Otherwise the contactor is closed: the test runs once it opens (onContactor), before any new close.
  }

  private onContactor(position: SwitchPosition): void {
    if (position === 'open' && this.result === 'passed' && this.state === 'pending' && this.contactorOpen()) this.run();
  }

  private contactorOpen(): boolean {
    const { contactor } = this.options;
    return contactor.commanded === 'open' && contactor.readFeedback() === 'open';
  }

  private stopExpiry(): void {
    if (this.expiry !== null) this.options.clock.clearTimeout(this.expiry);
    this.expiry = null;
  }
}
