// A Modbus RTU energy meter on a serial path, for tests, benchmarks and bench rigs: it answers
// read requests (function 03 or 04, as its model's register map says) with values from a callback,
// encoded with the same register maps the driver decodes. Its RTU framing and CRC are written
// here, independently of modbus-serial, so the driver is checked against a second implementation.
//
// Faults: inject('crc' | 'silent' | 'garbage' | 'exception', n) spoils the next n answers, and
// inject(null, k) before it lets k answers through first; setFault() spoils every answer until
// cleared; close() closes its port (with a socat pty pair, the driver's end then disappears too,
// as when the meter's cable is pulled).
//
// Line timing: a pseudo-terminal moves bytes at once, so unless told otherwise the simulator
// answers after the time the request and the answer would take on the wire at the configured
// baud rate (plus processingMs), as a meter on a real RS-485 line would be heard.

import { METER_REGISTER_MAPS, type MeterModel, type MeterQuantity, type MeterRegisterMap } from '../serial/meter-register-maps.js';
import { encodeField, isReadable } from '../serial/register-codec.js';
import { closeSerialPort, openSerialPort, serialPortClass, type SerialPortClass, type SerialPortInstance } from '../serial/serial-port.js';

export interface MeterSimValues {
  readonly voltages: readonly [number, number, number];
  readonly currents: readonly [number, number, number];
  readonly powers: readonly [number, number, number];
  /** Defaults to the sum of `powers`. */
  readonly totalPower?: number;
  readonly frequency: number;
  readonly importWh: number;
}

export type MeterSimFault = 'crc' | 'silent' | 'garbage' | 'exception';

export interface ModbusMeterSimulatorOptions {
  readonly path: string;
  readonly baudRate: number;
  readonly model: MeterModel;
  readonly unitId: number;
  readonly values: () => MeterSimValues;
  readonly parity?: 'none' | 'even' | 'odd';
  readonly stopBits?: 1 | 2;
  /** Answer after the request's and the answer's time on the wire. Default true. */
  readonly emulateLineTiming?: boolean;
  /** The meter's own processing time before it answers. Default 0. */
  readonly processingMs?: number;
  readonly SerialPort?: SerialPortClass;
}

export interface SimulatedRequest {
  readonly unitId: number;
  readonly functionCode: number;
  readonly start: number;
  readonly count: number;
}

const EXCEPTION_ILLEGAL_FUNCTION = 0x01;
const EXCEPTION_ILLEGAL_DATA_ADDRESS = 0x02;
const EXCEPTION_ILLEGAL_DATA_VALUE = 0x03;
const EXCEPTION_SERVER_DEVICE_FAILURE = 0x04;

/** CRC-16/MODBUS (polynomial 0xA001 reflected, initial 0xFFFF), sent low byte first. */
export function modbusCrc(bytes: Uint8Array): number {
  let crc = 0xffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
  }
  return crc;
}

export function withCrc(bytes: Uint8Array): Buffer {
  const frame = Buffer.alloc(bytes.length + 2);
  frame.set(bytes);
  frame.writeUInt16LE(modbusCrc(bytes), bytes.length);
  return frame;
}

/** Line noise that never contains a byte pair a Modbus master could take for an answer's start. */
function garbage(length: number): Buffer {
  const noise = [0xde, 0xad, 0xbe, 0xef, 0xf0, 0x0d, 0x55, 0xaa, 0xff, 0x7e];
  return Buffer.from(Array.from({ length: Math.max(length, 6) }, (_, i) => noise[i % noise.length]!));
}

