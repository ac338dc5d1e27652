// Types for the `i2c-bus` package (v5), which ships none: the subset of its documented API
// (README "API") that the drivers and the test fakes use. SMBus words are little-endian on the
// wire (low byte first), as the package returns them.

declare module 'i2c-bus' {
  export interface OpenOptions {
    /** Use I2C_SLAVE_FORCE: talk to a device even if a kernel driver has claimed it. */
    readonly forceAccess?: boolean;
  }

  export interface BytesRead {
    readonly bytesRead: number;
    readonly buffer: Buffer;
  }

  export interface BytesWritten {
    readonly bytesWritten: number;
    readonly buffer: Buffer;
  }

  /** What the adapter can do (a subset of the flags). */
  export interface I2cFuncs {
    readonly i2c: boolean;
    readonly smbusReadByte: boolean;
    readonly smbusWriteByte: boolean;
    readonly smbusReadWord: boolean;
    readonly smbusWriteWord: boolean;
  }

  export interface PromisifiedBus {
    close(): Promise<void>;
    /** Opens /dev/i2c-N (open itself is lazy) and asks the adapter what it supports. */
    i2cFuncs(): Promise<I2cFuncs>;
    scan(startAddr?: number, endAddr?: number): Promise<number[]>;
    i2cRead(addr: number, length: number, buffer: Buffer): Promise<BytesRead>;
    i2cWrite(addr: number, length: number, buffer: Buffer): Promise<BytesWritten>;
    readByte(addr: number, cmd: number): Promise<number>;
    readWord(addr: number, cmd: number): Promise<number>;
    readI2cBlock(addr: number, cmd: number, length: number, buffer: Buffer): Promise<BytesRead>;
    receiveByte(addr: number): Promise<number>;
    sendByte(addr: number, byte: number): Promise<void>;
    writeByte(addr: number, cmd: number, byte: number): Promise<void>;
    writeWord(addr: number, cmd: number, word: number): Promise<void>;
    writeQuick(addr: number, bit: number): Promise<void>;
    writeI2cBlock(addr: number, cmd: number, length: number, buffer: Buffer): Promise<BytesWritten>;
  }

  /** The callback and synchronous API; the drivers use only the promisified one. */
  export interface Bus {
    promisifiedBus(): PromisifiedBus;
    closeSync(): void;
  }

  export function open(busNumber: number, callback: (error: Error | null) => void): Bus;
  export function open(busNumber: number, options: OpenOptions, callback: (error: Error | null) => void): Bus;
  export function openSync(busNumber: number, options?: OpenOptions): Bus;
  export function openPromisified(busNumber: number, options?: OpenOptions): Promise<PromisifiedBus>;
}
