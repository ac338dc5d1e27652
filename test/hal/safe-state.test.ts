// The board's safe-state release: what the direct-wired board hands to the watchdog thread and to
// the process's exit path (every coil, every CP PWM, every lock motor, written without drivers),
// and how it is carried out (each write on its own).

import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VirtualClock } from '../../hal/clock.js';
import { createDirectBoard } from '../../hal/boards/direct-board.js';
import type { BoardHardware } from '../../hal/interfaces.js';
import { anyCoilEnergized, releaseSafeState } from '../../hal/safe-state.js';
import { createSimBoard } from '../../hal/sim/sim-board.js';
import { buildDirectBoardRig, type BoardRig } from '../support/board-rig.js';
import type { DirectBoardProfile } from '../../config/board-profile.js';

describe('safe-state release', function () {
  this.timeout(30_000);

  describe('direct-wired board (config/boards/direct-ref.json wiring)', () => {
    let rig: BoardRig<DirectBoardProfile>;
    let hardware: BoardHardware;
    before(async () => {
      const clock = new VirtualClock();
      rig = await buildDirectBoardRig(clock);
      const ready = createDirectBoard(rig.profile, [{ connectorId: 1, kind: 'socket', phases: 3 }], clock, rig.deps);
      await clock.advance(100); // the sampling drivers' first readings
      hardware = await ready;
    });
    after(async () => {
      await hardware?.close();
      await rig?.close();
    });

    it('lists the coil first, then the CP PWM (0 % duty: −12 V, state F), then the lock motors', () => {
      const pwmDuty = join(rig.deps.pwmRoot!, 'pwmchip0', 'pwm0', 'duty_cycle');
      assert.deepEqual(hardware.safeState.writes, [
        { path: '/sys/class/gpio/gpio17/value', value: '0' }, // contactor coil
        { path: pwmDuty, value: '0' },
        { path: '/sys/class/gpio/gpio22/value', value: '0' }, // lock motor
        { path: '/sys/class/gpio/gpio23/value', value: '0' }, // unlock motor
      ]);
      assert.equal(hardware.safeState.coils, null);
    });

    it('carries out every write on its own: one that fails (no sysfs GPIO on this machine) does not stop the PWM', function () {
      if (existsSync('/sys/class/gpio/gpio17')) this.skip(); // a board with real lines: never write them from a test
      hardware.connectors[0]!.pilot.setOutput({ mode: 'high' }); // 100 % duty
      const failures = releaseSafeState(hardware.safeState);
      assert.equal(failures.length, 3, failures.join('\n'));
      assert.ok(failures.every((f) => f.startsWith('/sys/class/gpio/')));
      assert.equal(rig.deps.pwmRoot && releaseSafeStateDuty(rig.deps.pwmRoot), '0');
    });
  });

  it('simulated board: releases every coil and holds every CP at state F, without the drivers', () => {
    const board = createSimBoard({
      clock: new VirtualClock(),
      connectors: [
        { connectorId: 1, kind: 'tethered', phases: 3, cableRatingA: 32 },
        { connectorId: 2, kind: 'tethered', phases: 1, cableRatingA: 32 },
      ],
    });
    for (const connector of board.hardware.connectors) {
      connector.contactor.close();
      connector.pilot.setOutput({ mode: 'pwm', dutyPercent: 50 });
    }
    assert.equal(anyCoilEnergized(board.hardware.safeState.coils!), true);
    assert.deepEqual(releaseSafeState(board.hardware.safeState), []);
    assert.equal(anyCoilEnergized(board.hardware.safeState.coils!), false);
    for (const connector of board.hardware.connectors) {
      assert.equal(connector.contactor.commanded, 'open');
      assert.equal(connector.pilot.output.mode, 'error');
      connector.pilot.setOutput({ mode: 'pwm', dutyPercent: 50 }); // the driver cannot take a held pilot out of F
      assert.equal(connector.pilot.output.mode, 'error');
    }
    board.stop();
  });
});

function releaseSafeStateDuty(pwmRoot: string): string {
  return readFileSync(join(pwmRoot, 'pwmchip0', 'pwm0', 'duty_cycle'), 'utf8').trim();
}
