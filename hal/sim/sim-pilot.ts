// Sim drivers for the control pilot and the proximity pilot: they hold the EVSE's output
// and report what the line measures; the line's physics is in pilot-physics.ts.

import {
  OutputWriteError,
  type ControlPilot,
  type Listener,
  type PilotLevels,
  type PilotOutput,
  type ProximityPilot,
  type ProximityReading,
  type Unsubscribe,
} from '../interfaces.js';
import { Listeners } from '../listeners.js';
import { measurePilot, type PilotLine } from './pilot-physics.js';

const HIGH: PilotOutput = Object.freeze({ mode: 'high' });
const ERROR: PilotOutput = Object.freeze({ mode: 'error' });

function copyOutput(output: PilotOutput): PilotOutput {
  switch (output.mode) {
    case 'high':
      return HIGH;
    case 'error':
      return ERROR;
    case 'pwm':
      if (!(output.dutyPercent >= 0 && output.dutyPercent <= 100)) {
        throw new RangeError(`PWM duty ${output.dutyPercent} % is outside 0–100 %`);
      }
      return Object.freeze({ mode: 'pwm', dutyPercent: output.dutyPercent });
    default:
      throw new TypeError(`unknown pilot output ${JSON.stringify(output)}`);
  }
}

export class SimControlPilot implements ControlPilot {
  private current: PilotOutput = HIGH;
  private levels: PilotLevels;
  private forceEmit = false;
  private writeFails = false;
  private readonly listeners = new Listeners<PilotLevels>();

  /**
   * @param line the physical CP line, shared with the connector model (which sets load, diode, faults)
   * @param outputChanged lets the EV see the new output before the levels are measured
   */
  constructor(
    private readonly line: PilotLine,
    private readonly outputChanged: (output: PilotOutput) => void,
    /** 1 = the output is held at state F from outside the driver (the board's safe-state release). */
    private readonly hold: Int32Array,
  ) {
    Atomics.store(hold, 0, 0);
    line.output = HIGH;
    this.levels = measurePilot(line);
  }

  get output(): PilotOutput {
    this.followHold();
    return this.current;
  }

  /** A pilot held at state F from outside the driver drives −12 V, whatever the driver last set. */
  followHold(): void {
    if (Atomics.load(this.hold, 0) === 0 || this.current === ERROR) return;
    this.apply(ERROR);
  }

  setOutput(output: PilotOutput): void {
    if (this.writeFails) throw new OutputWriteError('control pilot PWM', 'sim', 'injected fault outputWriteFails');
    this.apply(Atomics.load(this.hold, 0) === 0 ? copyOutput(output) : ERROR);
  }

  private apply(output: PilotOutput): void {
    this.current = output;
    this.line.output = this.current;
    this.forceEmit = true; // listeners hear of every setOutput, even if the levels stay the same
    this.outputChanged(this.current);
    this.refresh();
  }

  read(): PilotLevels {
    this.followHold();
    return this.levels;
  }

  /** outputWriteFails: the driver's writes fail (the line keeps its last output). */
  setWriteFails(fails: boolean): void {
    this.writeFails = fails;
  }

  onLevels(listener: Listener<PilotLevels>): Unsubscribe {
    return this.listeners.subscribe(listener);
  }

  /** Re-measures the line; notifies when the levels changed (or a setOutput is pending). */
  refresh(): void {
    const next = measurePilot(this.line);
    if (!this.forceEmit && next.positiveV === this.levels.positiveV && next.negativeV === this.levels.negativeV) return;
    this.forceEmit = false;
    this.levels = next;
    this.listeners.emit(next);
  }
}

const NO_CABLE: ProximityReading = Object.freeze({ kind: 'noCable' });

function sameReading(a: ProximityReading, b: ProximityReading): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'noCable') return true;
  if (a.kind === 'cable' && b.kind === 'cable' && a.ratingA !== b.ratingA) return false;
  return (a as { ohms: number }).ohms === (b as { ohms: number }).ohms;
}

export class SimProximityPilot implements ProximityPilot {
  private reading: ProximityReading = NO_CABLE;
  private readonly listeners = new Listeners<ProximityReading>();

  read(): ProximityReading {
    return this.reading;
  }

  onChange(listener: Listener<ProximityReading>): Unsubscribe {
    return this.listeners.subscribe(listener);
  }

  set(reading: ProximityReading): void {
    if (sameReading(reading, this.reading)) return;
    this.reading = reading;
    this.listeners.emit(reading);
  }
}
