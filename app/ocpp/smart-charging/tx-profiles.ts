// A RemoteStartTransaction's TxProfile (OCPP 1.6 §5.11, §3.13.1): it limits the session it
// starts, and is gone when that session ends. Its limit reaches the charger as an external
// limit, which current-limit.ts weighs against every other.

import type { Clock, TimerHandle } from '../../../hal/clock.js';
import type { ChargerEvent, ChargerPort } from '../charger-port.js';
import { profileLimit, type ChargingProfile } from './charging-profile.js';

/** The external-limit claim of a TxProfile. */
const TX_PROFILE_CLAIM = 'tx-profile';

interface Active {
  readonly profile: ChargingProfile;
  readonly sessionStartMs: number;
  timer: TimerHandle | null;
}

export class TxProfiles {
  private readonly pending = new Map<number, ChargingProfile>();
  private readonly active = new Map<number, Active>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly charger: ChargerPort,
    private readonly clock: Clock,
    private readonly nominalVoltageV: number,
  ) {
    this.unsubscribe = charger.onEvent((event) => this.onEvent(event));
  }

  /** The next session on this connector (the one a remote start is about to begin) takes this profile. */
  forNextSession(connectorId: number, profile: ChargingProfile): void {
    const session = this.charger.connector(connectorId).session;
    if (session) this.activate(connectorId, profile, Date.parse(session.startedAt));
    else this.pending.set(connectorId, profile);
  }

  stop(): void {
    this.unsubscribe();
    for (const connectorId of [...this.active.keys()]) this.deactivate(connectorId);
  }

  private onEvent(event: ChargerEvent): void {
    if (event.type === 'sessionStarted') {
      const profile = this.pending.get(event.connectorId);
      this.pending.delete(event.connectorId);
      if (profile) this.activate(event.connectorId, profile, Date.parse(event.session.startedAt));
    } else if (event.type === 'sessionStopped') {
      this.deactivate(event.connectorId);
    } else if (event.type === 'changed' && this.pending.has(event.connectorId) && this.charger.connector(event.connectorId).status === 'Available') {
      this.pending.delete(event.connectorId); // the remote start lapsed (ConnectionTimeOut) or was refused
    }
  }

  private activate(connectorId: number, profile: ChargingProfile, sessionStartMs: number): void {
    this.deactivate(connectorId);
    const entry: Active = { profile, sessionStartMs, timer: null };
    this.active.set(connectorId, entry);
    this.apply(connectorId, entry);
  }

  private apply(connectorId: number, entry: Active): void {
    const now = this.clock.now();
    const phases = this.charger.connector(connectorId).phases;
    const { amps, nextChangeAt } = profileLimit(entry.profile, entry.sessionStartMs, now, this.nominalVoltageV, phases);
    this.charger.setExternalLimit(connectorId, amps, TX_PROFILE_CLAIM);
    if (nextChangeAt !== null) entry.timer = this.clock.setTimeout(() => this.apply(connectorId, entry), Math.max(0, nextChangeAt - now));
  }

  private deactivate(connectorId: number): void {
    const entry = this.active.get(connectorId);
    if (!entry) return;
    if (entry.timer !== null) this.clock.clearTimeout(entry.timer);
    this.active.delete(connectorId);
    this.charger.setExternalLimit(connectorId, null, TX_PROFILE_CLAIM);
  }
}
