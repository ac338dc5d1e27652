// The full charging session of the core, again, on the reference boards: the real GPIO, I2C,
// PWM, CAN, Modbus and card-reader drivers run against fakes at the package boundary and
// simulated devices on pseudo-terminals (and, on the co-processor board, a simulated MCU), with
// the simulated EV and installation behind them. Real time: the serial lines are real.

import { strict as assert } from 'node:assert';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../hal/clock.js';
import type { BoardHardware } from '../../hal/interfaces.js';
import { createDirectBoard } from '../../hal/boards/direct-board.js';
import { createCoprocessorBoard } from '../../hal/boards/coprocessor-board.js';
import type { Clock } from '../../hal/clock.js';
import { resolveConfig } from '../../config/load-config.js';
import { Charger } from '../../app/charger.js';
import { SessionStore } from '../../app/persistence/session-store.js';
import { FaultLogStore } from '../../app/persistence/fault-log-store.js';
import { buildCoprocessorBoardRig, buildDirectBoardRig, type BoardRig } from '../support/board-rig.js';

let detail: (() => string) | null = null;
const until = async (what: string, predicate: () => boolean, ms: number): Promise<void> => {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${detail ? `: ${detail()}` : ''}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};

/** A 4-byte ISO 14443A UID, as the PN532 reads it. */
const CARD = 'A1B2C3D4';

interface BoardUnderTest {
  readonly board: 'direct-ref' | 'coprocessor-ref';
  build(clock: Clock): Promise<{ rig: BoardRig<unknown>; hardware: BoardHardware }>;
}

const BOARDS: readonly BoardUnderTest[] = [
  {
    board: 'direct-ref',
    build: async (clock) => {
      const rig = await buildDirectBoardRig(clock);
      return { rig, hardware: await createDirectBoard(rig.profile, [{ connectorId: 1, kind: 'socket', phases: 3 }], clock, rig.deps) };
    },
  },
  {
    board: 'coprocessor-ref',
    build: async (clock) => {
      const rig = await buildCoprocessorBoardRig(clock);
      return { rig, hardware: await createCoprocessorBoard(rig.profile, [{ connectorId: 1, kind: 'socket', phases: 3 }], clock, rig.deps) };
    },
  },
];

