// Sim drivers for the control pilot and the proximity pilot: they hold the EVSE's output
// and report what the line measures; the line's physics is in pilot-physics.ts.

import type {
  ControlPilot,
  Listener,
  PilotLevels,
  PilotOutput,
  ProximityPilot,
  ProximityReading,
  Unsubscribe,
} from '../interfaces.js';
import { Emitter } from './emitter.js';
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
  private readonly emitter = new Emitter<PilotLevels>();

  /**
   * @param line the physical CP line, shared with the connector model (which sets load, diode, faults)
   * @param outputChanged lets the EV see the new output before the levels are measured
   */
  constructor(
    private readonly line: PilotLine,
    private readonly outputChanged: (output: PilotOutput) => void,
  ) {
    line.output = HIGH;
    this.levels = measurePilot(line);
  }

  get output(): PilotOutput {
    return this.current;
  }

  setOutput(output: PilotOutput): void {
    this.current = copyOutput(output);
    this.line.output = this.current;
    this.forceEmit = true; // listeners hear of every setOutput, even if the levels stay the same
    this.outputChanged(this.current);
    this.refresh();
  }

  read(): PilotLevels {
    return this.levels;
  }

  onLevels(listener: Listener<PilotLevels>): Unsubscribe {
    return this.emitter.subscribe(listener);
  }

  /** Re-measures the line; notifies when the levels changed (or a setOutput is pending). */
  refresh(): void {
    const next = measurePilot(this.line);
    if (!this.forceEmit && next.positiveV === this.levels.positiveV && next.negativeV === this.levels.negativeV) return;
    this.forceEmit = false;
    this.levels = next;
    this.emitter.emit(next);
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
  private readonly emitter = new Emitter<ProximityReading>();

  read(): ProximityReading {
    return this.reading;
  }

  onChange(listener: Listener<ProximityReading>): Unsubscribe {
    return this.emitter.subscribe(listener);
  }

  set(reading: ProximityReading): void {
    if (sameReading(reading, this.reading)) return;
    this.reading = reading;
    this.emitter.emit(reading);
  }
}
