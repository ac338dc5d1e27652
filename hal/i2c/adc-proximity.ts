// The proximity pilot on a real board: a pull-up of `pullUpOhms` from `supplyV` to PP, the
// cable's PP–PE resistor to ground, and the PP node on an ADS1115 channel. Then
//   V = Vs × R / (R + Rpull)   so   R = Rpull × V / (Vs − V).
// A node at (or within 2 % of) the supply is an open circuit: no cable. The resistance is then
// mapped by proximityFromResistance (reference A4). Sampled every `pollMs`; a change is reported
// when the kind or the rating changes, or the resistance moves by more than OHMS_CHANGE_RATIO.
// A failed read keeps the last reading and counts an error (readErrors).

import type { Clock } from '../clock.js';
import type { Listener, ProximityPilot, ProximityReading, Unsubscribe } from '../interfaces.js';
import { proximityFromResistance } from '../proximity-resistance.js';
import { Listeners } from '../listeners.js';
import { toChannel, toFullScale, type Ads1115, type AdsChannel, type AdsFullScaleV } from './ads1115.js';
import { SamplingLoop } from './sampling-loop.js';

/** The PP node at or above this fraction of the supply reads as an open circuit. */
export const OPEN_CIRCUIT_RATIO = 0.98;
/** The resistance must move by more than this fraction to be reported again (same kind and rating). */
export const OHMS_CHANGE_RATIO = 0.05;

export interface AdcProximityOptions {
  readonly channel: AdsChannel;
  readonly fullScaleV: number;
  readonly pullUpOhms: number;
  readonly supplyV: number;
  readonly pollMs: number;
}

const NO_CABLE: ProximityReading = Object.freeze({ kind: 'noCable' });

/** The divider's arithmetic: the PP–PE resistance for a node voltage, Infinity when open. */
export function proximityOhms(nodeV: number, pullUpOhms: number, supplyV: number): number {
  if (nodeV >= supplyV * OPEN_CIRCUIT_RATIO) return Number.POSITIVE_INFINITY;
  const v = Math.max(0, nodeV);
  return Math.round((pullUpOhms * v) / (supplyV - v));
}

export class AdcProximityPilot implements ProximityPilot {
  private reading: ProximityReading = NO_CABLE;
  private readonly fullScaleV: AdsFullScaleV;
  private readonly listeners = new Listeners<ProximityReading>();
  private readonly loop: SamplingLoop<number>;

  constructor(
    private readonly adc: Ads1115,
    clock: Clock,
    private readonly options: AdcProximityOptions,
  ) {
    toChannel(options.channel);
    this.fullScaleV = toFullScale(options.fullScaleV);
    for (const name of ['pullUpOhms', 'supplyV', 'pollMs'] as const) {
      const value = options[name];
      if (!(Number.isFinite(value) && value > 0)) throw new RangeError(`proximity ${name} must be a number > 0 (got ${value})`);
    }
    this.loop = new SamplingLoop(clock, options.pollMs, {
      read: () => this.adc.readVolts(this.options.channel, this.fullScaleV),
      accept: (nodeV) => this.accept(nodeV),
      fail: () => {}, // the last reading stands
    });
  }

  read(): ProximityReading {
    return this.reading;
  }

  onChange(listener: Listener<ProximityReading>): Unsubscribe {
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

  /** Stops sampling. */
  close(): void {
    this.loop.close();
  }

  private accept(nodeV: number): void {
    const ohms = proximityOhms(nodeV, this.options.pullUpOhms, this.options.supplyV);
    const next = proximityFromResistance(ohms);
    if (!changed(this.reading, next)) return;
    this.reading = next;
    this.listeners.emit(next);
  }
}

function changed(before: ProximityReading, now: ProximityReading): boolean {
  if (before.kind !== now.kind) return true;
  if (before.kind === 'noCable' || now.kind === 'noCable') return false;
  if (before.kind === 'cable' && now.kind === 'cable' && before.ratingA !== now.ratingA) return true;
  return Math.abs(now.ohms - before.ohms) > OHMS_CHANGE_RATIO * Math.max(before.ohms, 1);
}
