// A co-processor link on the fake bus with a simulated MCU, on a virtual clock.

import { VirtualClock } from '../../../hal/clock.js';
import type { PilotLevels, PilotOutput } from '../../../hal/interfaces.js';
import { CanCoprocessor, type CanCoprocessorOptions } from '../../../hal/can/coprocessor.js';
import { FakeSocketCan, type BusRecord, type FakeCanBus } from '../../../hal/far-side/fake-socketcan.js';
import { McuSimulator, type McuTiming } from '../../../hal/far-side/mcu-simulator.js';
import { decodeFrame, frameId, type FrameKind, type Payload } from '../../../hal/can/frames.js';

export const BASE_ID = 0x100;

export type EvState = 'A' | 'B' | 'C' | 'D';

/** Nominal CP levels (A1) for an EV with a diode in each state. */
export function evLevels(state: EvState, output: PilotOutput): PilotLevels {
  if (output.mode === 'error') return { positiveV: -12, negativeV: null };
  const positiveV = { A: 12, B: 9, C: 6, D: 3 }[state];
  return { positiveV, negativeV: output.mode === 'pwm' ? -12 : null };
}

export interface Rig {
  readonly clock: VirtualClock;
  readonly fake: FakeSocketCan;
  readonly bus: FakeCanBus;
  readonly mcu: McuSimulator;
  readonly link: CanCoprocessor;
  /** The EV at each connector. */
  readonly ev: Map<number, EvState>;
  /** Decoded frames of one kind from the bus log (valid ones only). */
  frames(kind: FrameKind, connectorId?: number): { record: BusRecord; payload: Payload; counter: number }[];
  /** Advances until the link is alive (at most 1 s). */
  untilAlive(): Promise<void>;
  close(): Promise<void>;
}

export interface RigOptions {
  connectors?: CanCoprocessorOptions['connectors'];
  heartbeatIntervalMs?: number;
  heartbeatTimeoutMs?: number;
  mcuTiming?: Partial<McuTiming>;
  /** Start the MCU simulator (default true). */
  startMcu?: boolean;
}

export const TWO_CONNECTORS = [
  { connectorId: 1, hasLock: true },
  { connectorId: 2, hasLock: false },
] as const;

export async function makeRig(options: RigOptions = {}): Promise<Rig> {
  const connectors = options.connectors ?? TWO_CONNECTORS;
  const clock = new VirtualClock();
  const fake = new FakeSocketCan({ clock });
  const bus = fake.bus('can0');
  const ev = new Map<number, EvState>(connectors.map((c) => [c.connectorId, 'A']));
  const mcu = new McuSimulator(fake.createRawChannel('can0'), {
    baseId: BASE_ID,
    clock,
    connectors,
    levels: (id, output) => evLevels(ev.get(id) ?? 'A', output),
    timing: options.mcuTiming,
  });
  if (options.startMcu !== false) mcu.start();
  const link = await CanCoprocessor.open(
    {
      interface: 'can0',
      baseId: BASE_ID,
      connectors,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 100,
      heartbeatTimeoutMs: options.heartbeatTimeoutMs ?? 300,
    },
    clock,
    { socketcan: fake },
  );
  return {
    clock,
    fake,
    bus,
    mcu,
    link,
    ev,
    frames(kind, connectorId) {
      const id = frameId(BASE_ID, kind, connectorId ?? 1);
      return bus.log
        .filter((record) => record.id === id)
        .flatMap((record) => {
          const result = decodeFrame(BASE_ID, record);
          return result.ok ? [{ record, payload: result.payload, counter: result.counter }] : [];
        });
    },
    async untilAlive() {
      const ok = await clock.advanceUntil(() => link.isAlive(), 1000, 10);
      if (!ok) throw new Error('the link did not come alive within 1 s');
    },
    async close() {
      await link.close();
      mcu.close();
    },
  };
}

export function hex(data: Buffer): string {
  return [...data].map((byte) => byte.toString(16).padStart(2, '0')).join(' ');
}
