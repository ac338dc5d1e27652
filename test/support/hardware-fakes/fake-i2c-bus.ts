// A fake of the `i2c-bus` package (`openPromisified`) with byte-level models of the chips the
// drivers use. The bus turns each call into the bytes that would cross the wire (SMBus words low
// byte first), and each model answers as its datasheet says (registers high byte first):
//   - FakeTemperatureChip: TMP102 (12-bit) or LM75 (9-bit); settable temperature or a callback.
//   - FakeAds1115: four inputs (volts, or callbacks), honours the config register's MUX, PGA,
//     MODE and OS bits; a single-shot conversion stays busy for `busyPolls` config reads.
//   - FakePcf8574: records every port write; its Hd44780 model decodes the LCD's text.
// Every model, and the bus, has a failure switch (reads and writes then reject, as the kernel's
// EREMOTEIO / EIO would).

import type { BytesRead, BytesWritten, I2cFuncs, PromisifiedBus } from 'i2c-bus';
import type { Clock } from '../../../hal/clock.js';
import type { I2cModule } from '../../../hal/i2c/i2c-bus.js';

function errnoError(code: string, message: string): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(`${code}: ${message}`);
  error.code = code;
  return error;
}

/** A device on the bus, as bytes: what the master writes in one transaction, what it reads in one. */
export interface FakeI2cDevice {
  failing?: boolean;
  write(bytes: readonly number[]): void;
  read(length: number): number[];
}

export interface FakeI2cTransfer {
  readonly address: number;
  readonly direction: 'write' | 'read';
  readonly bytes: readonly number[];
}

export class FakeI2cBus implements PromisifiedBus {
  readonly devices = new Map<number, FakeI2cDevice>();
  /** Every transfer, in order. */
  readonly transfers: FakeI2cTransfer[] = [];
  /** While set, every transfer rejects with EIO. */
  failing = false;
  closed = false;

  constructor(readonly busNumber: number) {}

  attach<D extends FakeI2cDevice>(address: number, device: D): D {
    this.devices.set(address, device);
    return device;
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  async i2cFuncs(): Promise<I2cFuncs> {
    if (this.closed) throw errnoError('EBADF', `/dev/i2c-${this.busNumber} is closed`);
    if (this.failing) throw errnoError('EIO', `I/O error on /dev/i2c-${this.busNumber}`);
    return Object.freeze({ i2c: true, smbusReadByte: true, smbusWriteByte: true, smbusReadWord: true, smbusWriteWord: true });
  }

  async scan(startAddr = 0x03, endAddr = 0x77): Promise<number[]> {
    return [...this.devices.keys()].filter((address) => address >= startAddr && address <= endAddr).sort((a, b) => a - b);
  }

  async i2cRead(addr: number, length: number, buffer: Buffer): Promise<BytesRead> {
    const bytes = this.read(addr, length);
    Buffer.from(bytes).copy(buffer);
    return { bytesRead: bytes.length, buffer };
  }

  async i2cWrite(addr: number, length: number, buffer: Buffer): Promise<BytesWritten> {
    this.write(addr, [...buffer.subarray(0, length)]);
    return { bytesWritten: length, buffer };
  }

  async readByte(addr: number, cmd: number): Promise<number> {
    this.write(addr, [cmd]);
    return this.read(addr, 1)[0] ?? 0;
  }

  async readWord(addr: number, cmd: number): Promise<number> {
    this.write(addr, [cmd]);
    const [low = 0, high = 0] = this.read(addr, 2);
    return low | (high << 8);
  }

  async readI2cBlock(addr: number, cmd: number, length: number, buffer: Buffer): Promise<BytesRead> {
    this.write(addr, [cmd]);
    return this.i2cRead(addr, length, buffer);
  }

  async receiveByte(addr: number): Promise<number> {
    return this.read(addr, 1)[0] ?? 0;
  }

  async sendByte(addr: number, byte: number): Promise<void> {
    this.write(addr, [byte]);
  }

  async writeByte(addr: number, cmd: number, byte: number): Promise<void> {
    this.write(addr, [cmd, byte]);
  }

  async writeWord(addr: number, cmd: number, word: number): Promise<void> {
    this.write(addr, [cmd, word & 0xff, (word >> 8) & 0xff]);
  }

  async writeQuick(addr: number): Promise<void> {
    this.device(addr);
  }

  async writeI2cBlock(addr: number, cmd: number, length: number, buffer: Buffer): Promise<BytesWritten> {
    this.write(addr, [cmd, ...buffer.subarray(0, length)]);
    return { bytesWritten: length, buffer };
  }

  private device(address: number): FakeI2cDevice {
    if (this.closed) throw errnoError('EBADF', `/dev/i2c-${this.busNumber} is closed`);
    if (this.failing) throw errnoError('EIO', `I/O error on /dev/i2c-${this.busNumber}`);
    const device = this.devices.get(address);
    if (!device || device.failing) throw errnoError('EREMOTEIO', `no answer from 0x${address.toString(16)}`);
    return device;
  }

  private write(address: number, bytes: number[]): void {
    const device = this.device(address);
    this.transfers.push({ address, direction: 'write', bytes });
    device.write(bytes);
  }

  private read(address: number, length: number): number[] {
    const bytes = this.device(address).read(length);
    this.transfers.push({ address, direction: 'read', bytes });
    return bytes;
  }
}

export class FakeI2c {
  /** Pass this as `deps.i2c`. */
  readonly module: I2cModule;
  private readonly buses = new Map<number, FakeI2cBus>();
  private readonly openFailures = new Map<number, Error>();

