// Builds the board a profile names. Driver modules are imported only when a profile selects
// them, so hardware packages are never loaded on a machine that does not use them.

import { join } from 'node:path';
import type { Clock } from './clock.js';
import type { BoardHardware, CableRatingA, ConnectorKind } from './interfaces.js';
import type { SimulationControl } from './sim/simulation-control.js';
import type { BoardProfile } from '../config/board-profile-types.js';

/** What the charger's config asks of each connector. */
export interface BoardConnectorRequest {
  readonly connectorId: number;
  readonly kind: ConnectorKind;
  readonly phases: 1 | 3;
  readonly cableRatingA?: CableRatingA;
}

export interface BoardRequest {
  readonly profile: BoardProfile;
  readonly clock: Clock;
  readonly connectors: readonly BoardConnectorRequest[];
  readonly nominalVoltageV: number;
  /** The firmware's data directory: the simulated meters keep their registers there. */
  readonly dataDir?: string;
  /** Told (one line) about a damaged data file of the board's (the simulated meters' registers, moved aside). */
  readonly reportDamage?: (message: string) => void;
}

/** On the simulated board, the meters' registers (the physical world's state, not the firmware's). */
export const SIM_METER_FILE = 'sim-meter-registers.json';

export interface LoadedBoard {
  readonly hardware: BoardHardware;
  /** Control of the virtual world; only the simulated board has one. */
  readonly simulation: SimulationControl | null;
}

/** Throws HardwareUnavailableError (hal/hardware-packages.ts) when a device cannot be opened. */
export async function loadBoard(request: BoardRequest): Promise<LoadedBoard> {
  const { profile, clock, connectors } = request;
  switch (profile.driver) {
    case 'sim': {
      const { createSimBoard } = await import('./sim/sim-board.js');
      const meterRegisterFile = request.dataDir ? join(request.dataDir, SIM_METER_FILE) : undefined;
      const board = createSimBoard({
        clock,
        connectors,
        mainsVoltageV: request.nominalVoltageV,
        meterRegisterFile,
        contactorDelayMs: profile.contactorDropOutMs,
        ...(request.reportDamage ? { reportDamage: request.reportDamage } : {}),
      });
      return { hardware: board.hardware, simulation: board.simulation };
    }
    case 'direct': {
      const { createDirectBoard } = await import('./boards/direct-board.js');
      return { hardware: await createDirectBoard(profile, connectors, clock), simulation: null };
    }
    case 'coprocessor': {
      const { createCoprocessorBoard } = await import('./boards/coprocessor-board.js');
      return { hardware: await createCoprocessorBoard(profile, connectors, clock), simulation: null };
    }
  }
}
