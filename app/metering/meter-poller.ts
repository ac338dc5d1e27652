// Polls the energy meter at a fixed rate; a meter that stops answering is app/safety/meter-loss-guard.ts's to judge.

import type { Clock, TimerHandle } from '../../hal/clock.js';
import type { EnergyMeter, MeterReading } from '../../hal/interfaces.js';
import type { FaultReporter } from '../safety/fault-reporter.js';
import { MeterLossGuard } from '../safety/meter-loss-guard.js';

export class MeterPoller {
  private timer: TimerHandle | null = null;
  private inFlight: Promise<MeterReading | null> | null = null;
  private readonly lossGuard: MeterLossGuard;
  private last: MeterReading | null = null;
  private lastAt = 0;
  private readonly listeners = new Set<(reading: MeterReading, at: number) => void>();

  constructor(
    private readonly meter: EnergyMeter,
    private readonly clock: Clock,
    private readonly pollIntervalMs: number,
    failuresBeforeFault: number,
    reporter: FaultReporter,
  ) {
    this.lossGuard = new MeterLossGuard(failuresBeforeFault, reporter);
  }

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
    return !this.lossGuard.meterLost && this.last !== null;
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
    this.last = reading;
    this.lastAt = this.clock.now();
    this.lossGuard.answered();
    for (const listener of this.listeners) listener(reading, this.lastAt);
    return reading;
  }

  private fail(error: unknown): null {
    this.lossGuard.failed(error);
    return null;
  }
}