export class ModbusMeterSimulator {
  private buffer = Buffer.alloc(0);
  private readonly injected: (MeterSimFault | null)[] = [];
  private persistent: MeterSimFault | null = null;
  private readonly seen: SimulatedRequest[] = [];
  private readonly map: MeterRegisterMap;
  private readonly bitsPerCharacter: number;
  private queue: Promise<void> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly options: ModbusMeterSimulatorOptions,
    private readonly port: SerialPortInstance,
  ) {
    this.map = METER_REGISTER_MAPS[options.model];
    this.bitsPerCharacter = 1 + 8 + (options.parity && options.parity !== 'none' ? 1 : 0) + (options.stopBits ?? 1);
    port.on('data', (data: Buffer) => this.receive(data));
    port.on('error', () => undefined);
  }

  static async open(options: ModbusMeterSimulatorOptions): Promise<ModbusMeterSimulator> {
    const SerialPort = await serialPortClass('meter simulator', options.path, options.SerialPort);
    const { port } = await openSerialPort(SerialPort, options, 'meter simulator');
    return new ModbusMeterSimulator(options, port);
  }

  /** Requests received with a valid CRC, in order. */
  get requests(): readonly SimulatedRequest[] {
    return this.seen;
  }

  /** Spoils the next `count` answers with `fault` (null: answer them normally, to spoil a later one). */
  inject(fault: MeterSimFault | null, count = 1): void {
    for (let i = 0; i < count; i++) this.injected.push(fault);
  }

  /** Spoils every answer with `fault` until called with null. */
  setFault(fault: MeterSimFault | null): void {
    this.persistent = fault;
  }

  /** Closes the simulator's port: the meter leaves the line. */
  async close(): Promise<void> {
    this.closed = true;
    await closeSerialPort(this.port);
  }

  private receive(data: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, data]);
    // Every request a master sends to a meter (functions 01–04) is 8 bytes; resynchronise on CRC.
    while (this.buffer.length >= 8) {
      const frame = this.buffer.subarray(0, 8);
      if (modbusCrc(frame.subarray(0, 6)) !== frame.readUInt16LE(6)) {
        this.buffer = this.buffer.subarray(1);
        continue;
      }
      this.buffer = this.buffer.subarray(8);
      const request: SimulatedRequest = {
        unitId: frame[0]!,
        functionCode: frame[1]!,
        start: frame.readUInt16BE(2),
        count: frame.readUInt16BE(4),
      };
      if (request.unitId !== this.options.unitId) continue; // another meter's request
      this.seen.push(request);
      const fault = this.injected.length > 0 ? this.injected.shift()! : this.persistent;
      this.queue = this.queue.then(() => this.answer(request, fault));
    }
  }

  private async answer(request: SimulatedRequest, fault: MeterSimFault | null): Promise<void> {
    if (fault === 'silent' || this.closed) return;
    let answer = fault === 'exception' ? this.exception(request, EXCEPTION_SERVER_DEVICE_FAILURE) : this.registers(request);
    if (fault === 'crc') {
      answer = Buffer.from(answer);
      answer.writeUInt16LE(answer.readUInt16LE(answer.length - 2) ^ 0xffff, answer.length - 2);
    }
    if (fault === 'garbage') answer = garbage(answer.length);
    const wireMs = this.options.emulateLineTiming === false ? 0 : ((8 + answer.length) * this.bitsPerCharacter * 1000) / this.options.baudRate;
    const delay = wireMs + (this.options.processingMs ?? 0);
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    if (this.closed) return;
    await new Promise<void>((resolve) => this.port.write(answer, () => resolve()));
  }

  private registers(request: SimulatedRequest): Buffer {
    const { functionCode, start, count } = request;
    if (functionCode !== this.map.functionCode) return this.exception(request, EXCEPTION_ILLEGAL_FUNCTION);
    if (count < 1 || count > 125 || count > this.map.maxRegistersPerRequest) return this.exception(request, EXCEPTION_ILLEGAL_DATA_VALUE);
    if (!isReadable(this.map, start, start + count)) return this.exception(request, EXCEPTION_ILLEGAL_DATA_ADDRESS);
    const data = Buffer.alloc(count * 2);
    const values = this.quantityValues();
    for (const quantity of Object.keys(this.map.fields) as MeterQuantity[]) {
      const field = this.map.fields[quantity];
      const bytes = encodeField(field, values[quantity]);
      const offset = (field.address - start) * 2;
      for (let i = 0; i < bytes.length; i++) {
        if (offset + i >= 0 && offset + i < data.length) data[offset + i] = bytes[i]!;
      }
    }
    return withCrc(Buffer.concat([Buffer.from([request.unitId, functionCode, data.length]), data]));
  }

  private exception(request: SimulatedRequest, code: number): Buffer {
    return withCrc(Buffer.from([request.unitId, request.functionCode | 0x80, code]));
  }

  private quantityValues(): Record<MeterQuantity, number> {
    const v = this.options.values();
    return {
      voltageL1: v.voltages[0], voltageL2: v.voltages[1], voltageL3: v.voltages[2],
      currentL1: v.currents[0], currentL2: v.currents[1], currentL3: v.currents[2],
      powerL1: v.powers[0], powerL2: v.powers[1], powerL3: v.powers[2],
      totalPower: v.totalPower ?? v.powers[0] + v.powers[1] + v.powers[2],
      frequency: v.frequency,
      importEnergy: v.importWh,
    };
  }
}
