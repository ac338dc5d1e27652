// ChangeAvailability (OCPP 1.6 §5.2): operative or not, per connector and for the whole
// charger (connector 0). Persisted, so an Unavailable set by the backend survives a reboot
// (§4.9). A connector with a session keeps it: the change is Scheduled and takes hold when the
// session ends (the charger starts no new session on an inoperative connector).

import { join } from 'node:path';
import type { Low } from 'lowdb';
import { openDurableDb, type PersistenceReporter } from '../../persistence/durable-json-file.js';
import type { ChargerPort } from '../charger-port.js';

export const AVAILABILITY_FILE = 'ocpp-availability.json';

export type AvailabilityType = 'Operative' | 'Inoperative';
export type AvailabilityStatus = 'Accepted' | 'Rejected' | 'Scheduled';

interface AvailabilityFile {
  version: 1;
  /** Connector id (0 = the charger) → the state the backend asked for. Absent = Operative. */
  inoperative: number[];
}

function validate(value: unknown): string | null {
  const file = value as Partial<AvailabilityFile> | null;
  if (typeof file !== 'object' || file === null || file.version !== 1) return 'not an availability file';
  return Array.isArray(file.inoperative) && file.inoperative.every((n) => Number.isInteger(n) && n >= 0) ? null : '"inoperative" is not a list of connector ids';
}

export class AvailabilityService {
  private constructor(
    private readonly db: Low<AvailabilityFile>,
    private readonly charger: ChargerPort,
  ) {}

  static async open(dataDir: string, charger: ChargerPort, report: PersistenceReporter): Promise<AvailabilityService> {
    const db = await openDurableDb<AvailabilityFile>(join(dataDir, AVAILABILITY_FILE), () => ({ version: 1, inoperative: [] }), { report, validate });
    const service = new AvailabilityService(db, charger);
    service.apply();
    return service;
  }

  isOperative(connectorId: number): boolean {
    return !this.db.data.inoperative.includes(connectorId);
  }

  /** Resolves once the new state is durable. */
  async change(connectorId: number, type: AvailabilityType): Promise<AvailabilityStatus> {
    const { charger } = this;
    if (connectorId !== 0 && !charger.connectorIds.includes(connectorId)) return 'Rejected';
    // §5.2: a change to the state it is already in is Accepted, even with a session running.
    if (this.isOperative(connectorId) === (type === 'Operative')) return 'Accepted';
    const before = [...this.db.data.inoperative];
    const set = new Set(this.db.data.inoperative);
    if (type === 'Inoperative') set.add(connectorId);
    else set.delete(connectorId);
    this.db.data.inoperative = [...set].sort((a, b) => a - b);
    try {
      await this.db.write();
    } catch {
      this.db.data.inoperative = before;
      return 'Rejected';
    }
    this.apply();
    const affected = connectorId === 0 ? charger.connectorIds : [connectorId];
    return affected.some((id) => charger.connector(id).session !== null) ? 'Scheduled' : 'Accepted';
  }

  /** Sets each connector as the stored states say (a connector is operative only if the charger is too). */
  private apply(): void {
    const station = this.isOperative(0);
    this.charger.setOperative(0, station);
    for (const id of this.charger.connectorIds) this.charger.setOperative(id, station && this.isOperative(id));
  }
}
