// TI ADS1115: 16-bit, 4-channel ADC on I2C (datasheet SBAS444). Single-shot conversions of one
// input against GND: write the config register with OS = 1, poll OS until the conversion is
// done, read the conversion register. Conversions are serialised: the pilot and the proximity
// drivers share one chip, and its single converter holds one multiplexer setting at a time.
//
// Polling OS (rather than sleeping for the data-rate time) needs no clock and ends as soon as
// the chip is done; each poll is one I2C transaction (~0.2 ms at 100 kHz), so at 860 SPS
// (1.2 ms per conversion) a conversion takes a handful of polls. MAX_POLLS bounds a chip that
// never finishes.

import type { PromisifiedBus } from 'i2c-bus';
import { swapBytes } from './i2c-bus.js';

export type AdsChannel = 0 | 1 | 2 | 3;
export type AdsFullScaleV = 6.144 | 4.096 | 2.048 | 1.024 | 0.512 | 0.256;

export const ADS1115_REGISTER = { conversion: 0x00, config: 0x01 } as const;

/** Config register fields (datasheet 9.6.3). */
const OS_START = 0x8000; // write: start a single conversion; read: 1 = idle (done)
const MUX_SINGLE_ENDED = 0b100; // AINx vs GND, x in bits 13:12
const MODE_SINGLE_SHOT = 0x0100;
const DATA_RATE_860_SPS = 0b111 << 5;
const COMPARATOR_DISABLED = 0b11;

const PGA_CODE: Readonly<Record<AdsFullScaleV, number>> = {
  6.144: 0b000,
  4.096: 0b001,
  2.048: 0b010,
  1.024: 0b011,
  0.512: 0b100,
  0.256: 0b101,
};

/** A conversion not done after this many polls of OS is a fault. */
export const MAX_POLLS = 50;

/** Checks a full-scale range given as a plain number (e.g. from a board profile). */
export function toFullScale(volts: number): AdsFullScaleV {
  if (!Object.hasOwn(PGA_CODE, String(volts))) {
    throw new RangeError(`ADS1115 full scale must be one of ${Object.keys(PGA_CODE).join(', ')} V (got ${volts})`);
  }
  return volts as AdsFullScaleV;
}

export function toChannel(channel: number): AdsChannel {
  if (!(channel === 0 || channel === 1 || channel === 2 || channel === 3)) {
    throw new RangeError(`ADS1115 channel must be 0–3 (got ${channel})`);
  }
  return channel;
}

/** The config word that starts one single-shot conversion of `channel` at `fullScaleV`. */
export function singleShotConfig(channel: AdsChannel, fullScaleV: AdsFullScaleV): number {
  return (
    OS_START |
    ((MUX_SINGLE_ENDED | channel) << 12) |
    (PGA_CODE[fullScaleV] << 9) |
    MODE_SINGLE_SHOT |
    DATA_RATE_860_SPS |
    COMPARATOR_DISABLED
  );
}

export class Ads1115 {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly bus: PromisifiedBus,
    readonly address: number,
  ) {}

  /** One single-shot conversion of `channel` against GND, in volts. Rejects when the chip does not answer. */
  readVolts(channel: AdsChannel, fullScaleV: AdsFullScaleV): Promise<number> {
    const config = singleShotConfig(toChannel(channel), toFullScale(fullScaleV));
    const run = this.queue.then(() => this.convert(config, fullScaleV));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async convert(config: number, fullScaleV: number): Promise<number> {
    const { bus, address } = this;
    await bus.writeWord(address, ADS1115_REGISTER.config, swapBytes(config));
    for (let poll = 1; ; poll += 1) {
      const status = swapBytes(await bus.readWord(address, ADS1115_REGISTER.config));
      if (status & OS_START) break;
      if (poll >= MAX_POLLS) {
        throw new Error(`ADS1115 at 0x${address.toString(16)}: conversion not done after ${MAX_POLLS} polls`);
      }
    }
    const raw = swapBytes(await bus.readWord(address, ADS1115_REGISTER.conversion));
    const signed = raw & 0x8000 ? raw - 0x10000 : raw;
    return (signed * fullScaleV) / 0x8000;
  }
}
