// A real energy meter keeps its import register through a power cut of the charger. The
// simulated one keeps it in a small file: written (fsync'd, then renamed into place) before a
// reading that shows a new value leaves the meter, so no value the charger has seen is lost and
// the register never goes back across restarts.

import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';

export class MeterRegisterFile {
  private readonly registers: Record<string, number>;

  constructor(private readonly path: string) {
    this.registers = MeterRegisterFile.read(path);
  }

  /** The register kept for a connector, if any. */
  get(connectorId: number): number | undefined {
    return this.registers[String(connectorId)];
  }

  /** Keeps a register value durably (a no-op when it is what is kept already). */
  keep(connectorId: number, wh: number): void {
    if (this.registers[String(connectorId)] === wh) return;
    this.registers[String(connectorId)] = wh;
    const tmp = `${this.path}.tmp`;
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, JSON.stringify(this.registers));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
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
