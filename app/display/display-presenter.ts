// The display presenter: what each connector shows the driver (driver-messages) written to the
// display and the connector's LED, redrawn every second and once after a burst of changes.

import type { Clock, TimerHandle } from '../../hal/clock.js';
import type { Display } from '../../hal/interfaces.js';
import { FAULTS } from '../../state-machines/faults.js';
import { vehicleConnected } from '../../state-machines/pilot-state.js';
import type { Connector } from '../connector/connector.js';
import { displayLines, driverMessage } from './driver-messages.js';

/** What the presenter reads besides the connectors (the session book and the card desk fit). */
export interface DisplaySources {
  openOn(connectorId: number): { readonly startedAtMs: number; readonly meterStartWh: number } | undefined;
  lastEnergyWh(connectorId: number): number;
  rejected(connectorId: number, now: number): boolean;
}

const REFRESH_INTERVAL_MS = 1000;

export class DisplayPresenter {
  private refreshTimer: TimerHandle | null = null;
  private pending: TimerHandle | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly display: Display,
    private readonly connectors: readonly Connector[],
    private readonly sources: DisplaySources,
  ) {}

  start(): void {
    this.refreshTimer = this.clock.setInterval(() => this.refresh(), REFRESH_INTERVAL_MS);
    this.refresh();
  }

  stop(): void {
    if (this.refreshTimer !== null) this.clock.clearInterval(this.refreshTimer);
    if (this.pending !== null) this.clock.clearTimeout(this.pending);
  }

  /** The display is redrawn once after a burst of changes, never inside a safety reaction. */
  schedule(): void {
    this.pending ??= this.clock.setTimeout(() => {
      this.pending = null;
      this.refresh();
    }, 0);
  }

  private refresh(): void {
    const now = this.clock.now();
    const messages = this.connectors.map((connector) => {
      const session = this.sources.openOn(connector.id);
      const reading = connector.meter.lastReading;
      const firstFault = connector.faults[0];
      const message = driverMessage({
        connectorId: connector.id,
        display: connector.displayKey,
        energyWh: session ? (reading?.importEnergyWh ?? session.meterStartWh) - session.meterStartWh : this.sources.lastEnergyWh(connector.id),
        powerW: reading?.totalPowerW ?? 0,
        sessionSeconds: session ? Math.round((now - session.startedAtMs) / 1000) : 0,
        faultReason: firstFault ? FAULTS[firstFault.fault].displayReason : null,
        cardRejected: this.sources.rejected(connector.id, now),
        plugged: vehicleConnected(connector.pilotState),
      });
      connector.hardware.led.set(message.led.color, message.led.blink);
      return { ...message, connectorId: connector.id };
    });
    this.display.show(displayLines(messages, this.display.lineCount));
  }
}
