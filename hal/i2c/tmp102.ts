// Temperature sensors on I2C: TI TMP102 (12-bit, 0.0625 °C per count) and the LM75 family
// (9-bit, 0.5 °C per count). Both keep the temperature in register 0, high byte first, left-
// aligned two's complement. Read at once and every `pollMs`; a failed read reads null (the app
// treats null as a sensor fault), and every change, to or from null, is reported.

import type { PromisifiedBus } from 'i2c-bus';
import type { Clock } from '../clock.js';
import type { Listener, TemperatureLocation, TemperatureSensor, Unsubscribe } from '../interfaces.js';
import { Listeners } from '../listeners.js';
import { swapBytes } from './i2c-bus.js';
import { SamplingLoop } from './sampling-loop.js';

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
  private readonly listeners = new Listeners<number | null>();
  private readonly loop: SamplingLoop<number>;

  constructor(
    private readonly bus: PromisifiedBus,
    readonly address: number,
    readonly location: TemperatureLocation,
    clock: Clock,
    private readonly options: { chip: TemperatureChip; pollMs: number },
  ) {
    if (!Object.hasOwn(FORMAT, options.chip)) throw new RangeError(`unknown temperature sensor chip ${JSON.stringify(options.chip)}`);
    if (!(Number.isFinite(options.pollMs) && options.pollMs > 0)) throw new RangeError(`temperature pollMs must be a number > 0 (got ${options.pollMs})`);
    this.loop = new SamplingLoop(clock, options.pollMs, {
      read: async () => decodeTemperature(this.options.chip, swapBytes(await this.bus.readWord(this.address, TEMPERATURE_REGISTER))),
      accept: (celsius) => this.update(celsius),
      fail: () => this.update(null),
    });
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
    return this.loop.ready();
  }

  /** Stops polling. */
  close(): void {
    this.loop.close();
  }

  private update(next: number | null): void {
    if (next === this.value) return;
    this.value = next;
    this.listeners.emit(next);
  }
}
