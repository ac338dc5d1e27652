// Turns measured control-pilot levels into debounced IEC 61851 states, and watches the pilot
// for its own faults: short to PE (E), levels outside every band, a missing EV diode, and an EV
// asking for ventilation where the site has none.

import type { Clock, TimerHandle } from '../../hal/clock.js';
import type { ControlPilot, PilotLevels } from '../../hal/interfaces.js';
import { classifyPilot, diodeMissing, diodeVerified, type PilotState } from '../../state-machines/pilot-state.js';
import type { FaultReporter } from './fault-reporter.js';

export interface PilotMonitorSink {
  onState(state: PilotState): void;
  onDiodeVerified(): void;
}

export class PilotMonitor {
  private accepted: PilotState = 'A';
  private candidate: PilotState = 'A';
  private candidateTimer: TimerHandle | null = null;
  /** The EV's diode was seen on the PWM's low level since it was plugged in. */
  private diodeSeen = false;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly pilot: ControlPilot,
    private readonly clock: Clock,
    /** A level must hold this long to count: shorter changes are glitches (A3: Tinkerforge 75 ms). */
    private readonly debounceMs: number,
    private readonly ventilationAvailable: boolean,
    private readonly reporter: FaultReporter,
    private readonly sink: PilotMonitorSink,
  ) {
    this.unsubscribe = pilot.onLevels((levels) => this.onLevels(levels));
  }

  get state(): PilotState {
    return this.accepted;
  }

  /** Whether the diode was seen since the EV was plugged in (IEC 61851-1 A.2.3: checked before every close). */
  get diodeVerified(): boolean {
    return this.diodeSeen;
  }

  /** Classifies the present levels at once, without debounce (at start-up). */
  prime(): void {
    // A fault present at start-up may already drive state F: that −12 V is ours, not the EV's.
    if (this.pilot.output.mode === 'error') return;
    const levels = this.pilot.read();
    this.candidate = classifyPilot(levels.positiveV, this.accepted);
    this.accept(this.candidate, levels);
  }

  dispose(): void {
    this.unsubscribe();
    if (this.candidateTimer !== null) this.clock.clearTimeout(this.candidateTimer);
  }

  private onLevels(levels: PilotLevels): void {
    // While the EVSE itself drives −12 V (state F) the EV's state cannot be read: keep the last one.
    if (this.pilot.output.mode === 'error') return;
    this.checkDiode(levels);
    const raw = classifyPilot(levels.positiveV, this.accepted);
    if (raw === this.accepted) {
      this.cancelCandidate();
      return;
    }
    if (raw === this.candidate && this.candidateTimer !== null) return;
    this.cancelCandidate();
    this.candidate = raw;
    this.candidateTimer = this.clock.setTimeout(() => {
      this.candidateTimer = null;
      this.accept(this.candidate, this.pilot.read());
    }, this.debounceMs);
  }

  private cancelCandidate(): void {
    if (this.candidateTimer !== null) this.clock.clearTimeout(this.candidateTimer);
    this.candidateTimer = null;
    this.candidate = this.accepted;
  }

  private accept(state: PilotState, levels: PilotLevels): void {
    this.accepted = state;
    if (state === 'A') this.diodeSeen = false;
    const values = { positiveV: round(levels.positiveV), negativeV: levels.negativeV === null ? null : round(levels.negativeV) };
    const { reporter } = this;
    if (state === 'E') reporter.raise('PilotShortToGround', values);
    else reporter.clear('PilotShortToGround');
    if (state === 'invalid' || state === 'F') reporter.raise('PilotFault', { ...values, state });
    else reporter.clear('PilotFault');
    if (state === 'D' && !this.ventilationAvailable) reporter.raise('VentilationNotAvailable', values);
    else reporter.clear('VentilationNotAvailable');
    this.sink.onState(state);
  }

  private checkDiode(levels: PilotLevels): void {
    if (this.pilot.output.mode !== 'pwm') return;
    if (diodeMissing(levels)) {
      this.diodeSeen = false;
      this.reporter.raise('DiodeFault', { positiveV: round(levels.positiveV), negativeV: round(levels.negativeV ?? 0) });
      this.reporter.clear('DiodeFault');
    } else if (diodeVerified(levels)) {
      this.diodeSeen = true;
      this.sink.onDiodeVerified();
    }
  }
}

function round(volts: number): number {
  return Math.round(volts * 100) / 100;
}
