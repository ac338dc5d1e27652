// The energy meter on an RS-485 Modbus RTU line (modbus-serial over serialport).
//
// One read() is one full read of the meter: the quantities of a MeterReading, fetched in as few
// requests as the register map allows (meter-register-maps.ts). Requests are serialised (one
// bus, one master); each one gives up after timeoutMs. Every failure is a rejected promise with a
// MeterCommunicationError saying what happened (no answer, CRC error, exception code, garbled
// answer, port gone); read() never throws synchronously and never hangs.
//
// A port that goes away (adapter unplugged, node replaced) is noticed at the latest by the next
// read, which closes it and reopens the path: a meter that comes back needs no restart. While
// the path is missing, each read rejects with the reason the reopen failed (e.g. ENOENT).

import type { MeterReading, EnergyMeter, PhaseReading } from '../interfaces.js';
import { MeterCommunicationError } from '../interfaces.js';
import { HardwareUnavailableError, loadHardwarePackage } from '../hardware-packages.js';
import { METER_REGISTER_MAPS, PHASE_QUANTITIES, type MeterModel, type MeterQuantity, type MeterRegisterMap } from './meter-register-maps.js';
import { decodeBlock, planReads, type ReadBlock } from './register-codec.js';
import { RtuFrameLink } from './rtu-frame-link.js';
import { describeError, nodeIdentity, openSerialPort, serialPortClass, type SerialPortClass, type SerialPortInstance } from './serial-port.js';

export type { MeterModel } from './meter-register-maps.js';

export type ModbusSerialModule = typeof import('modbus-serial');
type ModbusClient = InstanceType<ModbusSerialModule['default']>;

export interface ModbusMeterOptions {
  path: string;
  baudRate: number;
  parity: 'none' | 'even' | 'odd';
  dataBits: 8;
  stopBits: 1 | 2;
  /** Modbus slave address, 1–247. */
  unitId: number;
  model: MeterModel;
  /** How long one request may wait for its answer. */
  timeoutMs: number;
  phases: 1 | 3;
}

/** Packages the meter needs; tests may inject them. */
export interface ModbusMeterDeps {
  modbus?: ModbusSerialModule;
  SerialPort?: SerialPortClass;
}

export interface ModbusMeterStats {
  /** Full reads that succeeded. */
  reads: number;
  /** Full reads that failed (each rejected with a MeterCommunicationError). */
  failures: number;
  /** Answers with a bad CRC. */
  crcErrors: number;
  /** Requests that got no (valid) answer in time. */
  timeouts: number;
}

const DEVICE = 'energy meter';

interface Connection {
  readonly port: SerialPortInstance;
  readonly link: RtuFrameLink;
  readonly client: ModbusClient;
  /** nodeIdentity() of the path when it was opened. */
  readonly identity: string | null;
  /** Why the port is unusable, once it is. */
  lost: string | null;
  /** Fails the request in flight, if any. */
  abort: ((reason: string) => void) | null;
}

export class ModbusEnergyMeter implements EnergyMeter {
  private readonly counters: ModbusMeterStats = { reads: 0, failures: 0, crcErrors: 0, timeouts: 0 };
  private readonly plan: readonly ReadBlock[];
  private readonly name: string;
  /** Silence the bus keeps between frames: 3.5 character times, 1.75 ms above 19200 baud. */
  private readonly interFrameMs: number;
  private connection: Connection | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private lastFrameAt = 0;
  private closed = false;

  private constructor(
    private readonly options: ModbusMeterOptions,
    private readonly map: MeterRegisterMap,
    private readonly modbus: ModbusSerialModule,
    private readonly SerialPort: SerialPortClass,
  ) {
    this.plan = planReads(map, wantedQuantities(options.phases));
    this.name = `${DEVICE} ${options.model} (unit ${options.unitId}) at ${options.path}`;
    const bitsPerCharacter = 1 + options.dataBits + (options.parity === 'none' ? 0 : 1) + options.stopBits;
    this.interFrameMs = options.baudRate > 19200 ? 1.75 : (3.5 * bitsPerCharacter * 1000) / options.baudRate;
  }

