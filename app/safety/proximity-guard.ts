// Watches a socket's proximity pilot (PP) for the whole session (reference A4: "Monitor PP for
// the whole session"): an invalid coding with an EV plugged in is CableInvalid; a coding lost
// (open or invalid) while the contacts may be live is ProximityLost, and the contactor opens at
// once, because the cable's rating, and so the current limit, can no longer be trusted.

import type { Clock, TimerHandle } from '../../hal/clock.js';
import type { ControlPilot, ProximityReading } from '../../hal/interfaces.js';
import { classifyPilot, type PilotState } from '../../state-machines/pilot-state.js';
import type { FaultReporter } from './fault-reporter.js';

/**
 * Beyond the pilot debounce, how long a PP loss seen with the CP already at A waits for the
 * unplug to be confirmed before it counts as a fault (one sim or ADC sample period is enough).
 */
export const PROXIMITY_UNPLUG_MARGIN_MS = 10;

export interface ProximityGuardOptions {
  readonly pilot: ControlPilot;
  readonly clock: Clock;
  readonly reporter: FaultReporter;
  readonly pilotDebounceMs: number;
  /** The debounced pilot state. */
  readonly pilotState: () => PilotState;
  /** The contactor is commanded closed or its mirror contact says closed. */
  readonly contactsMayBeLive: () => boolean;
  /** Opens the contactor at once (the gate). */
  readonly openNow: () => void;
}

export class ProximityGuard {
  private unplugCheck: TimerHandle | null = null;

  constructor(private readonly options: ProximityGuardOptions) {}

  /** Judges one PP reading; synchronous, so a loss opens the contactor before this returns. */
  check(reading: ProximityReading): void {
    const { reporter } = this.options;
    if (reading.kind !== 'cable' && this.options.contactsMayBeLive()) this.lostUnderLoad(reading);
    if (reading.kind === 'invalid' && this.options.pilotState() !== 'A') reporter.raise('CableInvalid', { ohms: reading.ohms });
    else reporter.clear('CableInvalid');
  }

  dispose(): void {
    if (this.unplugCheck !== null) this.options.clock.clearTimeout(this.unplugCheck);
    this.unplugCheck = null;
  }

  /**
   * Open at once. If the EV still shows on the CP, the rating is lost under load: a fault. If the
   * CP already reads A, the EV left with the cable (an unplug whose debounce still runs): the
   * fault is raised only if that unplug is not confirmed within the pilot debounce.
   */
  private lostUnderLoad(reading: Exclude<ProximityReading, { kind: 'cable' }>): void {
    const { reporter, clock, pilot } = this.options;
    this.options.openNow();
    const values = { proximity: reading.kind, ohms: reading.kind === 'invalid' ? reading.ohms : null };
    if (classifyPilot(pilot.read().positiveV, this.options.pilotState()) !== 'A') {
      reporter.raise('ProximityLost', values);
      reporter.clear('ProximityLost');
      return;
    }
    if (this.unplugCheck !== null) return;
    this.unplugCheck = clock.setTimeout(() => {
      this.unplugCheck = null;
      if (this.options.pilotState() === 'A') return;
      reporter.raise('ProximityLost', values);
      reporter.clear('ProximityLost');
    }, this.options.pilotDebounceMs + PROXIMITY_UNPLUG_MARGIN_MS);
  }
}
