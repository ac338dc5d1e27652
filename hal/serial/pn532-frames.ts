// PN532 frames, as the NXP PN532 User Manual (UM0701-02) §6.2 defines them for every host link
// (HSU, I²C, SPI):
//
//   normal information frame   00 | 00 FF | LEN | LCS | TFI | PD0 … PDn | DCS | 00
//   extended information frame 00 | 00 FF | FF FF | LENM LENL | LCS | TFI | PD0 … PDn | DCS | 00
//   ACK                        00 00 FF 00 FF 00
//   NACK                       00 00 FF FF 00 00
//   application error          00 00 FF 01 FF 7F 81 00
//
// LEN counts TFI and the data; LEN + LCS ≡ 0 (mod 256) and TFI + ΣPD + DCS ≡ 0 (mod 256).
// TFI is D4 from the host to the PN532 and D5 back. The decoder takes bytes as they come,
// drops whatever is not a valid frame (reporting it once per bad stretch) and resynchronises on
// the next start code; preamble and postamble zeros are not garbage.

export const TFI_HOST_TO_PN532 = 0xd4;
export const TFI_PN532_TO_HOST = 0xd5;

export const ACK_FRAME = Buffer.from([0x00, 0x00, 0xff, 0x00, 0xff, 0x00]);
export const NACK_FRAME = Buffer.from([0x00, 0x00, 0xff, 0xff, 0x00, 0x00]);
export const ERROR_FRAME = Buffer.from([0x00, 0x00, 0xff, 0x01, 0xff, 0x7f, 0x81, 0x00]);

/**
 * HSU wake-up: on HSU the PN532 starts asleep and wakes on a long preamble (0x55 0x55, then
 * zeros) sent before the first command, as NXP's user manual describes and libnfc and
 * Adafruit-PN532 do.
 */
export const HSU_WAKE_UP = Buffer.from([0x55, 0x55, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]);

export const PN532_COMMANDS = {
  getFirmwareVersion: 0x02,
  samConfiguration: 0x14,
  rfConfiguration: 0x32,
  inListPassiveTarget: 0x4a,
} as const;

export type Pn532Frame =
  | { readonly kind: 'ack' }
  | { readonly kind: 'nack' }
  | { readonly kind: 'error' }
  | { readonly kind: 'information'; readonly tfi: number; readonly data: Buffer };

export type BadFrameReason = 'garbage' | 'length checksum' | 'data checksum' | 'length' | 'partial';

function checksum(bytes: Uint8Array): number {
  let sum = 0;
  for (const byte of bytes) sum += byte;
  return (0x100 - (sum & 0xff)) & 0xff;
}

/** An information frame: TFI and data (the command code is the first data byte). */
export function encodeFrame(tfi: number, data: Uint8Array): Buffer {
  const body = Buffer.from([tfi, ...data]);
  const dcs = checksum(body);
  if (body.length < 0xff) {
    const len = body.length;
    return Buffer.from([0x00, 0x00, 0xff, len, (0x100 - len) & 0xff, ...body, dcs, 0x00]);
  }
  const lenm = body.length >> 8;
  const lenl = body.length & 0xff;
  return Buffer.from([0x00, 0x00, 0xff, 0xff, 0xff, lenm, lenl, checksum(Buffer.from([lenm, lenl])), ...body, dcs, 0x00]);
}

const MAX_BUFFERED = 1024;

type Parse =
  | { readonly kind: 'frame'; readonly frame: Pn532Frame; readonly length: number }
  | { readonly kind: 'bad'; readonly reason: BadFrameReason }
  | { readonly kind: 'incomplete' };