  /** Opens the port; HardwareUnavailableError (device 'energy meter') when it cannot. */
  static async open(options: ModbusMeterOptions, deps: ModbusMeterDeps = {}): Promise<ModbusEnergyMeter> {
    const map = METER_REGISTER_MAPS[options.model];
    if (!map) throw new HardwareUnavailableError(DEVICE, options.path, `unknown meter model "${options.model}"`);
    if (!Number.isInteger(options.unitId) || options.unitId < 1 || options.unitId > 247) {
      throw new HardwareUnavailableError(DEVICE, options.path, `unit id must be 1–247 (got ${options.unitId})`);
    }
    if (!(options.timeoutMs > 0)) throw new HardwareUnavailableError(DEVICE, options.path, `timeoutMs must be positive (got ${options.timeoutMs})`);
    const modbus = deps.modbus ?? (await loadHardwarePackage<ModbusSerialModule>('modbus-serial', DEVICE, options.path));
    const SerialPort = await serialPortClass(DEVICE, options.path, deps.SerialPort);
    const meter = new ModbusEnergyMeter(options, map, modbus, SerialPort);
    meter.connection = await meter.connect();
    return meter;
  }

  get stats(): Readonly<ModbusMeterStats> {
    return { ...this.counters };
  }

  /** The requests one read makes, for diagnostics. */
  get requests(): readonly ReadBlock[] {
    return this.plan;
  }

  read(): Promise<MeterReading> {
    const run = this.queue.then(() => this.readCounted());
    this.queue = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    this.closed = true;
    const connection = this.connection;
    this.connection = null;
    if (connection) {
      connection.abort?.('the meter driver was closed');
      await this.dispose(connection);
    }
  }

  private async readCounted(): Promise<MeterReading> {
    try {
      const reading = await this.readAll();
      this.counters.reads++;
      return reading;
    } catch (error) {
      this.counters.failures++;
      throw error instanceof MeterCommunicationError ? error : new MeterCommunicationError(`${this.name}: ${describeError(error)}`);
    }
  }

  private async readAll(): Promise<MeterReading> {
    if (this.closed) throw new MeterCommunicationError(`${this.name}: the driver is closed`);
    const connection = await this.usableConnection();
    const values = new Map<MeterQuantity, number>();
    for (const block of this.plan) {
      const bytes = await this.request(connection, block);
      for (const [quantity, value] of decodeBlock(this.map, block, bytes)) {
        if (value === null) {
          const address = this.map.fields[quantity].address.toString(16).padStart(4, '0');
          throw new MeterCommunicationError(`${this.name}: the meter has no valid value for ${quantity} (register 0x${address})`);
        }
        values.set(quantity, value);
      }
    }
    const get = (quantity: MeterQuantity): number => values.get(quantity) ?? 0;
    const phase = (index: number): PhaseReading => {
      if (index >= this.options.phases) return { voltageV: 0, currentA: 0, powerW: 0 };
      const q = PHASE_QUANTITIES[index]!;
      return { voltageV: get(q.voltage), currentA: get(q.current), powerW: get(q.power) };
    };
    return {
      phases: [phase(0), phase(1), phase(2)],
      totalPowerW: get('totalPower'),
      frequencyHz: get('frequency'),
      importEnergyWh: get('importEnergy'),
    };
  }

  /** The open connection, or a new one when the port went away or its node was replaced. */
  private async usableConnection(): Promise<Connection> {
    const current = this.connection;
    if (current && !current.lost) {
      const identity = await nodeIdentity(this.options.path);
      if (identity !== null && identity === current.identity) return current;
      current.lost = identity === null ? 'the device node is gone' : 'the device node was replaced';
    }
    if (current) {
      this.connection = null;
      await this.dispose(current);
    }
    try {
      this.connection = await this.connect();
    } catch (error) {
      const reason = error instanceof HardwareUnavailableError ? error.reason : describeError(error);
      const before = current?.lost ? `${current.lost}; ` : '';
      throw new MeterCommunicationError(`${this.name}: port gone (${before}reopening failed: ${reason})`);
    }
    if (this.closed) {
      // close() ran while the port was being reopened.
      const reopened = this.connection;
      this.connection = null;
      await this.dispose(reopened);
      throw new MeterCommunicationError(`${this.name}: the driver is closed`);
    }
    return this.connection;
  }

