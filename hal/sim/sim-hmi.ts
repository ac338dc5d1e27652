// Sim drivers for the user-facing devices: card reader, status LED, display.

import type { Display, LedBlink, LedColor, Listener, RfidCard, RfidReader, StatusLed, Unsubscribe } from '../interfaces.js';
import { Listeners } from '../listeners.js';

export class SimRfidReader implements RfidReader {
  private readonly listeners = new Listeners<RfidCard>();

  onCard(listener: Listener<RfidCard>): Unsubscribe {
    return this.listeners.subscribe(listener);
  }

  /** A card held to the reader; the reader reports its UID in upper case. */
  present(uid: string): void {
    this.listeners.emit({ uid: uid.toUpperCase() });
  }
}

export class SimStatusLed implements StatusLed {
  color: LedColor = 'off';
  blink: LedBlink = 'steady';

  set(color: LedColor, blink: LedBlink): void {
    this.color = color;
    this.blink = blink;
  }
}

export class SimDisplay implements Display {
  readonly lineCount = 4;
  readonly lineWidth = 20;
  lines: readonly string[] = [];

  /** Keeps what fits: the first 4 lines, each cut at 20 characters. */
  show(lines: readonly string[]): void {
    this.lines = lines.slice(0, this.lineCount).map((line) => String(line).slice(0, this.lineWidth));
  }
}
