// A real energy meter keeps its import register through a power cut of the charger. The
// simulated one keeps it in a small file: written (fsync'd, then renamed into place) before a
// reading that shows a new value leaves the meter, so no value the charger has seen is lost and
// the register never goes back across restarts. Writes are asynchronous (the event loop also
// runs the safety logic) and one at a time.
//
// The file is `{"registers":{"<connector>":<Wh>},"crc32":"<hex>"}` (the CRC-32 of the registers'
// JSON), so a flipped digit is caught like a truncated, zeroed or garbage file. A damaged file is
// moved aside (`<file>.corrupt-<time>`) and reported, and the registers start afresh; a file of
// the older flat form `{"<connector>":<Wh>}` is still read.

import { existsSync, readFileSync, renameSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { crc32 } from 'node:zlib';

type Registers = Record<string, number>;

export interface MeterRegisterFileOptions {
  /** Told (one line) when the file was damaged and moved aside. Default: console.error. */
  readonly report?: (message: string) => void;
  /** For the time in a damaged file's new name. Default: the system time. */
  readonly now?: () => Date;
}

const checksum = (registers: Registers): string => crc32(JSON.stringify(registers)).toString(16).padStart(8, '0');

const isRegister = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The registers in `text`; throws saying why they are not usable. */
function parse(text: string): Registers {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(text.trim() === '' ? 'the file is empty' : 'not valid JSON');
  }
  if (!isObject(value)) throw new Error('not an object');
  const keys = Object.keys(value);
  if (keys.length === 2 && isObject(value['registers']) && typeof value['crc32'] === 'string') {
    const registers = value['registers'];
    if (checksum(registers as Registers) !== value['crc32']) throw new Error('checksum mismatch');
    if (!Object.values(registers).every(isRegister)) throw new Error('a register is not a non-negative number');
    return registers as Registers;
  }
  if (keys.every((k) => /^\d+$/.test(k)) && Object.values(value).every(isRegister)) return value as Registers; // the older form
  throw new Error('not a register file');
}

export class MeterRegisterFile {
  private readonly registers: Registers;

  constructor(
    private readonly path: string,
    options: MeterRegisterFileOptions = {},
  ) {
    this.registers = MeterRegisterFile.read(path, options.report ?? ((m) => console.error(`[sim meter] ${m}`)), options.now ?? (() => new Date()));
    this.kept = { ...this.registers };
  }

  /** The register kept for a connector, if any. */
  get(connectorId: number): number | undefined {
    return this.registers[String(connectorId)];
  }

  private tail: Promise<void> = Promise.resolve();
  private kept: Registers;

  /** Resolves once this register value is durable (at once when it is what is kept already). */
  keep(connectorId: number, wh: number): Promise<void> {
    this.registers[String(connectorId)] = wh;
    const written = this.tail.then(() => this.write());
    this.tail = written.catch(() => undefined); // a failed write fails its reading, not every later one
    return written;
  }

  private async write(): Promise<void> {
    if (Object.entries(this.registers).every(([id, wh]) => this.kept[id] === wh)) return;
    const snapshot = { ...this.registers };
    const tmp = `${this.path}.tmp`;
    const handle = await open(tmp, 'w');
    try {
      await handle.writeFile(JSON.stringify({ registers: snapshot, crc32: checksum(snapshot) }));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, this.path);
    this.kept = snapshot;
  }

  private static read(path: string, report: (message: string) => void, now: () => Date): Registers {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {}; // none yet
      report(`${path} is unreadable (${(err as Error).message}); the registers start afresh`);
      return {};
    }
    try {
      return parse(text);
    } catch (err) {
      const stamp = now().toISOString().replace(/[:.]/g, '-');
      let aside = `${path}.corrupt-${stamp}`;
      for (let n = 1; existsSync(aside); n++) aside = `${path}.corrupt-${stamp}-${n}`;
      let moved: string;
      try {
        renameSync(path, aside);
        moved = `moved aside to ${aside}`;
      } catch (renameErr) {
        moved = `could not move it aside (${(renameErr as Error).message})`;
      }
      report(`${path} is damaged (${(err as Error).message}); ${moved}; the registers start afresh`);
      return {};
    }
  }
}