  constructor() {
    this.module = {
      openPromisified: async (busNumber: number) => this.open(busNumber),
      open: () => {
        throw new Error('the fake i2c-bus offers openPromisified only');
      },
      openSync: () => {
        throw new Error('the fake i2c-bus offers openPromisified only');
      },
    } as unknown as I2cModule;
  }

  /** The bus /dev/i2c-<n> (created on first use). */
  bus(busNumber: number): FakeI2cBus {
    let bus = this.buses.get(busNumber);
    if (!bus) {
      bus = new FakeI2cBus(busNumber);
      this.buses.set(busNumber, bus);
    }
    return bus;
  }

  /** Opening /dev/i2c-<n> rejects with this errno code. */
  failOpen(busNumber: number, code = 'ENOENT', message = 'No such file or directory'): void {
    this.openFailures.set(busNumber, errnoError(code, `${message}, open '/dev/i2c-${busNumber}'`));
  }

  private open(busNumber: number): FakeI2cBus {
    const failure = this.openFailures.get(busNumber);
    if (failure) throw failure;
    const bus = this.bus(busNumber);
    bus.closed = false;
    return bus;
  }
}

export function createFakeI2c(): FakeI2c {
  return new FakeI2c();
}

/** A chip with a pointer register and 16-bit registers sent high byte first. */
abstract class RegisterChip implements FakeI2cDevice {
  failing = false;
  protected pointer = 0;

  write(bytes: readonly number[]): void {
    if (bytes.length === 0) return;
    this.pointer = bytes[0]!;
    if (bytes.length >= 3) this.writeRegister(this.pointer, (bytes[1]! << 8) | bytes[2]!);
  }

  read(length: number): number[] {
    const value = this.readRegister(this.pointer) & 0xffff;
    return [value >> 8, value & 0xff].slice(0, length);
  }

  protected abstract readRegister(register: number): number;
  protected abstract writeRegister(register: number, value: number): void;
}

export type FakeTemperatureChipKind = 'tmp102' | 'lm75';

export class FakeTemperatureChip extends RegisterChip {
  private source: () => number;
  /** Temperature register reads answered. */
  reads = 0;

  constructor(
    readonly chip: FakeTemperatureChipKind,
    temperatureC = 25,
  ) {
    super();
    this.source = () => temperatureC;
  }

  get temperatureC(): number {
    return this.source();
  }

  setTemperature(celsius: number): void {
    this.source = () => celsius;
  }

  /** Backs the temperature with a callback (e.g. a thermal model). */
  setTemperatureSource(source: () => number): void {
    this.source = source;
  }

