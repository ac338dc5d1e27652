// The RFID card reader on a serial port: a PN532 over HSU, or a reader that prints UIDs as lines.
//
// Bad input (checksum errors, wrong lengths, garbage, frames cut short) is dropped and counted in
// stats.badFrames; the decoders resynchronise on the next valid frame. A port that goes away
// (EIO, the adapter unplugged, its node gone or replaced) is counted in stats.disconnects,
// reported to the onError listeners, and reopened on the clock with backoff
// (reopenBackoffMs, the last delay repeating) until it is back; the PN532 is then woken up and
// configured again. Nothing here throws into the serial port's callbacks.

import type { Clock, TimerHandle } from '../clock.js';
import { HardwareUnavailableError } from '../hardware-packages.js';
import type { Listener, RfidCard, RfidReader, Unsubscribe } from '../interfaces.js';
import { Listeners } from '../listeners.js';
import { Pn532NoAnswerError, Pn532Session } from './pn532-session.js';
import { UidLineSession, type ProtocolContext, type ProtocolSession } from './rfid-protocol.js';
import {
  closeSerialPort,
  describeError,
  nodeIdentity,
  openSerialPort,
  serialPortClass,
  type SerialPortClass,
  type SerialPortInstance,
} from './serial-port.js';

export type RfidProtocol = 'pn532-hsu' | 'uid-line';

export interface SerialRfidOptions {
  path: string;
  baudRate: number;
  protocol: RfidProtocol;
  /** PN532: how often to look for a card. Default 200 ms. */
  pollIntervalMs?: number;
  /** PN532: how long a command waits for its answer. Default 500 ms. */
  responseTimeoutMs?: number;
  /** How often the device node is checked for having gone or been replaced. Default 1000 ms. */
  watchdogIntervalMs?: number;
  /** Delays before each reopen attempt after the port went away; the last one repeats. */
  reopenBackoffMs?: readonly number[];
}

export interface SerialRfidDeps {
  SerialPort?: SerialPortClass;
}

export interface SerialRfidStats {
  /** Card events delivered. */
  cards: number;
  /** Frames or lines dropped: bad checksum or length, garbage, cut short, unexpected. */
  badFrames: number;
  /** Times the port went away. */
  disconnects: number;
  /** Times it was opened again after that. */
  reopens: number;
  /** PN532 commands that got no answer in time. */
  timeouts: number;
}

export const RFID_DEFAULTS = {
  pollIntervalMs: 200,
  responseTimeoutMs: 500,
  watchdogIntervalMs: 1000,
  reopenBackoffMs: [250, 500, 1000, 2000, 5000],
} as const;

const DEVICE = 'RFID reader';

export class SerialRfidReader implements RfidReader {
  private readonly counters: SerialRfidStats = { cards: 0, badFrames: 0, disconnects: 0, reopens: 0, timeouts: 0 };
  private readonly cardListeners = new Listeners<RfidCard>();
  private readonly errorListeners = new Listeners<Error>();
  private readonly session: ProtocolSession;
  private readonly settings: Required<SerialRfidOptions>;
  private port: SerialPortInstance | null = null;
  private identity: string | null = null;
  private watchdog: TimerHandle | null = null;
  private reopenTimer: TimerHandle | null = null;
  private reopenAttempt = 0;
  private closed = false;

  private constructor(
    options: SerialRfidOptions,
    private readonly clock: Clock,
    private readonly SerialPort: SerialPortClass,
  ) {
    this.settings = {
      ...options,
      pollIntervalMs: options.pollIntervalMs ?? RFID_DEFAULTS.pollIntervalMs,
      responseTimeoutMs: options.responseTimeoutMs ?? RFID_DEFAULTS.responseTimeoutMs,
      watchdogIntervalMs: options.watchdogIntervalMs ?? RFID_DEFAULTS.watchdogIntervalMs,
      reopenBackoffMs: options.reopenBackoffMs?.length ? options.reopenBackoffMs : RFID_DEFAULTS.reopenBackoffMs,
    };
    const context: ProtocolContext = {
      write: (bytes) => this.write(bytes),
      card: (uid) => this.card(uid),
      badFrame: () => {
        this.counters.badFrames++;
      },
      timeout: () => {
        this.counters.timeouts++;
      },
      error: (message) => this.report(message),
    };
    this.session = options.protocol === 'pn532-hsu'
      ? new Pn532Session(context, clock, this.settings.pollIntervalMs, this.settings.responseTimeoutMs)
      : new UidLineSession(context);
  }

