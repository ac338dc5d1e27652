// A character LCD (HD44780 or compatible, 2×16 up to 4×20) behind a PCF8574 I2C backpack, in
// 4-bit mode. The usual backpack wiring: P0 = RS, P1 = R/W (always write), P2 = E,
// P3 = backlight, P4–P7 = D4–D7. Each nibble is three port writes: data, data + E, data (the
// controller latches on E's falling edge; at 100 kHz each port write lasts ~90 µs, longer than
// every timing the datasheet asks between them).
//
// show() returns at once: it records the wanted text and a writer sends it line by line, each
// time the latest text, so the newest content always wins and stale frames are skipped. The
// first write runs the HD44780 initialisation by instruction (datasheet Figure 24), whose waits
// run on the clock. A failed write counts an error, forgets what the display shows, and tries
// again (initialisation included, the display may have lost power) after RETRY_MS.

import type { PromisifiedBus } from 'i2c-bus';
import { systemClock, type Clock, type TimerHandle } from '../clock.js';
import type { Display } from '../interfaces.js';

/** PCF8574 port bits. */
export const PCF8574_BIT = { rs: 0x01, rw: 0x02, enable: 0x04, backlight: 0x08 } as const;

/** HD44780 instructions used here. */
const CLEAR = 0x01;
const ENTRY_INCREMENT = 0x06;
const DISPLAY_OFF = 0x08;
const DISPLAY_ON = 0x0c; // cursor and blink off
const FUNCTION_4BIT_2LINE = 0x28; // 4-line panels are wired as two logical lines too
const SET_DDRAM = 0x80;

/** Initialisation waits (datasheet Figure 24), with margin. */
export const INIT_TIMING_MS = { powerOn: 50, afterFirst: 5, afterSecond: 1, afterThird: 1, afterFourBit: 1, afterClear: 2 } as const;
export const RETRY_MS = 1000;

/** DDRAM address of each row's first character. */
export function rowAddress(row: number, width: number): number {
  return (row % 2 === 0 ? 0x00 : 0x40) + (row >= 2 ? width : 0);
}

/** The character ROM (A00) code for a character: printable ASCII as is, a few symbols, else '?'. */
export function characterCode(char: string): number {
  const code = char.codePointAt(0) ?? 0x3f;
  if (code >= 0x20 && code <= 0x7d && code !== 0x5c) return code; // 0x5C is ¥ in ROM A00
  if (char === '°') return 0xdf;
  if (char === 'µ') return 0xe4;
  return 0x3f;
}

export interface CharacterDisplayOptions {
  readonly lines: 2 | 4;
  readonly width: 16 | 20;
}

export class I2cCharacterDisplay implements Display {
  readonly lineCount: number;
  readonly lineWidth: number;
  private wanted: readonly string[] = [];
  /** What the display shows, row by row (padded); null when unknown (not initialised). */
  private shown: string[] | null = null;
  private writing = false;
  private closed = false;
  private retry: TimerHandle | null = null;
  private pause: TimerHandle | null = null;
  private errors = 0;

  constructor(
    private readonly bus: PromisifiedBus,
    readonly address: number,
    options: CharacterDisplayOptions,
    private readonly clock: Clock = systemClock,
  ) {
    if (options.lines !== 2 && options.lines !== 4) throw new RangeError(`display lines must be 2 or 4 (got ${options.lines})`);
    if (options.width !== 16 && options.width !== 20) throw new RangeError(`display width must be 16 or 20 (got ${options.width})`);
    this.lineCount = options.lines;
    this.lineWidth = options.width;
  }

  /** The text last asked for: at most lineCount lines, each cut at lineWidth. */
  get lines(): readonly string[] {
    return this.wanted;
  }

  /** Failed writes since start. */
  get writeErrors(): number {
    return this.errors;
  }

  /** Whether the display shows the text last asked for. */
  get idle(): boolean {
    return !this.writing && this.retry === null && this.shown !== null && this.pending() === null;
  }

  show(lines: readonly string[]): void {
    const cut = (line: string): string => Array.from(String(line)).slice(0, this.lineWidth).join('');
    this.wanted = Object.freeze(lines.slice(0, this.lineCount).map(cut));
    this.kick();
  }

  /** Stops writing (a bus transfer in flight finishes) and clears its timers. */
  close(): void {
    this.closed = true;
    for (const timer of [this.retry, this.pause]) if (timer !== null) this.clock.clearTimeout(timer);
    this.retry = null;
    this.pause = null; // the writer waiting on it is dropped
  }

  private kick(): void {
    if (this.writing || this.closed || this.retry !== null) return;
    this.writing = true;
    void this.flush().finally(() => {
      this.writing = false;
    });
  }

  private async flush(): Promise<void> {
    try {
      while (!this.closed) {
        if (this.shown === null) {
          await this.initialise();
          this.shown = Array.from({ length: this.lineCount }, () => ' '.repeat(this.lineWidth));
        }
        const next = this.pending();
        if (next === null) return;
        await this.writeRow(next.row, next.text);
        this.shown[next.row] = next.text;
      }
    } catch {
      this.errors += 1;
      this.shown = null;
      if (this.closed) return;
      this.retry = this.clock.setTimeout(() => {
        this.retry = null;
        this.kick();
      }, RETRY_MS);
    }
  }

  /** The first row whose text differs from what the display shows, padded to the width. */
  private pending(): { row: number; text: string } | null {
    if (this.shown === null) return null;
    for (let row = 0; row < this.lineCount; row += 1) {
      const wanted = this.wanted[row] ?? '';
      const text = wanted + ' '.repeat(this.lineWidth - Array.from(wanted).length);
      if (text !== this.shown[row]) return { row, text };
    }
    return null;
  }

  private async initialise(): Promise<void> {
    const t = INIT_TIMING_MS;
    await this.wait(t.powerOn);
    await this.send(nibble(0x3, 0)); // function set, 8-bit (the controller may be in either mode)
    await this.wait(t.afterFirst);
    await this.send(nibble(0x3, 0));
    await this.wait(t.afterSecond);
    await this.send(nibble(0x3, 0));
    await this.wait(t.afterThird);
    await this.send(nibble(0x2, 0)); // now 4-bit
    await this.wait(t.afterFourBit);
    await this.send([...byte(FUNCTION_4BIT_2LINE, 0), ...byte(DISPLAY_OFF, 0), ...byte(CLEAR, 0)]);
    await this.wait(t.afterClear);
    await this.send([...byte(ENTRY_INCREMENT, 0), ...byte(DISPLAY_ON, 0)]);
  }

  private async writeRow(row: number, text: string): Promise<void> {
    const bytes = byte(SET_DDRAM | rowAddress(row, this.lineWidth), 0);
    for (const char of text) bytes.push(...byte(characterCode(char), PCF8574_BIT.rs));
    await this.send(bytes);
  }

  private async send(portWrites: number[]): Promise<void> {
    const buffer = Buffer.from(portWrites);
    await this.bus.i2cWrite(this.address, buffer.length, buffer);
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.pause = this.clock.setTimeout(() => {
        this.pause = null;
        resolve();
      }, ms);
    });
  }
}

/** Port writes for one nibble: data, data with E, data (latched on E falling). */
function nibble(value: number, rs: number): number[] {
  const data = ((value & 0x0f) << 4) | PCF8574_BIT.backlight | rs;
  return [data, data | PCF8574_BIT.enable, data];
}

function byte(value: number, rs: number): number[] {
  return [...nibble(value >> 4, rs), ...nibble(value, rs)];
}
