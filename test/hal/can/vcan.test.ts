// The driver over the real `socketcan` package. On vcan0 the whole link runs (the MCU simulator on
// a second raw socket); where vcan0 does not exist the test says so and is skipped. The refusal on
// a missing interface needs no CAN at all and runs everywhere the package is installed.

import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { systemClock } from '../../../hal/clock.js';
import { HardwareUnavailableError, loadHardwarePackage } from '../../../hal/hardware-packages.js';
import { CanCoprocessor, type SocketCanModule } from '../../../hal/can/coprocessor.js';
import { McuSimulator } from '../../../hal/far-side/mcu-simulator.js';
import { evLevels, TWO_CONNECTORS, type EvState } from './can-fixture.js';

const VCAN = 'vcan0';
const BASE_ID = 0x280;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(predicate: () => boolean, maxMs: number): Promise<boolean> {
  const deadline = Date.now() + maxMs;
  while (!predicate()) {
    if (Date.now() > deadline) return false;
    await sleep(5);
  }
  return true;
}

/** Why the real package cannot be used here, or null. */
async function packageProblem(): Promise<string | null> {
  try {
    await loadHardwarePackage<SocketCanModule>('socketcan', 'vcan test', VCAN);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

function vcanProblem(): string | null {
  if (!existsSync(`/sys/class/net/${VCAN}`)) {
    return `no ${VCAN} interface on this machine (create one: modprobe vcan; ip link add dev ${VCAN} type vcan; ip link set ${VCAN} up)`;
  }
  const state = readFileSync(`/sys/class/net/${VCAN}/operstate`, 'utf8').trim();
  return state === 'down' ? `${VCAN} exists but is down (ip link set ${VCAN} up)` : null;
}

function skipWith(context: Mocha.Context, reason: string): void {
  console.log(`      skipped: ${reason}`);
  context.skip();
}

describe('CanCoprocessor over the real socketcan package', function () {
  before(async function () {
    const problem = await packageProblem();
    if (problem) skipWith(this, problem);
  });

  it('refuses a missing interface with HardwareUnavailableError, saying why', async () => {
    await assert.rejects(
      CanCoprocessor.open({ interface: 'nocan9', baseId: BASE_ID, connectors: TWO_CONNECTORS, heartbeatIntervalMs: 100, heartbeatTimeoutMs: 300 }, systemClock),
      (error: unknown) => {
        assert.ok(error instanceof HardwareUnavailableError);
        assert.equal(error.device, 'safety co-processor');
        assert.equal(error.path, 'nocan9');
        assert.match(error.reason, /no network interface "nocan9"/);
        return true;
      },
    );
  });
});

describe(`CanCoprocessor on ${VCAN}`, function () {
  this.timeout(10_000);
  let link: CanCoprocessor | null = null;
  let mcu: McuSimulator | null = null;

  before(async function () {
    const problem = vcanProblem() ?? (await packageProblem());
    if (problem) skipWith(this, problem);
  });

  afterEach(async () => {
    await link?.close();
    mcu?.close();
    link = mcu = null;
  });

  it('comes alive, carries commands and reports, and notices a silent MCU', async () => {
    const socketcan = await loadHardwarePackage<SocketCanModule>('socketcan', 'vcan test MCU', VCAN);
    const ev = new Map<number, EvState>([[1, 'A'], [2, 'A']]);
    mcu = new McuSimulator(socketcan.createRawChannel(VCAN, false), {
      baseId: BASE_ID,
      clock: systemClock,
      connectors: TWO_CONNECTORS,
      levels: (id, output) => evLevels(ev.get(id)!, output),
    });
    mcu.start();
    link = await CanCoprocessor.open({ interface: VCAN, baseId: BASE_ID, connectors: TWO_CONNECTORS, heartbeatIntervalMs: 100, heartbeatTimeoutMs: 300 }, systemClock);
    assert.ok(await until(() => link!.isAlive(), 2000), 'alive within 2 s');
    ev.set(1, 'C');
    link.pilot(1).setOutput({ mode: 'pwm', dutyPercent: 26.7 });
    assert.ok(await until(() => link!.pilot(1).read().positiveV === 6, 1000), 'CP levels of state C arrive');
    link.contactor(1).close();
    assert.ok(await until(() => link!.contactor(1).readFeedback() === 'closed', 1000), 'the contacts close');
    mcu.silent = true;
    const silentAt = Date.now();
    assert.ok(await until(() => !link!.isAlive(), 1000), 'not alive once the MCU is silent');
    assert.ok(Date.now() - silentAt >= 200, 'not before the heartbeat timeout');
    assert.equal(link.socketTemperature(1).read(), null);
    mcu.silent = false;
    assert.ok(await until(() => link!.isAlive(), 1000), 'alive again');
    const stats = link.stats;
    assert.equal(stats.droppedCrc + stats.droppedDlc + stats.droppedInvalid, 0);
  });
});
