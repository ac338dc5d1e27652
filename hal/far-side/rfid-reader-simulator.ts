// An RFID reader on a serial path, for tests, benchmarks and bench rigs.
//
// 'uid-line': presentCard() prints the UID as a line, in the format asked for.
// 'pn532-hsu': a PN532 that sleeps until woken by the HSU preamble (0x55…), then ACKs and answers
// SAMConfiguration, RFConfiguration, GetFirmwareVersion and InListPassiveTarget (with the card in
// the field, if any); other commands get the application error frame. corruptNextAnswer() spoils
// the next answer (bad checksum, bad length checksum, cut short, or garbage before it); silent
// stops it answering at all.
//
// writeRaw() puts any bytes on the line, for garbage.

import { ACK_FRAME, encodeFrame, ERROR_FRAME, PN532_COMMANDS, Pn532FrameDecoder, TFI_HOST_TO_PN532, TFI_PN532_TO_HOST, type Pn532Frame } from '../serial/pn532-frames.js';
import type { RfidProtocol } from '../serial/serial-rfid-reader.js';
import { closeSerialPort, openSerialPort, serialPortClass, type SerialPortClass, type SerialPortInstance } from '../serial/serial-port.js';

export interface RfidReaderSimulatorOptions {
  readonly path: string;
  readonly baudRate: number;
  readonly protocol: RfidProtocol;
  /** PN532: ignore everything until the HSU wake-up preamble. Default true. */
  readonly requireWakeUp?: boolean;
  readonly SerialPort?: SerialPortClass;
}

export interface UidLineFormat {
  readonly lowerCase?: boolean;
  /** Between byte pairs. Default none. */
  readonly separator?: '' | ':' | ' ';
  readonly lineEnding?: '\r\n' | '\n' | '\r';
}

export type Pn532Corruption = 'checksum' | 'length' | 'partial' | 'garbage-before';

const FIRMWARE_VERSION = [0x32, 0x01, 0x06, 0x07]; // PN532, v1.6, supports ISO 14443A/B and 18092

export class RfidReaderSimulator {
  /** PN532: answers nothing (not even ACK) while true. */
  silent = false;
  private readonly decoder: Pn532FrameDecoder;
  private readonly received: number[] = [];
  private card: Buffer | null = null;
  private corruption: Pn532Corruption | null = null;
  private awake: boolean;
  private closed = false;

  private constructor(
    private readonly options: RfidReaderSimulatorOptions,
    private readonly port: SerialPortInstance,
  ) {
    this.awake = options.requireWakeUp === false;
    this.decoder = new Pn532FrameDecoder((frame) => this.command(frame), () => undefined);
    port.on('data', (data: Buffer) => this.receive(data));
    port.on('error', () => undefined);
  }

  static async open(options: RfidReaderSimulatorOptions): Promise<RfidReaderSimulator> {
    const SerialPort = await serialPortClass('RFID reader simulator', options.path, options.SerialPort);
    const { port } = await openSerialPort(SerialPort, options, 'RFID reader simulator');
    return new RfidReaderSimulator(options, port);
  }

  /** PN532: command codes received, in order. */
  get commands(): readonly number[] {
    return this.received;
  }

  /** uid-line: prints the UID. PN532: puts the card in the field until removeCard(). */
  async presentCard(uid: string, format: UidLineFormat = {}): Promise<void> {
    if (this.options.protocol === 'pn532-hsu') {
      this.card = Buffer.from(uid, 'hex');
      return;
    }
    const pairs = uid.match(/.{1,2}/g) ?? [];
    let text = pairs.join(format.separator ?? '');
    text = format.lowerCase ? text.toLowerCase() : text.toUpperCase();
    await this.writeRaw(text + (format.lineEnding ?? '\r\n'));
  }

  removeCard(): void {
    this.card = null;
  }

  /** PN532: the next answer goes out spoiled. */
  corruptNextAnswer(kind: Pn532Corruption): void {
    this.corruption = kind;
  }

  writeRaw(bytes: Buffer | string): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.port.write(bytes, () => this.port.drain(() => resolve()));
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await closeSerialPort(this.port);
  }

  private receive(data: Buffer): void {
    if (this.options.protocol !== 'pn532-hsu') return;
    if (!this.awake) {
      const wake = data.indexOf(0x55);
      if (wake < 0) return;
      this.awake = true;
      data = data.subarray(wake);
    }
    this.decoder.push(data);
  }

  private command(frame: Pn532Frame): void {
    if (frame.kind !== 'information' || frame.tfi !== TFI_HOST_TO_PN532 || frame.data.length === 0) return;
    const code = frame.data[0]!;
    this.received.push(code);
    if (this.silent) return;
    void this.writeRaw(ACK_FRAME);
    void this.writeRaw(this.spoil(this.answer(code)));
  }

  private answer(code: number): Buffer {
    const reply = (...data: number[]): Buffer => encodeFrame(TFI_PN532_TO_HOST, Buffer.from([code + 1, ...data]));
    switch (code) {
      case PN532_COMMANDS.getFirmwareVersion:
        return reply(...FIRMWARE_VERSION);
      case PN532_COMMANDS.samConfiguration:
      case PN532_COMMANDS.rfConfiguration:
        return reply();
      case PN532_COMMANDS.inListPassiveTarget: {
        const card = this.card;
        if (!card) return reply(0x00);
        // SENS_RES (ATQA) and SEL_RES (SAK) of a MIFARE Classic 1K (4-byte UID) or Ultralight (7-byte UID).
        const sensRes = card.length === 4 ? [0x00, 0x04] : [0x00, 0x44];
        const selRes = card.length === 4 ? 0x08 : 0x00;
        return reply(0x01, 0x01, ...sensRes, selRes, card.length, ...card);
      }
      default:
        return Buffer.from(ERROR_FRAME);
    }
  }

  private spoil(frame: Buffer): Buffer {
    const corruption = this.corruption;
    this.corruption = null;
    const spoiled = Buffer.from(frame);
    switch (corruption) {
      case null:
        return spoiled;
      case 'checksum':
        spoiled[spoiled.length - 2]! ^= 0x5a; // DCS
        return spoiled;
      case 'length':
        spoiled[4]! ^= 0x01; // LCS
        return spoiled;
      case 'partial':
        return spoiled.subarray(0, Math.ceil(spoiled.length / 2));
      case 'garbage-before':
        return Buffer.concat([Buffer.from('\x13\x37garbage\xfe\xed', 'latin1'), spoiled]);
    }
  }
}
