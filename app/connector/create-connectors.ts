// One Connector per configured connector, each on its own hardware of the board.

import type { Clock } from '../../hal/clock.js';
import type { BoardHardware } from '../../hal/interfaces.js';
import type { ChargerConfig } from '../../config/charger-config.js';
import type { FaultName } from '../../state-machines/faults.js';
import type { SoftwareFaultHandler } from '../safety/fail-safe.js';
import { Connector, type ConnectorEvents } from './connector.js';

export interface ConnectorsShared {
  readonly clock: Clock;
  readonly freeCharging: boolean;
  readonly disabledInterlocks: ReadonlySet<FaultName>;
  readonly events: ConnectorEvents;
  readonly onSoftwareFault: SoftwareFaultHandler;
}

/** Throws when the board has no hardware for a configured connector. */
export function createConnectors(config: ChargerConfig, hardware: BoardHardware, shared: ConnectorsShared): Connector[] {
  return config.connectors.map((connectorConfig) => {
    const connectorHardware = hardware.connectors.find((h) => h.connectorId === connectorConfig.connectorId);
    if (!connectorHardware) throw new Error(`board has no hardware for connector ${connectorConfig.connectorId}`);
    return new Connector({
      ...shared,
      config: connectorConfig,
      safety: config.safety,
      hardware: connectorHardware,
      ventilationAvailable: config.site.ventilationAvailable,
      meterPollIntervalMs: config.metering.pollIntervalMs,
      nominalVoltageV: config.site.nominalVoltageV,
    });
  });
}
