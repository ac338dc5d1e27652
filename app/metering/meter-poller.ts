// Polls the energy meter at a fixed rate. A meter that stops answering is a fault (no charging
// without metering); it clears by itself when the meter answers again.

import type { Clock, TimerHandle } from '../../hal/clock.js';
import type { EnergyMeter, MeterReading } from '../../hal/interfaces.js';
import type { FaultReporter } from '../safety/fault-reporter.js';

export class MeterPoller {
  private timer: TimerHandle | null = null;
  private inFlight: Promise<MeterReading | null> | null = null;
  private failures = 0;
  private faulted = false;
  private last: MeterReading | null = null;
  private lastAt = 0;
  private readonly listeners = new Set<(reading: MeterReading, at: number) => void>();

  constructor(
    private readonly meter: EnergyMeter,
    private readonly clock: Clock,
    private readonly pollIntervalMs: number,
    private readonly failuresBeforeFault: number,
    private readonly reporter: FaultReporter,
  ) {}

  start(): void {
    this.timer ??= this.clock.setInterval(() => void this.poll(), this.pollIntervalMs);
    void this.poll();
  }

  stop(): void {
    if (this.timer !== null) this.clock.clearInterval(this.timer);
    this.timer = null;
  }

  get lastReading(): MeterReading | null {
    return this.last;
  }

  get lastReadingAt(): number {
    return this.lastAt;
  }

  get ok(): boolean {
    return !this.faulted && this.last !== null;
  }

  onReading(listener: (reading: MeterReading, at: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Reads now (or joins the read in flight); resolves null when the meter did not answer. */
  poll(): Promise<MeterReading | null> {
    this.inFlight ??= this.meter.read().then(
      (reading) => this.accept(reading),
      (error: unknown) => this.fail(error),
    ).finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  private accept(reading: MeterReading): MeterReading {
    this.failures = 0;
    this.last = reading;
    this.lastAt = this.clock.now();
    if (this.faulted) {
      this.faulted = false;
      this.reporter.clear('MeterFailure');
    }
    for (const listener of this.listeners) listener(reading, this.lastAt);
    return reading;
  }

  private fail(error: unknown): null {
    this.failures += 1;
    if (!this.faulted && this.failures >= this.failuresBeforeFault) {
      this.faulted = true;
      this.reporter.raise('MeterFailure', {
        consecutiveFailures: this.failures,
        error: error instanceof Error ? error.message : String(error),
      });
    }
    return null;
  }
}
