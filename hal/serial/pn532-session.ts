// The PN532 over HSU as a card reader: wake it up, configure it, then look for an ISO 14443A
// card every pollIntervalMs on the clock (InListPassiveTarget, at most one target, 106 kbit/s).
//
//   SAMConfiguration  D4 14 01 14 01        normal mode (no SAM), 1 s virtual-card timeout, IRQ used
//   RFConfiguration   D4 32 05 FF 01 02     MaxRetries: InListPassiveTarget gives up after 3
//                                           activation attempts instead of waiting for a card forever
//   InListPassiveTarget D4 4A 01 00  →  D5 4B NbTg [Tg SENS_RES(2) SEL_RES NFCIDLength NFCID1…]
//
// Each command is one exchange: the PN532 ACKs, then answers (command code + 1). A NACK gets the
// command sent again once. A card is reported when it enters the field, not again on every poll
// while it stays there. Three commands in a row without an answer: the PN532 is reported as not
// answering and is woken up and configured again at the next poll.

import type { Clock, TimerHandle } from '../clock.js';
import {
  encodeFrame,
  HSU_WAKE_UP,
  PN532_COMMANDS,
  Pn532FrameDecoder,
  TFI_HOST_TO_PN532,
  TFI_PN532_TO_HOST,
  type Pn532Frame,
} from './pn532-frames.js';
import type { ProtocolContext, ProtocolSession } from './rfid-protocol.js';

export const PN532_FAILURES_BEFORE_REINIT = 3;

export class Pn532NoAnswerError extends Error {
  override readonly name = 'Pn532NoAnswerError';
}

interface PendingCommand {
  readonly code: number;
  readonly frame: Buffer;
  readonly resolve: (data: Buffer) => void;
  readonly reject: (error: Error) => void;
  readonly timer: TimerHandle;
  resent: boolean;
}

class BadTargetError extends Error {}

/** The UID of the first target in an InListPassiveTarget answer (after D5 4B), or null for none. */
export function targetUid(answer: Buffer): string | null {
  if (answer.length < 1) throw new BadTargetError('empty InListPassiveTarget answer');
  if (answer[0] === 0) return null;
  if (answer.length < 6) throw new BadTargetError('InListPassiveTarget answer too short');
  const length = answer[5]!;
  if (![4, 7, 10].includes(length) || answer.length < 6 + length) {
    throw new BadTargetError(`bad NFCID1 length ${length}`);
  }
  return answer.subarray(6, 6 + length).toString('hex').toUpperCase();
}

export class Pn532Session implements ProtocolSession {
  private readonly decoder: Pn532FrameDecoder;
  private pending: PendingCommand | null = null;
  private pollTimer: TimerHandle | null = null;
  private busy = false;
  private configured = false;
  private failures = 0;
  private inField: string | null = null;
  private running = false;

  constructor(
    private readonly context: ProtocolContext,
    private readonly clock: Clock,
    private readonly pollIntervalMs: number,
    private readonly responseTimeoutMs: number,
  ) {
    this.decoder = new Pn532FrameDecoder(
      (frame) => this.frame(frame),
      (reason) => context.badFrame(reason),
    );
  }

  receive(bytes: Buffer): void {
    this.decoder.push(bytes);
  }

  /** Wakes the PN532 up and configures it; rejects with Pn532NoAnswerError when it does not answer. */
  async initialise(): Promise<void> {
    this.configured = false;
    await this.command(PN532_COMMANDS.samConfiguration, [0x01, 0x14, 0x01], HSU_WAKE_UP);
    await this.command(PN532_COMMANDS.rfConfiguration, [0x05, 0xff, 0x01, 0x02]);
    this.configured = true;
    this.failures = 0;
  }

  start(): void {
    this.running = true;
    this.pollTimer ??= this.clock.setInterval(() => void this.poll(), this.pollIntervalMs);
    void this.poll();
  }

  stop(): void {
    this.running = false;
    this.configured = false;
    this.inField = null;
    if (this.pollTimer !== null) this.clock.clearInterval(this.pollTimer);
    this.pollTimer = null;
    const pending = this.pending;
    this.pending = null;
    if (pending) {
      this.clock.clearTimeout(pending.timer);
      pending.reject(new Pn532NoAnswerError('stopped'));
    }
    this.decoder.reset();
  }

  private async poll(): Promise<void> {
    if (this.busy || !this.running) return;
    this.busy = true;
    try {
      if (!this.configured) await this.initialise();
      const answer = await this.command(PN532_COMMANDS.inListPassiveTarget, [0x01, 0x00]);
      this.failures = 0;
      const uid = targetUid(answer);
      if (uid !== null && uid !== this.inField) this.context.card(uid);
      this.inField = uid;
    } catch (error) {
      if (!this.running) return;
      if (error instanceof BadTargetError) {
        this.context.badFrame(error.message);
      } else if (error instanceof Pn532NoAnswerError) {
        this.context.timeout();
        this.failures++;
        if (this.failures === PN532_FAILURES_BEFORE_REINIT) {
          this.configured = false;
          this.context.error(`the PN532 did not answer ${this.failures} commands in a row (${error.message}); waking it up again`);
        }
      } else {
        this.context.error((error as Error).message);
      }
    } finally {
      this.busy = false;
    }
  }

  private command(code: number, params: readonly number[], prefix?: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      this.decoder.reset();
      const frame = encodeFrame(TFI_HOST_TO_PN532, Buffer.from([code, ...params]));
      const timer = this.clock.setTimeout(() => {
        if (this.pending?.timer !== timer) return;
        this.pending = null;
        reject(new Pn532NoAnswerError(`no answer to command 0x${hex(code)} within ${this.responseTimeoutMs} ms`));
      }, this.responseTimeoutMs);
      this.pending = { code, frame, resolve, reject, timer, resent: false };
      this.context.write(prefix ? Buffer.concat([prefix, frame]) : frame);
    });
  }

  private frame(frame: Pn532Frame): void {
    const pending = this.pending;
    if (frame.kind === 'ack') return;
    if (!pending) {
      if (frame.kind === 'information') this.context.badFrame('unexpected frame');
      return;
    }
    if (frame.kind === 'nack') {
      if (!pending.resent) {
        pending.resent = true;
        this.context.write(pending.frame);
      }
      return;
    }
    if (frame.kind === 'information' && (frame.tfi !== TFI_PN532_TO_HOST || frame.data[0] !== pending.code + 1)) {
      this.context.badFrame('unexpected frame');
      return;
    }
    this.pending = null;
    this.clock.clearTimeout(pending.timer);
    if (frame.kind === 'error') pending.reject(new Error(`the PN532 answered command 0x${hex(pending.code)} with an error frame`));
    else pending.resolve(frame.data.subarray(1));
  }
}

function hex(code: number): string {
  return code.toString(16).padStart(2, '0').toUpperCase();
}