  private async connect(): Promise<Connection> {
    const { port, identity } = await openSerialPort(this.SerialPort, this.options, DEVICE);
    const link = new RtuFrameLink(port);
    const client = new this.modbus.default(link);
    client.setID(this.options.unitId);
    client.setTimeout(this.options.timeoutMs);
    // The client re-emits port errors; they are handled through the link below.
    client.on('error', () => undefined);
    const connection: Connection = { port, link, client, identity, lost: null, abort: null };
    const lose = (reason: string): void => {
      connection.lost ??= reason;
      connection.abort?.(reason);
    };
    link.on('error', (error: unknown) => lose(describeError(error)));
    link.on('close', (error: unknown) => lose(error ? describeError(error) : 'the port was closed'));
    await new Promise<void>((resolve, reject) => {
      client.open((error: unknown) => (error ? reject(new HardwareUnavailableError(DEVICE, this.options.path, describeError(error))) : resolve()));
    });
    return connection;
  }

  private dispose(connection: Connection): Promise<void> {
    connection.lost ??= 'closed';
    return new Promise((resolve) => {
      try {
        connection.client.close(() => resolve());
      } catch {
        resolve();
      }
    });
  }

  /** One request: resolves with the register bytes, or rejects within timeoutMs. */
  private async request(connection: Connection, block: ReadBlock): Promise<Buffer> {
    const quiet = this.lastFrameAt + this.interFrameMs - performance.now();
    if (quiet > 0) await new Promise((resolve) => setTimeout(resolve, quiet));
    const what = `a read of ${block.count} registers at 0x${block.start.toString(16).padStart(4, '0')}`;
    try {
      return await new Promise<Buffer>((resolve, reject) => {
        let settled = false;
        // Errors are made only by the first outcome, so each failure is counted once.
        const settle = (outcome: { bytes: Buffer } | (() => MeterCommunicationError)): void => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          connection.abort = null;
          this.lastFrameAt = performance.now();
          if (typeof outcome === 'function') reject(outcome());
          else resolve(outcome.bytes);
        };
        const timer = setTimeout(() => settle(() => this.timeoutError(connection, what)), this.options.timeoutMs);
        if (connection.lost) {
          const lost = connection.lost;
          settle(() => new MeterCommunicationError(`${this.name}: port gone (${lost})`));
          return;
        }
        connection.abort = (reason) => settle(() => new MeterCommunicationError(`${this.name}: port gone during ${what} (${reason})`));
        const call = this.map.functionCode === 4
          ? connection.client.readInputRegisters(block.start, block.count)
          : connection.client.readHoldingRegisters(block.start, block.count);
        call.then(
          (result) => settle({ bytes: result.buffer }),
          (error: unknown) => settle(() => this.classify(connection, error, what)),
        );
      });
    } catch (error) {
      if (error instanceof MeterCommunicationError) throw error;
      throw new MeterCommunicationError(`${this.name}: ${what} failed: ${describeError(error)}`);
    }
  }

  private timeoutError(connection: Connection, what: string): MeterCommunicationError {
    this.counters.timeouts++;
    const stray = connection.link.strayBytes;
    const detail = stray > 0 ? ` (received ${stray} bytes that are not an answer from unit ${this.options.unitId})` : '';
    return new MeterCommunicationError(`${this.name}: no answer within ${this.options.timeoutMs} ms to ${what}${detail}`);
  }

  /** Turns modbus-serial's errors into messages a technician can act on. */
  private classify(connection: Connection, error: unknown, what: string): MeterCommunicationError {
    const message = error instanceof Error || (typeof error === 'object' && error !== null && 'message' in error)
      ? String((error as { message: unknown }).message)
      : String(error);
    const errno = (error as { errno?: unknown } | null)?.errno;
    if (message === 'Timed out' || errno === 'ETIMEDOUT') return this.timeoutError(connection, what);
    if (message === 'CRC error') {
      this.counters.crcErrors++;
      return new MeterCommunicationError(`${this.name}: answer to ${what} has a bad CRC`);
    }
    if (message.startsWith('Modbus exception')) {
      return new MeterCommunicationError(`${this.name}: the meter refused ${what}: ${message}`);
    }
    if (message.startsWith('Data length error') || message.startsWith('Unexpected data error')) {
      return new MeterCommunicationError(`${this.name}: garbled answer to ${what}: ${message}`);
    }
    if (message === 'Port Not Open') {
      return new MeterCommunicationError(`${this.name}: port gone (${connection.lost ?? 'not open'})`);
    }
    return new MeterCommunicationError(`${this.name}: ${what} failed: ${message}`);
  }
}

function wantedQuantities(phases: 1 | 3): MeterQuantity[] {
  const perPhase = PHASE_QUANTITIES.slice(0, phases).flatMap((q) => [q.voltage, q.current, q.power]);
  return [...perPhase, 'totalPower', 'frequency', 'importEnergy'];
}
