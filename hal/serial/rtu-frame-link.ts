// The "port" that modbus-serial's ModbusRTU client drives (its constructor takes any object with
// open/close/write/isOpen that emits 'data'): a serial port, cut into one answer frame per request.
//
// modbus-serial builds the requests and checks the answers (CRC, unit, function code, length,
// exception responses); a serial port delivers bytes in arbitrary chunks, so something has to
// find where the answer starts and ends. This does what modbus-serial's own RTUBufferedPort does
// (expected length from the request; exception answers are 5 bytes), plus one thing it does not:
// every new request starts from an empty buffer, so bytes left over from an earlier failure
// (garbage, a late answer after a timeout) can never be taken for the next answer. Bytes that are
// not an answer are counted as stray bytes, for the timeout's error message.

import { EventEmitter } from 'node:events';
import { closeSerialPort, type SerialPortInstance } from './serial-port.js';

/** A request's answer: unit id, function code and total length including the CRC. */
interface ExpectedAnswer {
  readonly unitId: number;
  readonly functionCode: number;
  readonly length: number;
}

const EXCEPTION_ANSWER_LENGTH = 5; // unit, function | 0x80, exception code, CRC
const MAX_BUFFERED = 512;

function expectedAnswer(request: Buffer): ExpectedAnswer | null {
  if (request.length < 6) return null;
  const functionCode = request[1]!;
  // Read coils / discrete inputs / holding / input registers: the only reads a meter needs.
  if (functionCode === 3 || functionCode === 4) {
    return { unitId: request[0]!, functionCode, length: 5 + 2 * request.readUInt16BE(4) };
  }
  if (functionCode === 1 || functionCode === 2) {
    return { unitId: request[0]!, functionCode, length: 5 + Math.ceil(request.readUInt16BE(4) / 8) };
  }
  return null;
}

export class RtuFrameLink extends EventEmitter {
  /** Set by ModbusRTU.open(); it matches answers to requests with them. */
  _transactionIdRead = 1;
  _transactionIdWrite = 1;

  private buffer = Buffer.alloc(0);
  private expected: ExpectedAnswer | null = null;
  private stray = 0;

  constructor(private readonly port: SerialPortInstance) {
    super();
    port.on('data', (data: Buffer) => this.receive(data));
    port.on('error', (error: Error) => this.emit('error', error));
    port.on('close', (error?: Error | null) => this.emit('close', error ?? null));
  }

  get isOpen(): boolean {
    return this.port.isOpen;
  }

  /** Bytes received since the last request that were not (part of) its answer. */
  get strayBytes(): number {
    return this.stray + (this.expected ? this.buffer.length : 0);
  }

  open(callback: (error: Error | null) => void): void {
    if (this.port.isOpen) callback(null);
    else this.port.open((error) => callback(error));
  }

  close(callback?: (error: Error | null) => void): void {
    void closeSerialPort(this.port).then(() => callback?.(null));
  }

  write(request: Buffer): void {
    this.buffer = Buffer.alloc(0);
    this.stray = 0;
    this.expected = expectedAnswer(request);
    this.port.write(request, (error) => {
      if (error) this.emit('error', error);
    });
  }

  private receive(data: Buffer): void {
    const expected = this.expected;
    if (!expected) {
      this.stray += data.length;
      return;
    }
    this.buffer = Buffer.concat([this.buffer, data]);
    if (this.buffer.length > MAX_BUFFERED) {
      this.stray += this.buffer.length - MAX_BUFFERED;
      this.buffer = this.buffer.subarray(this.buffer.length - MAX_BUFFERED);
    }
    const { unitId, functionCode, length } = expected;
    for (let i = 0; i + 1 < this.buffer.length; i++) {
      if (this.buffer[i] !== unitId) continue;
      const code = this.buffer[i + 1];
      const frameLength = code === functionCode ? length : code === (functionCode | 0x80) ? EXCEPTION_ANSWER_LENGTH : 0;
      if (frameLength === 0) continue;
      // An answer starts here: wait for the rest of it (a later match would lie inside its data).
      if (this.buffer.length - i < frameLength) return;
      const frame = Buffer.from(this.buffer.subarray(i, i + frameLength));
      this.stray += i + (this.buffer.length - i - frameLength);
      this.buffer = Buffer.alloc(0);
      this.expected = null;
      this.emit('data', frame);
      return;
    }
  }
}
