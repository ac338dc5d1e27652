// Builds the board a profile names. Driver modules are imported only when a profile selects
// them, so hardware packages are never loaded on a machine that does not use them.

import type { Clock } from './clock.js';
import type { BoardHardware, CableRatingA, ConnectorKind } from './interfaces.js';
import type { SimulationControl } from './sim/simulation-control.js';

export interface BoardRequest {
  /** The profile's driver family. */
  readonly driver: 'sim';
  readonly clock: Clock;
  readonly connectors: readonly { connectorId: number; kind: ConnectorKind; phases: 1 | 3; cableRatingA?: CableRatingA }[];
  readonly nominalVoltageV: number;
}

export interface LoadedBoard {
  readonly hardware: BoardHardware;
  /** Control of the virtual world; only the simulated board has one. */
  readonly simulation: SimulationControl | null;
}

export async function loadBoard(request: BoardRequest): Promise<LoadedBoard> {
  switch (request.driver) {
    case 'sim': {
      const { createSimBoard } = await import('./sim/sim-board.js');
      const board = createSimBoard({ clock: request.clock, connectors: request.connectors, mainsVoltageV: request.nominalVoltageV });
      return { hardware: board.hardware, simulation: board.simulation };
    }
  }
}