/** Parses the frame whose start code (00 FF) is at `at`. */
function parseAt(buffer: Buffer, at: number): Parse {
  const available = buffer.length - at;
  if (available < 4) return { kind: 'incomplete' };
  const len = buffer[at + 2]!;
  const lcs = buffer[at + 3]!;
  if (len === 0x00 && lcs === 0xff) return { kind: 'frame', frame: { kind: 'ack' }, length: 4 };
  if (len === 0xff && lcs === 0x00) return { kind: 'frame', frame: { kind: 'nack' }, length: 4 };
  let header: number;
  let size: number;
  if (len === 0xff && lcs === 0xff) {
    if (available < 7) return { kind: 'incomplete' };
    const lenm = buffer[at + 4]!;
    const lenl = buffer[at + 5]!;
    if (((lenm + lenl + buffer[at + 6]!) & 0xff) !== 0) return { kind: 'bad', reason: 'length checksum' };
    header = 7;
    size = (lenm << 8) | lenl;
  } else {
    if (((len + lcs) & 0xff) !== 0) return { kind: 'bad', reason: 'length checksum' };
    header = 4;
    size = len;
  }
  if (size === 0) return { kind: 'bad', reason: 'length' };
  if (available < header + size + 1) return { kind: 'incomplete' };
  const body = buffer.subarray(at + header, at + header + size);
  if (checksum(body) !== buffer[at + header + size]) return { kind: 'bad', reason: 'data checksum' };
  const tfi = body[0]!;
  const frame: Pn532Frame = tfi === 0x7f && size === 1 ? { kind: 'error' } : { kind: 'information', tfi, data: Buffer.from(body.subarray(1)) };
  return { kind: 'frame', frame, length: header + size + 1 };
}

function findStart(buffer: Buffer, from: number): number {
  for (let i = from; i + 1 < buffer.length; i++) {
    if (buffer[i] === 0x00 && buffer[i + 1] === 0xff) return i;
  }
  return -1;
}

function hasGarbage(bytes: Uint8Array): boolean {
  return bytes.some((byte) => byte !== 0x00);
}

export class Pn532FrameDecoder {
  private buffer = Buffer.alloc(0);
  /** A bad frame was reported and no valid one has come since: what follows is part of it. */
  private spoiled = false;

  constructor(
    private readonly onFrame: (frame: Pn532Frame) => void,
    private readonly onBadFrame: (reason: BadFrameReason) => void,
  ) {}

  push(bytes: Uint8Array): void {
    this.buffer = this.buffer.length === 0 ? Buffer.from(bytes) : Buffer.concat([this.buffer, bytes]);
    if (this.buffer.length > MAX_BUFFERED) {
      this.buffer = this.buffer.subarray(this.buffer.length - MAX_BUFFERED);
      this.bad('garbage');
    }
    for (;;) {
      const start = findStart(this.buffer, 0);
      if (start < 0) {
        // Keep a trailing 00: it may be the first half of a start code.
        const keep = this.buffer.at(-1) === 0x00 ? 1 : 0;
        if (hasGarbage(this.buffer.subarray(0, this.buffer.length - keep))) this.bad('garbage');
        this.buffer = this.buffer.subarray(this.buffer.length - keep);
        return;
      }
      if (start > 0) {
        if (hasGarbage(this.buffer.subarray(0, start))) this.bad('garbage');
        this.buffer = this.buffer.subarray(start);
      }
      const parsed = parseAt(this.buffer, 0);
      if (parsed.kind === 'frame') {
        this.buffer = this.buffer.subarray(parsed.length);
        this.spoiled = false;
        this.onFrame(parsed.frame);
        continue;
      }
      if (parsed.kind === 'bad') {
        this.bad(parsed.reason);
        this.buffer = this.buffer.subarray(2); // resynchronise after this start code
        continue;
      }
      // Incomplete. If a complete, valid frame already follows, this start was a false one
      // (garbage with a plausible header, or a frame cut short): drop it and go on.
      const next = this.nextCompleteFrame();
      if (next < 0) return;
      this.bad('partial');
      this.buffer = this.buffer.subarray(next);
    }
  }

  /** Drops what is buffered (a frame cut short, or leftovers); reports it if it was not just zeros. */
  reset(): void {
    if (hasGarbage(this.buffer)) this.bad('partial');
    this.buffer = Buffer.alloc(0);
    this.spoiled = false;
  }

  /** Reports a bad stretch once, however many pieces it falls into (a bad header, then its body). */
  private bad(reason: BadFrameReason): void {
    if (this.spoiled) return;
    this.spoiled = true;
    this.onBadFrame(reason);
  }

  private nextCompleteFrame(): number {
    for (let at = findStart(this.buffer, 2); at >= 0; at = findStart(this.buffer, at + 2)) {
      if (parseAt(this.buffer, at).kind === 'frame') return at;
    }
    return -1;
  }
}
