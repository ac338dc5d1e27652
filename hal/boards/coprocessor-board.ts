// The co-processor board: a safety microcontroller on CAN generates the PWM, measures CP and PP,
// reads the RCD and socket temperature, and opens the contactor by itself; Linux supervises it
// (docs/can-coprocessor-protocol.md). Meter, card reader, LEDs and display hang off Linux.

import type { Clock } from '../clock.js';
import type { BoardHardware, ConnectorHardware } from '../interfaces.js';
import type { CoprocessorBoardProfile } from '../../config/board-profile-types.js';
import type { BoardConnectorRequest } from '../load-board.js';
import { CanCoprocessor } from '../can/coprocessor.js';
import { openStation, PartsOpener, type RealBoardDeps } from './board-parts.js';
import { missingWiring } from './direct-board.js';

export interface CoprocessorBoardDeps extends RealBoardDeps {
  readonly socketcan?: Parameters<typeof CanCoprocessor.open>[2] extends infer D ? D extends { socketcan?: infer S } ? S : never : never;
}

export async function createCoprocessorBoard(
  profile: CoprocessorBoardProfile,
  connectors: readonly BoardConnectorRequest[],
  clock: Clock,
  deps: CoprocessorBoardDeps = {},
): Promise<BoardHardware> {
  const parts = new PartsOpener(clock, deps);
  try {
    const wirings = connectors.map((request) => {
      const wiring = profile.connectors.find((c) => c.connectorId === request.connectorId);
      if (!wiring) throw missingWiring(profile.name, request.connectorId);
      return { request, wiring };
    });
    const mcu = parts.track(
      await CanCoprocessor.open(
        { ...profile.can, connectors: wirings.map(({ wiring }) => ({ connectorId: wiring.connectorId, hasLock: wiring.hasLock })) },
        clock,
        { socketcan: deps.socketcan },
      ),
      (m) => m.close(),
    );
    const opened: ConnectorHardware[] = [];
    for (const { request, wiring } of wirings) {
      const id = wiring.connectorId;
      const name = `connector ${id}`;
      opened.push({
        connectorId: id,
        pilot: mcu.pilot(id),
        proximity: request.kind === 'socket' ? mcu.proximity(id) : null,
        contactor: mcu.contactor(id),
        residualCurrent: mcu.residualCurrent(id),
        lock: request.kind === 'socket' ? mcu.lock(id) : null,
        meter: await parts.meter(wiring.meter, request.phases, `${name} energy meter`),
        socketTemperature: mcu.socketTemperature(id),
        led: await parts.led(wiring.led, `${name} LED`),
      });
    }
    const station = await openStation(parts, profile.station);
    await parts.allSampled();
    // Nothing for another thread to write: the co-processor opens its contactors by itself when
    // Linux's heartbeat stops (docs/can-coprocessor-protocol.md), as it does with a stalled loop.
    return { connectors: opened, ...station, safetyController: mcu, safeState: { writes: [], coils: null, pilots: null }, close: () => parts.closeAll() };
  } catch (error) {
    await parts.closeAll();
    throw error;
  }
}
