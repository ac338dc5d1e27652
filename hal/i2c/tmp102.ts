// Temperature sensors on I2C: TI TMP102 (12-bit, 0.0625 °C per count) and the LM75 family
// (9-bit, 0.5 °C per count). Both keep the temperature in register 0, high byte first, left-
// aligned two's complement. Read at once and every `pollMs`; a failed read reads null (the app
// treats null as a sensor fault), and every change, to or from null, is reported.

import type { PromisifiedBus } from 'i2c-bus';
import type { Clock, TimerHandle } from '../clock.js';
import type { Listener, TemperatureLocation, TemperatureSensor, Unsubscribe } from '../interfaces.js';
import { Listeners } from '../listeners.js';
import { swapBytes } from './i2c-bus.js';

export type TemperatureChip = 'tmp102' | 'lm75';

export const TEMPERATURE_REGISTER = 0x00;

const FORMAT: Readonly<Record<TemperatureChip, { readonly bits: number; readonly degreesPerCount: number }>> = {
  tmp102: { bits: 12, degreesPerCount: 0.0625 },
  lm75: { bits: 9, degreesPerCount: 0.5 },
};

/** Decodes the temperature register (as the chip sends it: high byte first) to °C. */
export function decodeTemperature(chip: TemperatureChip, register: number): number {
  const { bits, degreesPerCount } = FORMAT[chip];
  const count = (register & 0xffff) >> (16 - bits);
  const signed = count & (1 << (bits - 1)) ? count - (1 << bits) : count;
  return signed * degreesPerCount;
}

export class I2cTemperatureSensor implements TemperatureSensor {
  private value: number | null = null;
  private sampling = false;
  private closed = false;
  private readonly timer: TimerHandle;
  private readonly listeners = new Listeners<number | null>();
  private readonly firstSample: Promise<void>;
  private firstSampleDone!: () => void;

  constructor(
    private readonly bus: PromisifiedBus,
    readonly address: number,
    readonly location: TemperatureLocation,
    private readonly clock: Clock,
    private readonly options: { chip: TemperatureChip; pollMs: number },
  ) {
    if (!Object.hasOwn(FORMAT, options.chip)) throw new RangeError(`unknown temperature sensor chip ${JSON.stringify(options.chip)}`);
    if (!(Number.isFinite(options.pollMs) && options.pollMs > 0)) throw new RangeError(`temperature pollMs must be a number > 0 (got ${options.pollMs})`);
    this.firstSample = new Promise((resolve) => {
      this.firstSampleDone = resolve;
    });
    this.timer = clock.setInterval(() => this.sample(), options.pollMs);
    this.sample();
  }

  /** °C; null until the first read and whenever the last read failed. */
  read(): number | null {
    return this.value;
  }

  onChange(listener: Listener<number | null>): Unsubscribe {
    return this.listeners.subscribe(listener);
  }

  /** Resolves once the first read has been attempted (the board awaits it before starting). */
  ready(): Promise<void> {
    return this.firstSample;
  }

  /** Stops polling. */
  close(): void {
    this.closed = true;
    this.clock.clearInterval(this.timer);
    this.firstSampleDone();
  }

  private sample(): void {
    if (this.closed || this.sampling) return;
    this.sampling = true;
    void this.measure().finally(() => {
      this.sampling = false;
      this.firstSampleDone();
    });
  }

  private async measure(): Promise<void> {
    let next: number | null;
    try {
      next = decodeTemperature(this.options.chip, swapBytes(await this.bus.readWord(this.address, TEMPERATURE_REGISTER)));
    } catch {
      next = null;
    }
    if (this.closed || next === this.value) return;
    this.value = next;
    this.listeners.emit(next);
  }
}
