// What a card-reader protocol sees of the serial reader around it, and the 'uid-line' protocol.

import { UidLineDecoder } from './uid-line-decoder.js';

/** The reader's side of a protocol session. */
export interface ProtocolContext {
  /** Sends bytes to the reader; dropped while the port is away. */
  write(bytes: Buffer): void;
  card(uid: string): void;
  badFrame(reason: string): void;
  /** A command went unanswered. */
  timeout(): void;
  /** Something the technician should hear about. */
  error(message: string): void;
}

export interface ProtocolSession {
  receive(bytes: Buffer): void;
  /** The port is (re)opened: start talking. */
  start(): void;
  /** The port is gone or closing: stop, forget partial input. */
  stop(): void;
}

/** Readers that print each card's UID on a line of its own: nothing to send, only to listen. */
export class UidLineSession implements ProtocolSession {
  private readonly decoder: UidLineDecoder;

  constructor(context: ProtocolContext) {
    this.decoder = new UidLineDecoder(
      (uid) => context.card(uid),
      (reason) => context.badFrame(reason),
    );
  }

  receive(bytes: Buffer): void {
    this.decoder.push(bytes);
  }

  start(): void {}

  stop(): void {
    this.decoder.reset();
  }
}