for (const { board, build } of BOARDS) describe(`full session on ${board} (real drivers, fakes and pty devices)`, function () {
  this.timeout(60_000);
  let rig: BoardRig<unknown>;
  let hardware: BoardHardware;
  let charger: Charger;
  let dataDir: string;

  before(async () => {
    ({ rig, hardware } = await build(systemClock));
    const config = resolveConfig({
      board,
      connectors: [{ connectorId: 1, maxCurrentA: 16, phases: 3, kind: 'socket' }],
      authorization: { mode: 'allowList', allowList: [CARD], cardDebounceMs: 2000 },
      diagnostics: { host: '127.0.0.1', port: 0 },
    });
    dataDir = await mkdtemp(join(tmpdir(), 'charger-direct-'));
    const quiet = () => {};
    const [sessions, faultLog] = await Promise.all([SessionStore.open(dataDir, { report: quiet }), FaultLogStore.open(dataDir, { report: quiet })]);
    charger = new Charger({ config, hardware, clock: systemClock, sessions, faultLog });
    await charger.start();
  });

  after(async () => {
    await charger?.stop();
    await hardware?.close();
    await rig?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const status = () => charger.status().connectors[0]!;
  beforeEach(() => {
    detail = () => JSON.stringify({ status: status(), faults: charger.faultLog(), world: rig.world.simulation.snapshot().connectors[0] });
  });

  it('plug, card, charge, battery full, unplug: the record has the energy the meter counted', async () => {
    await until('the RCD self-test and the first readings', () => status().residualCurrentSelfTest === 'passed' && status().meter !== null, 10_000);
    await until('no station fault (the co-processor link comes alive)', () => charger.status().stationFaults.length === 0, 5000);
    await until('Available', () => status().status === 'Available', 5000);

    // 10 Wh left in a small battery: about 3 s at 16 A on three phases.
    rig.world.simulation.plug(1, { cableRatingA: 32, ev: { batteryCapacityWh: 40, socPercent: 75, maxCurrentA: 16, wakeDelayMs: 200, followDelayMs: 200 } });
    await until('the EV to be seen', () => status().state === 'connected.awaitingAuthorization', 5000);
    await until('the PP resistor read through the ADC', () => status().cableRatingA === 32, 2000);
    assert.equal(status().pilot.output.mode, 'high');

    rig.world.simulation.presentCard(CARD);
    await until('charging', () => status().status === 'Charging', 10_000);
    assert.equal(status().lock?.feedback, 'locked');
    await until('the GPIO coil to pull the contactor in', () => rig.world.simulation.snapshot().connectors[0]!.contactsClosed, 1000);
    await until('the mirror contact to confirm', () => status().contactor.feedback === 'closed', 1000);
    assert.equal(status().pilot.output.mode, 'pwm');
    assert.ok(Math.abs((status().pilot.output as { dutyPercent: number }).dutyPercent - 16 / 0.6) < 0.1);
    await until('the meter to see the current', () => (status().meter?.phases[0]?.currentA ?? 0) > 15, 5000);
    assert.ok(rig.lcd.text(4, 20)[0]!.startsWith('Charging'), `the LCD shows ${JSON.stringify(rig.lcd.text(4, 20))}`);

    await until('the battery to fill', () => status().status === 'SuspendedEV', 20_000);
    await until('the contactor to drop out', () => !rig.world.simulation.snapshot().connectors[0]!.contactsClosed, 1000);

    rig.world.simulation.unplug(1);
    await until('Available again', () => status().status === 'Available', 5000);
    await until('the session record', () => charger.sessions()[0]?.meterStopWh !== null, 5000);
    const [record] = charger.sessions();
    assert.equal(record!.idTag, CARD);
    assert.equal(record!.stopReason, 'EVDisconnected');
    assert.equal(record!.energyWh, record!.meterStopWh! - record!.meterStartWh, 'energy comes from the meter register');
    assert.ok(Math.abs(record!.energyWh - 10) < 1, `energy ${record!.energyWh} Wh, the battery took 10 Wh`);
    assert.ok(rig.meterSim.requests.length > 5, 'the Modbus driver polled the meter over the serial line');
    const faults = charger.faultLog().filter((e) => !(e.fault === 'SafetyControllerLost' && e.at < record!.startedAt));
    assert.deepEqual(faults, [], 'no fault on the way (the co-processor link is down at boot until its first heartbeats)');
  });

  if (board === 'coprocessor-ref') {
    it('a co-processor that falls silent stops charging; it charges again once its heartbeat is back and a card is shown', async () => {
      const mcu = (rig as unknown as { mcu: { silent: boolean } }).mcu;
      rig.world.simulation.plug(1, { cableRatingA: 32, ev: { batteryCapacityWh: 100_000, socPercent: 10, maxCurrentA: 16, wakeDelayMs: 200, followDelayMs: 200 } });
      await until('the EV to be seen', () => status().state === 'connected.awaitingAuthorization', 5000);
      await new Promise((r) => setTimeout(r, 2100)); // the same card within 2 s counts as the same tap
      rig.world.simulation.presentCard(CARD);
      await until('charging', () => status().status === 'Charging', 10_000);

      mcu.silent = true;
      await until('the link loss to stop charging', () => charger.status().stationFaults.some((f) => f.fault === 'SafetyControllerLost'), 2000);
      assert.equal(status().status, 'Faulted');
      assert.equal(status().contactor.commanded, 'open');
      await until('the session record to close', () => charger.sessions().at(-1)!.stopReason !== null, 2000);
      assert.equal(charger.sessions().at(-1)!.stopReason, 'Fault');
      assert.equal(charger.sessions().at(-1)!.stopFault, 'SafetyControllerLost');

      mcu.silent = false;
      await until('the link to come back', () => charger.status().stationFaults.length === 0, 5000);
      await until('a new card to be asked for', () => status().state === 'connected.awaitingAuthorization', 5000);
      await new Promise((r) => setTimeout(r, 2100));
      rig.world.simulation.presentCard(CARD);
      await until('charging again', () => status().status === 'Charging', 10_000);
      await until('the contacts to close again', () => rig.world.simulation.snapshot().connectors[0]!.contactsClosed, 2000);
      rig.world.simulation.unplug(1);
      await until('Available again', () => status().status === 'Available', 5000);
    });
  }
});
