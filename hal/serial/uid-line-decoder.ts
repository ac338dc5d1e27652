// Readers that print one UID per line (many USB and TTL RFID modules): hex digits, upper or lower
// case, optionally as byte pairs separated by ':' or ' ', ended by CR, LF or CR LF.
//
// A UID is 4 to 10 bytes (8–20 hex digits: ISO 14443A single, double and triple size UIDs; the
// 5-byte IDs of EM4100 125 kHz cards). Anything else on a line (noise, a cut-off line, binary
// junk) is a bad frame: dropped and counted, and the next line is read as usual.

const MAX_LINE_LENGTH = 64;
const SEPARATED = /^[0-9a-f]{2}(?:[: ][0-9a-f]{2})+$/i;
const PLAIN = /^[0-9a-f]+$/i;

/** The UID on `line` (upper-case hex), or null when the line is not one. */
export function parseUidLine(line: string): string | null {
  const text = line.trim();
  let hex: string;
  if (PLAIN.test(text)) hex = text;
  else if (SEPARATED.test(text)) hex = text.replace(/[: ]/g, '');
  else return null;
  if (hex.length % 2 !== 0 || hex.length < 8 || hex.length > 20) return null;
  return hex.toUpperCase();
}

export class UidLineDecoder {
  private line = '';
  /** Skipping the rest of a line that was too long. */
  private discarding = false;

  constructor(
    private readonly onUid: (uid: string) => void,
    private readonly onBadFrame: (reason: string) => void,
  ) {}

  push(bytes: Uint8Array): void {
    for (const byte of bytes) {
      if (byte === 0x0a || byte === 0x0d) {
        this.endLine();
        continue;
      }
      if (this.discarding) continue;
      if (this.line.length >= MAX_LINE_LENGTH) {
        this.onBadFrame('line too long');
        this.line = '';
        this.discarding = true;
        continue;
      }
      this.line += String.fromCharCode(byte);
    }
  }

  /** Drops a partial line (the port went away mid-line). */
  reset(): void {
    if (this.line.trim() !== '') this.onBadFrame('partial line');
    this.line = '';
    this.discarding = false;
  }

  private endLine(): void {
    const line = this.line;
    this.line = '';
    if (this.discarding) {
      this.discarding = false;
      return;
    }
    if (line.trim() === '') return; // the LF of a CR LF, or a blank line
    const uid = parseUidLine(line);
    if (uid === null) this.onBadFrame('not a UID line');
    else this.onUid(uid);
  }
}
