// A whole charger on the simulated board and a virtual clock, with its stores in a temp dir.
// Restarting it over the same data dir is how tests cut the power.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualClock } from '../../hal/clock.js';
import { createSimBoard, type SimBoard } from '../../hal/sim/sim-board.js';
import type { SimulationControl } from '../../hal/sim/simulation-control.js';
import type { ChargerConfig } from '../../config/charger-config.js';
import { resolveConfig } from '../../config/load-config.js';
import { Charger } from '../../app/charger.js';
import { SessionStore } from '../../app/persistence/session-store.js';
import { FaultLogStore } from '../../app/persistence/fault-log-store.js';
import type { ConnectorStatus } from '../../app/records.js';
import { FailSafe, type FailSafeRecord } from '../../app/safety/fail-safe.js';

export const CARD = '04A1B2C3D4';
export const OTHER_CARD = '0BADC0DE';

export interface ChargerFixture {
  readonly clock: VirtualClock;
  readonly charger: Charger;
  readonly board: SimBoard;
  readonly sim: SimulationControl;
  readonly config: ChargerConfig;
  readonly dataDir: string;
  /** With options.failSafe: the fail-safe path the charger's actors report to, its log and the exit codes it asked for. */
  readonly failSafe: { readonly path: FailSafe; readonly log: FailSafeRecord[]; readonly exits: number[] } | null;
  status(connectorId?: number): ConnectorStatus;
  /** Advances the virtual clock. */
  advance(ms: number): Promise<void>;
  /** Stops the charger (as a clean shutdown) and removes nothing. */
  stop(): Promise<void>;
  /** Stops it and deletes its data dir. */
  dispose(): Promise<void>;
}

export type ConfigOverrides = { [K in keyof ChargerConfig]?: unknown };

export interface FixtureOptions {
  readonly dataDir?: string;
  readonly clock?: VirtualClock;
  /** Acts on the simulated world before the charger starts (a fault present at power-up). */
  readonly prepare?: (sim: SimulationControl) => void;
  /** Route actor errors to a fail-safe path whose exit is recorded, not taken (app/main.ts gives the real one). */
  readonly failSafe?: boolean;
}

export async function startCharger(overrides: ConfigOverrides = {}, options: FixtureOptions = {}): Promise<ChargerFixture> {
  const config = resolveConfig({
    authorization: { mode: 'allowList', allowList: [CARD], cardDebounceMs: 2000 },
    diagnostics: { host: '127.0.0.1', port: 0 },
    ...overrides,
  }, 'test config');
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'charger-test-')));
  const clock = options.clock ?? new VirtualClock();
  const silent = () => {};
  const [sessions, faultLog] = await Promise.all([
    SessionStore.open(dataDir, { report: silent, updatePersistIntervalMs: 0 }),
    FaultLogStore.open(dataDir, { report: silent }),
  ]);
  const board = createSimBoard({ clock, connectors: config.connectors, mainsVoltageV: config.site.nominalVoltageV });
  options.prepare?.(board.simulation);
  const failSafe = options.failSafe ? recordingFailSafe(board) : null;
  const charger = new Charger({
    config,
    hardware: board.hardware,
    clock,
    sessions,
    faultLog,
    ...(failSafe ? { onSoftwareFault: failSafe.path.trip } : {}),
  });
  await charger.start();
  await clock.advance(300); // RCD self-test and first meter read
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await charger.stop();
    board.stop();
  };
  return {
    clock,
    charger,
    board,
    sim: board.simulation,
    config,
    dataDir,
    failSafe,
    status: (connectorId = 1) => charger.status().connectors.find((c) => c.connectorId === connectorId)!,
    advance: (ms) => clock.advance(ms),
    stop,
    dispose: async () => {
      await stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

function recordingFailSafe(board: SimBoard): NonNullable<ChargerFixture['failSafe']> {
  const log: FailSafeRecord[] = [];
  const exits: number[] = [];
  const path = new FailSafe({ hardware: board.hardware, log: (record) => log.push(record), exit: (code) => exits.push(code) });
  return { path, log, exits };
}

/** Plugs an EV into connector 1, presents the card and runs until it charges. */
export async function startSession(f: ChargerFixture, connectorId = 1, ev: Record<string, unknown> = {}): Promise<void> {
  f.sim.plug(connectorId, { ev });
  await f.advance(500);
  f.sim.presentCard(CARD);
  await f.clock.advanceUntil(() => f.status(connectorId).state === 'connected.session.energized.charging', 10_000);
}
