// The status LED: an RGB LED on three GPIO lines (asserted = that colour lit). Yellow is
// red + green, white all three. Blinking runs on the clock: slow 1 Hz, fast 4 Hz, 50 % duty,
// starting lit.

import type { Clock, TimerHandle } from '../clock.js';
import type { LedBlink, LedColor, StatusLed } from '../interfaces.js';
import type { GpioOutput } from './gpio-line.js';

export interface RgbLines {
  readonly red: GpioOutput;
  readonly green: GpioOutput;
  readonly blue: GpioOutput;
}

type Mix = readonly [red: boolean, green: boolean, blue: boolean];

const MIX: Readonly<Record<LedColor, Mix>> = {
  off: [false, false, false],
  red: [true, false, false],
  green: [false, true, false],
  blue: [false, false, true],
  yellow: [true, true, false],
  white: [true, true, true],
};

/** Half a blink period: the time lit, then the time dark. */
export const BLINK_HALF_PERIOD_MS: Readonly<Record<Exclude<LedBlink, 'steady'>, number>> = {
  slow: 500, // 1 Hz
  fast: 125, // 4 Hz
};

export class GpioRgbLed implements StatusLed {
  private currentColor: LedColor = 'off';
  private currentBlink: LedBlink = 'steady';
  private lit = true;
  private timer: TimerHandle | null = null;

  constructor(
    private readonly lines: RgbLines,
    private readonly clock: Clock,
  ) {
    this.show();
  }

  get color(): LedColor {
    return this.currentColor;
  }

  get blink(): LedBlink {
    return this.currentBlink;
  }

  set(color: LedColor, blink: LedBlink): void {
    if (!Object.hasOwn(MIX, color)) throw new TypeError(`unknown LED colour ${JSON.stringify(color)}`);
    if (blink !== 'steady' && !Object.hasOwn(BLINK_HALF_PERIOD_MS, blink)) throw new TypeError(`unknown LED blink ${JSON.stringify(blink)}`);
    if (color === this.currentColor && blink === this.currentBlink) return; // keep the blink phase
    this.stopBlinking();
    this.currentColor = color;
    this.currentBlink = blink;
    this.lit = true;
    this.show();
    if (blink === 'steady' || color === 'off') return;
    this.timer = this.clock.setInterval(() => {
      this.lit = !this.lit;
      this.show();
    }, BLINK_HALF_PERIOD_MS[blink]);
  }

  /** Stops blinking and turns the LED off. The lines stay open (their owner closes them). */
  close(): void {
    this.stopBlinking();
    this.currentColor = 'off';
    this.currentBlink = 'steady';
    this.show();
  }

  private stopBlinking(): void {
    if (this.timer !== null) this.clock.clearInterval(this.timer);
    this.timer = null;
  }

  private show(): void {
    const [red, green, blue] = this.lit ? MIX[this.currentColor] : MIX.off;
    for (const [line, on] of [[this.lines.red, red], [this.lines.green, green], [this.lines.blue, blue]] as const) {
      try {
        line.set(on);
      } catch {
        // Not a safety output: a dark LED is no hazard (the line counts its writeErrors).
      }
    }
  }
}