  /** The register as the chip holds it: left-aligned two's complement, 12 or 9 bits. */
  static encode(chip: FakeTemperatureChipKind, celsius: number): number {
    const [bits, step] = chip === 'tmp102' ? [12, 0.0625] : [9, 0.5];
    const limit = 1 << (bits - 1);
    const count = Math.max(-limit, Math.min(limit - 1, Math.round(celsius / step)));
    return ((count & ((1 << bits) - 1)) << (16 - bits)) & 0xffff;
  }

  protected readRegister(register: number): number {
    if (register !== 0) return 0;
    this.reads += 1;
    return FakeTemperatureChip.encode(this.chip, this.source());
  }

  protected writeRegister(): void {
    // Configuration and limits: not modelled.
  }
}

export const ADS1115_FULL_SCALE_V = [6.144, 4.096, 2.048, 1.024, 0.512, 0.256, 0.256, 0.256] as const;

export interface FakeAdsConversion {
  readonly mux: number;
  /** The single-ended input converted, null for a differential pair. */
  readonly channel: number | null;
  readonly fullScaleV: number;
  readonly volts: number;
  readonly code: number;
}

export class FakeAds1115 extends RegisterChip {
  /** Config reads that still show OS = 0 after a single-shot start. */
  busyPolls = 2;
  /** Every conversion, in order. */
  readonly conversions: FakeAdsConversion[] = [];
  private readonly sources: (() => number)[] = [0, 1, 2, 3].map(() => () => 0);
  private config = 0x8583; // power-on default
  private conversion = 0;
  private busy = 0;
  private pendingCode = 0;

  /** Sets an input's voltage (against GND). */
  setChannelVolts(channel: 0 | 1 | 2 | 3, volts: number): void {
    this.sources[channel] = () => volts;
  }

  /** Backs an input with a callback (e.g. a pilot physics model), read at each conversion start. */
  setChannelSource(channel: 0 | 1 | 2 | 3, source: () => number): void {
    this.sources[channel] = source;
  }

  /** The config register as last written (OS bit as the chip shows it now). */
  get configRegister(): number {
    return (this.config & 0x7fff) | (this.busy > 0 ? 0 : 0x8000);
  }

  protected readRegister(register: number): number {
    switch (register) {
      case 0:
        return this.continuous ? this.convert() : this.conversion;
      case 1:
        if (this.busy > 0) {
          this.busy -= 1;
          if (this.busy === 0) this.conversion = this.pendingCode;
          return this.config & 0x7fff;
        }
        return this.config | 0x8000;
      default:
        return 0;
    }
  }

  protected writeRegister(register: number, value: number): void {
    if (register !== 1) return;
    this.config = value & 0x7fff;
    if (!this.continuous && value & 0x8000) {
      this.pendingCode = this.convert();
      this.busy = Math.max(0, this.busyPolls);
      if (this.busy === 0) this.conversion = this.pendingCode;
    }
  }

  private get continuous(): boolean {
    return (this.config & 0x0100) === 0;
  }

  private convert(): number {
    const mux = (this.config >> 12) & 0b111;
    const fullScaleV = ADS1115_FULL_SCALE_V[(this.config >> 9) & 0b111]!;
    const input = (n: number): number => this.sources[n]!();
    const pairs: readonly (readonly [number, number | null])[] = [[0, 1], [0, 3], [1, 3], [2, 3], [0, null], [1, null], [2, null], [3, null]];
    const [positive, negative] = pairs[mux]!;
    const volts = input(positive) - (negative === null ? 0 : input(negative));
    const signed = Math.max(-0x8000, Math.min(0x7fff, Math.round((volts / fullScaleV) * 0x8000)));
    this.conversions.push({ mux, channel: negative === null ? positive : null, fullScaleV, volts, code: signed });
    return signed & 0xffff;
  }
}

export interface Hd44780Instruction {
  readonly rs: 0 | 1;
  readonly value: number;
  /** The clock's time when it was latched (NaN without a clock). */
  readonly atMs: number;
  /** Latched as one 8-bit-mode transfer (before the switch to 4-bit). */
  readonly eightBit: boolean;
}

/** An HD44780 fed through a PCF8574 (P0 RS, P1 RW, P2 E, P3 backlight, P4–P7 D4–D7). */
export class Hd44780 {
  readonly instructions: Hd44780Instruction[] = [];
  readonly ddram = new Array<number>(0x80).fill(0x20);
  fourBit = false;
  twoLines = false;
  displayOn = false;
  address = 0;
  private increment = true;
  private pendingHigh: number | null = null;
  private cgram = false;