  /**
   * Opens the port (and, for a PN532, wakes it up and configures it). HardwareUnavailableError
   * (device 'RFID reader') when the port cannot be opened or the PN532 does not answer.
   */
  static async open(options: SerialRfidOptions, clock: Clock, deps: SerialRfidDeps = {}): Promise<SerialRfidReader> {
    if (options.protocol !== 'pn532-hsu' && options.protocol !== 'uid-line') {
      throw new HardwareUnavailableError(DEVICE, options.path, `unknown protocol "${String(options.protocol)}" (pn532-hsu or uid-line)`);
    }
    const SerialPort = await serialPortClass(DEVICE, options.path, deps.SerialPort);
    const reader = new SerialRfidReader(options, clock, SerialPort);
    await reader.connect();
    if (reader.session instanceof Pn532Session) {
      try {
        await reader.session.initialise();
      } catch (error) {
        await reader.close();
        const reason = error instanceof Pn532NoAnswerError
          ? `the PN532 does not answer (${error.message}; check the wiring, that it is set to HSU, and the baud rate ${options.baudRate})`
          : describeError(error);
        throw new HardwareUnavailableError(DEVICE, options.path, reason);
      }
    }
    reader.session.start();
    return reader;
  }

  get stats(): Readonly<SerialRfidStats> {
    return { ...this.counters };
  }

  onCard(listener: Listener<RfidCard>): Unsubscribe {
    return this.cardListeners.subscribe(listener);
  }

  /** Problems with the reader: port lost, reopen failed, PN532 not answering. */
  onError(listener: Listener<Error>): Unsubscribe {
    return this.errorListeners.subscribe(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.reopenTimer !== null) this.clock.clearTimeout(this.reopenTimer);
    this.reopenTimer = null;
    this.stopWatchdog();
    this.session.stop();
    const port = this.port;
    this.port = null;
    if (port) await closeSerialPort(port);
  }

  private async connect(): Promise<void> {
    const { port, identity } = await openSerialPort(this.SerialPort, this.settings, DEVICE);
    this.port = port;
    this.identity = identity;
    port.on('data', (data: Buffer) => {
      if (this.port === port) this.session.receive(data);
    });
    port.on('error', (error: Error) => this.lost(port, describeError(error)));
    port.on('close', (error?: Error | null) => this.lost(port, error ? describeError(error) : 'the port was closed'));
    this.watchdog = this.clock.setInterval(() => void this.checkNode(port), this.settings.watchdogIntervalMs);
  }

  private write(bytes: Buffer): void {
    const port = this.port;
    if (!port) return;
    port.write(bytes, (error) => {
      if (error) this.lost(port, describeError(error));
    });
  }

  private card(uid: string): void {
    this.counters.cards++;
    this.cardListeners.emit({ uid });
  }

  private report(message: string): void {
    this.errorListeners.emit(new Error(`${DEVICE} at ${this.settings.path}: ${message}`));
  }

  private async checkNode(port: SerialPortInstance): Promise<void> {
    const identity = await nodeIdentity(this.settings.path);
    if (this.port !== port || identity === this.identity) return;
    this.lost(port, identity === null ? 'the device node is gone' : 'the device node was replaced');
  }

  /** The port went away: stop, close it, and reopen it later. Once per port. */
  private lost(port: SerialPortInstance, reason: string): void {
    if (this.closed || this.port !== port) return;
    this.port = null;
    this.counters.disconnects++;
    this.stopWatchdog();
    this.session.stop();
    void closeSerialPort(port);
    this.report(`port lost (${reason}); reopening`);
    this.scheduleReopen();
  }

  private scheduleReopen(): void {
    const delays = this.settings.reopenBackoffMs;
    const delay = delays[Math.min(this.reopenAttempt, delays.length - 1)]!;
    this.reopenAttempt++;
    this.reopenTimer = this.clock.setTimeout(() => void this.reopen(), delay);
  }

  private async reopen(): Promise<void> {
    this.reopenTimer = null;
    if (this.closed) return;
    try {
      await this.connect();
    } catch (error) {
      if (this.closed) return;
      const reason = error instanceof HardwareUnavailableError ? error.reason : describeError(error);
      this.report(`cannot reopen the port (attempt ${this.reopenAttempt}): ${reason}`);
      this.scheduleReopen();
      return;
    }
    if (this.closed) {
      const port = this.port;
      this.port = null;
      this.stopWatchdog();
      if (port) await closeSerialPort(port);
      return;
    }
    this.counters.reopens++;
    this.reopenAttempt = 0;
    this.session.start();
  }

  private stopWatchdog(): void {
    if (this.watchdog !== null) this.clock.clearInterval(this.watchdog);
    this.watchdog = null;
  }
}
