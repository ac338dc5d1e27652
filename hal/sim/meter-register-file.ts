// A real energy meter keeps its import register through a power cut of the charger. The
// simulated one keeps it in a small file: written (fsync'd, then renamed into place) before a
// reading that shows a new value leaves the meter, so no value the charger has seen is lost and
// the register never goes back across restarts. Writes are asynchronous (the event loop also
// runs the safety logic) and one at a time.

import { readFileSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';

export class MeterRegisterFile {
  private readonly registers: Record<string, number>;

  constructor(private readonly path: string) {
    this.registers = MeterRegisterFile.read(path);
    this.kept = { ...this.registers };
  }

  /** The register kept for a connector, if any. */
  get(connectorId: number): number | undefined {
    return this.registers[String(connectorId)];
  }

  private tail: Promise<void> = Promise.resolve();
  private kept: Record<string, number>;

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
      await handle.writeFile(JSON.stringify(snapshot));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, this.path);
    this.kept = snapshot;
  }

  private static read(path: string): Record<string, number> {
    try {
      const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
      if (typeof parsed !== 'object' || parsed === null) return {};
      return Object.fromEntries(Object.entries(parsed).filter(([, v]) => typeof v === 'number' && Number.isFinite(v) && v >= 0)) as Record<string, number>;
    } catch {
      return {}; // none yet (or unreadable: the simulated meter starts afresh)
    }
  }
}
