// Shared set-up for the simulated-board tests.

import { VirtualClock } from '../../hal/clock.js';
import type { CableRatingA, ConnectorHardware, ConnectorKind } from '../../hal/interfaces.js';
import { createSimBoard, type SimBoard } from '../../hal/sim/sim-board.js';
import type { EvParameters, SimConnectorSnapshot } from '../../hal/sim/simulation-control.js';

export interface Fixture {
  clock: VirtualClock;
  board: SimBoard;
  sim: SimBoard['simulation'];
  c1: ConnectorHardware;
  snap(connectorId?: number): SimConnectorSnapshot;
}

export function makeBoard(
  connectors: { connectorId: number; kind: ConnectorKind; phases: 1 | 3; cableRatingA?: CableRatingA }[] = [
    { connectorId: 1, kind: 'socket', phases: 3 },
  ],
  mainsVoltageV?: number,
): Fixture {
  const clock = new VirtualClock();
  const board = createSimBoard({ clock, connectors, ...(mainsVoltageV === undefined ? {} : { mainsVoltageV }) });
  const sim = board.simulation;
  return {
    clock,
    board,
    sim,
    c1: board.hardware.connectors[0]!,
    snap: (connectorId = 1) => sim.snapshot().connectors.find((c) => c.connectorId === connectorId)!,
  };
}

/** Duty cycle the EVSE shows for `amps` (A2: duty = I / 0.6 for 6–51 A). */
export const duty = (amps: number): number => amps / 0.6;

/** Plugs an EV on connector 1, offers `amps`, waits for C and closes the contactor. */
export async function startCharging(f: Fixture, amps = 16, ev: Partial<EvParameters> = {}): Promise<void> {
  f.sim.plug(1, { ev });
  f.c1.pilot.setOutput({ mode: 'pwm', dutyPercent: duty(amps) });
  await f.clock.advance(ev.wakeDelayMs ?? 1000);
  f.c1.contactor.close();
  await f.clock.advance(20);
}

export const near = (actual: number, expected: number, tolerance = 0.01): boolean => Math.abs(actual - expected) <= tolerance;