  constructor(private readonly clock?: Clock) {}

  /** Feeds one port write; latches on E's falling edge (a write cycle only: R/W low). */
  port(previous: number, next: number): void {
    if (!(previous & 0x04) || next & 0x04 || previous & 0x02) return;
    const rs = (previous & 0x01) as 0 | 1;
    const nibble = (previous >> 4) & 0x0f;
    if (!this.fourBit) {
      this.execute(rs, nibble << 4, true);
      return;
    }
    if (this.pendingHigh === null) {
      this.pendingHigh = nibble;
      return;
    }
    const value = (this.pendingHigh << 4) | nibble;
    this.pendingHigh = null;
    this.execute(rs, value, false);
  }

  /** The text of `rows` rows of `width` characters, as the panel shows it. */
  text(rows: number, width: number): string[] {
    return Array.from({ length: rows }, (_, row) => {
      const start = (row % 2 === 0 ? 0x00 : 0x40) + (row >= 2 ? width : 0);
      return this.ddram
        .slice(start, start + width)
        .map(decodeCharacter)
        .join('');
    });
  }

  private execute(rs: 0 | 1, value: number, eightBit: boolean): void {
    this.instructions.push({ rs, value, atMs: this.clock ? this.clock.now() : Number.NaN, eightBit });
    if (rs === 1) {
      if (this.cgram) return;
      this.ddram[this.address] = value;
      this.address = this.step(this.address);
      return;
    }
    if (value & 0x80) {
      this.address = value & 0x7f;
      this.cgram = false;
    } else if (value & 0x40) {
      this.cgram = true;
    } else if (value & 0x20) {
      this.fourBit = (value & 0x10) === 0;
      this.twoLines = (value & 0x08) !== 0;
      this.pendingHigh = null;
    } else if (value & 0x08) {
      this.displayOn = (value & 0x04) !== 0;
    } else if (value & 0x04) {
      this.increment = (value & 0x02) !== 0;
    } else if (value & 0x02) {
      this.address = 0;
    } else if (value & 0x01) {
      this.ddram.fill(0x20);
      this.address = 0;
      this.increment = true;
    }
  }

  private step(address: number): number {
    if (!this.increment) return address === 0 ? 0x67 : address === 0x40 ? 0x27 : address - 1;
    if (address === 0x27) return 0x40;
    if (address === 0x67) return 0x00;
    return (address + 1) & 0x7f;
  }
}

function decodeCharacter(code: number): string {
  if (code === 0xdf) return '°';
  if (code === 0xe4) return 'µ';
  if (code >= 0x20 && code <= 0x7d && code !== 0x5c) return String.fromCharCode(code);
  return '\ufffd';
}

export interface FakePortWrite {
  readonly byte: number;
  readonly atMs: number;
}

export class FakePcf8574 implements FakeI2cDevice {
  failing = false;
  /** Every port write, in order. */
  readonly writes: FakePortWrite[] = [];
  readonly lcd: Hd44780;
  private port = 0xff; // power-on: all quasi-bidirectional lines high

  constructor(private readonly clock?: Clock) {
    this.lcd = new Hd44780(clock);
  }

  write(bytes: readonly number[]): void {
    for (const byte of bytes) {
      this.writes.push({ byte, atMs: this.clock ? this.clock.now() : Number.NaN });
      this.lcd.port(this.port, byte);
      this.port = byte;
    }
  }

  read(length: number): number[] {
    return new Array<number>(length).fill(this.port);
  }

  /** The LCD's text. */
  text(rows: number, width: number): string[] {
    return this.lcd.text(rows, width);
  }
}
