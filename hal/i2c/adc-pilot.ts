// The control pilot on a real board: a PWM channel drives a ±12 V op-amp stage (duty 100 % =
// steady +12 V, 0 % = steady −12 V), and two peak detectors (one holds the high level, one the
// low level) feed two ADS1115 channels through a divider: CP volts = adcVolts × scale + offsetV.
//
// Translation only: this driver measures; the app's pilot monitor classifies and debounces.
// The levels are sampled every `pollMs` (the high channel; in PWM also the low one) and reported
// after every setOutput and whenever a level moves by more than LEVEL_CHANGE_V. While the output
// is steady there is no low half to sample: negativeV is null. After a setOutput, negativeV stays
// null until a low-level sample taken after the change is in, so a stale −12 V can never
// vouch for an EV's diode. A sample that straddles a setOutput is dropped and taken again.
// A failed read keeps the last levels and counts an error (readErrors); after
// UNREADABLE_AFTER_ERRORS failures in a row the levels are reported as unreadable (NaN), which
// no IEC 61851 state band contains, so a dead ADC cannot freeze the pilot at "charging".

import type { Clock } from '../clock.js';
import type { ControlPilot, Listener, PilotLevels, PilotOutput, Unsubscribe } from '../interfaces.js';
import type { SysfsPwm } from '../pwm/sysfs-pwm.js';
import { Listeners } from '../listeners.js';
import { toChannel, toFullScale, type Ads1115, type AdsChannel, type AdsFullScaleV } from './ads1115.js';
import { SamplingLoop } from './sampling-loop.js';

/** A level must move by more than this to be reported again. */
export const LEVEL_CHANGE_V = 0.2;

/** Consecutive failed samples after which the pilot is reported unreadable. */
export const UNREADABLE_AFTER_ERRORS = 3;

/** The op-amp stage's nominal high level: what the line shows with no EV, until the first sample. */
export const NOMINAL_HIGH_V = 12;

export interface AdcControlPilotOptions {
  readonly highChannel: AdsChannel;
  readonly lowChannel: AdsChannel;
  readonly fullScaleV: number;
  /** CP volts per ADC volt. */
  readonly scale: number;
  /** CP volts at 0 V on the ADC. */
  readonly offsetV: number;
  readonly pollMs: number;
}

const HIGH: PilotOutput = Object.freeze({ mode: 'high' });
const ERROR: PilotOutput = Object.freeze({ mode: 'error' });

function checkedOutput(output: PilotOutput): PilotOutput {
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

/** One sample: the levels, and the output generation it was taken under. */
interface LevelSample {
  readonly generation: number;
  readonly highV: number;
  readonly lowV: number | null;
}

function dutyOf(output: PilotOutput): number {
  return output.mode === 'high' ? 100 : output.mode === 'error' ? 0 : output.dutyPercent;
}

export class AdcControlPilot implements ControlPilot {
  private current: PilotOutput = HIGH;
  private generation = 0;
  /** Latest measured high level; the nominal driven level until the first sample. */
  private highV = NOMINAL_HIGH_V;
  /** Latest low level sampled since the last setOutput, null before one. */
  private lowV: number | null = null;
  private levels: PilotLevels = { positiveV: NOMINAL_HIGH_V, negativeV: null };
  private emitted: PilotLevels = this.levels;
  private errorsInRow = 0;
  private readonly fullScaleV: AdsFullScaleV;
  private readonly listeners = new Listeners<PilotLevels>();
  private readonly loop: SamplingLoop<LevelSample>;

  constructor(
    private readonly pwm: SysfsPwm,
    private readonly adc: Ads1115,
    clock: Clock,
    private readonly options: AdcControlPilotOptions,
  ) {
    toChannel(options.highChannel);
    toChannel(options.lowChannel);
    this.fullScaleV = toFullScale(options.fullScaleV);
    if (!(Number.isFinite(options.scale) && options.scale !== 0)) throw new RangeError(`pilot scale must be a non-zero number (got ${options.scale})`);
    if (!Number.isFinite(options.offsetV)) throw new RangeError(`pilot offsetV must be a number (got ${options.offsetV})`);
    if (!(Number.isFinite(options.pollMs) && options.pollMs > 0)) throw new RangeError(`pilot pollMs must be a number > 0 (got ${options.pollMs})`);
    // X1, as the controller expects at start: steady +12 V.
    this.pwm.setDutyPercent(100);
    this.loop = new SamplingLoop(clock, options.pollMs, {
      read: () => this.readLevels(),
      accept: (sample) => this.accept(sample),
      fail: () => this.failed(),
    });
  }

  get output(): PilotOutput {
    return this.current;
  }

  setOutput(output: PilotOutput): void {
    this.current = checkedOutput(output);
    this.generation += 1;
    this.pwm.setDutyPercent(dutyOf(this.current));
    this.lowV = null;
    this.publish(true);
    this.loop.sampleNow();
  }

  read(): PilotLevels {
    return this.levels;
  }

  onLevels(listener: Listener<PilotLevels>): Unsubscribe {
    return this.listeners.subscribe(listener);
  }

  /** Resolves once the first sample has been attempted (the board awaits it before starting). */
  ready(): Promise<void> {
    return this.loop.ready();
  }

  /** Failed ADC reads since start. */
  get readErrors(): number {
    return this.loop.readErrors;
  }

  /** Stops sampling. The PWM stays as it is (its owner closes it). */
  close(): void {
    this.loop.close();
  }

  private async readLevels(): Promise<LevelSample> {
    const { adc, fullScaleV, options } = this;
    const generation = this.generation;
    const pwm = this.current.mode === 'pwm';
    const highV = this.toCp(await adc.readVolts(options.highChannel, fullScaleV));
    const lowV = pwm ? this.toCp(await adc.readVolts(options.lowChannel, fullScaleV)) : null;
    return { generation, highV, lowV };
  }

  private accept(sample: LevelSample): void {
    this.errorsInRow = 0;
    if (sample.generation !== this.generation) {
      this.loop.sampleNow(); // sampled across a setOutput: says nothing about the new output
      return;
    }
    this.highV = sample.highV;
    this.lowV = sample.lowV;
    this.publish(false);
  }

  private failed(): void {
    this.errorsInRow += 1;
    if (this.errorsInRow < UNREADABLE_AFTER_ERRORS) return;
    this.highV = Number.NaN;
    this.lowV = null;
    this.publish(false);
  }

  private toCp(adcVolts: number): number {
    return adcVolts * this.options.scale + this.options.offsetV;
  }

  private publish(always: boolean): void {
    const negativeV = this.current.mode === 'pwm' ? this.lowV : null;
    this.levels = Object.freeze({ positiveV: this.highV, negativeV });
    if (!always && !moved(this.emitted, this.levels)) return;
    this.emitted = this.levels;
    this.listeners.emit(this.levels);
  }
}

function moved(before: PilotLevels, now: PilotLevels): boolean {
  if (Number.isNaN(now.positiveV) !== Number.isNaN(before.positiveV)) return true;
  if (Math.abs(now.positiveV - before.positiveV) > LEVEL_CHANGE_V) return true;
  if ((before.negativeV === null) !== (now.negativeV === null)) return true;
  return before.negativeV !== null && now.negativeV !== null && Math.abs(now.negativeV - before.negativeV) > LEVEL_CHANGE_V;
}
