// A reference board on a test bench: the real drivers (GPIO, I2C, sysfs PWM, CAN, Modbus meter
// and card reader) talk to fakes at the package boundary and to simulated devices at the far end
// of pseudo-terminals, and behind all of them stands the simulated physical world (the virtual
// EV, cable, contactor, RCD, mains) that the sim board uses. Wires, not logic: every fake reads
// or drives the world as the real signal would. On the co-processor board, a simulated MCU on a
// fake CAN bus stands between the world and the app, as the real one would.

import type { Clock } from '../../hal/clock.js';
import { createSimBoard, type SimBoard } from '../../hal/sim/sim-board.js';
import type { MeterReading, PilotOutput } from '../../hal/interfaces.js';
import { NOMINAL_PROXIMITY_OHMS } from '../../hal/proximity-resistance.js';
import { loadBoardProfile, type CoprocessorBoardProfile, type DirectBoardProfile, type StationWiring } from '../../config/board-profile.js';
import type { CoprocessorBoardDeps } from '../../hal/boards/coprocessor-board.js';
import { FakeSocketCan } from '../../hal/far-side/fake-socketcan.js';
import { McuSimulator } from '../../hal/far-side/mcu-simulator.js';
import { openPtyPair, type PtyPair } from '../../hal/far-side/pty-pair.js';
import { ModbusMeterSimulator, type MeterSimValues } from '../../hal/far-side/modbus-meter-simulator.js';
import { RfidReaderSimulator } from '../../hal/far-side/rfid-reader-simulator.js';
import { FakeOnoff } from './hardware-fakes/fake-onoff.js';
import { FakeAds1115, FakeI2c, FakePcf8574, FakeTemperatureChip } from './hardware-fakes/fake-i2c-bus.js';
import { createFakePwmSysfs, type FakePwmSysfs } from './hardware-fakes/fake-pwm-sysfs.js';

export interface BoardRig<P> {
  readonly profile: P;
  readonly deps: CoprocessorBoardDeps;
  /** The physical world: act on it with world.simulation (plug, cards, faults). */
  readonly world: SimBoard;
  readonly onoff: FakeOnoff;
  readonly lcd: FakePcf8574;
  readonly meterSim: ModbusMeterSimulator;
  close(): Promise<void>;
}

type Closer = () => unknown;

/** The bench parts every reference board shares; the board-specific builders add theirs. */
class Bench {
  readonly closers: Closer[] = [];
  readonly world: SimBoard;
  readonly w: SimBoard['hardware']['connectors'][number];
  readonly onoff = new FakeOnoff();
  readonly i2c = new FakeI2c();

  constructor(readonly clock: Clock) {
    this.world = createSimBoard({ clock, connectors: [{ connectorId: 1, kind: 'socket', phases: 3 }] });
    this.w = this.world.hardware.connectors[0]!;
    this.closers.push(() => this.world.stop());
  }

  async close(): Promise<void> {
    for (const close of this.closers.reverse()) await close();
  }
}

export async function buildDirectBoardRig(clock: Clock): Promise<BoardRig<DirectBoardProfile>> {
  const base = loadBoardProfile('direct-ref');
  if (base.driver !== 'direct') throw new Error('direct-ref is not a direct-wired profile');
  const wiring = base.connectors[0]!;
  const bench = new Bench(clock);
  const { world, w, closers, onoff, i2c } = bench;

  // —— control pilot: the PWM files drive the world's pilot; the ADC reads its levels ——
  const pwm: FakePwmSysfs = createFakePwmSysfs({ chips: [wiring.pilot.pwm.chip] });
  closers.push(() => pwm.dispose());
  const syncPilot = () => {
    const output = pwmOutput(pwm, wiring.pilot.pwm.chip, wiring.pilot.pwm.channel);
    if (output && !sameOutput(output, w.pilot.output)) w.pilot.setOutput(output);
  };
  const toAdc = (cpV: number) => clamp((cpV - wiring.pilot.offsetV) / wiring.pilot.scale, 0, wiring.pilot.adc.fullScaleV);
  const adc = i2c.bus(wiring.pilot.adc.bus).attach(wiring.pilot.adc.address, new FakeAds1115());
  adc.setChannelSource(wiring.pilot.adc.highChannel, () => {
    syncPilot();
    return toAdc(w.pilot.read().positiveV);
  });
  adc.setChannelSource(wiring.pilot.adc.lowChannel, () => {
    syncPilot();
    const levels = w.pilot.read();
    return toAdc(levels.negativeV ?? levels.positiveV);
  });

  // —— proximity: the cable's resistor against the board's pull-up ——
  const pp = wiring.proximity!;
  adc.setChannelSource(pp.adc.channel, () => {
    const reading = w.proximity!.read();
    const ohms = reading.kind === 'cable' ? NOMINAL_PROXIMITY_OHMS[reading.ratingA] : reading.kind === 'invalid' ? reading.ohms : Infinity;
    return Number.isFinite(ohms) ? (pp.supplyV * ohms) / (ohms + pp.pullUpOhms) : pp.supplyV;
  });

  i2c.bus(wiring.socketTemperature.bus)
    .attach(wiring.socketTemperature.address, new FakeTemperatureChip(wiring.socketTemperature.chip, 25))
    .setTemperatureSource(() => w.socketTemperature.read() ?? 25);

  // —— GPIO: outputs move the world's actuators, inputs read its contacts ——
  const asserted = (line: number) => onoff.isAsserted(line);
  const rcdTestWouldTrip = () => !world.simulation.snapshot().connectors[0]!.faults.includes('rcdSelfTestFail');
  let rcdTestCoil = false;
  const lock = wiring.lock!;
  const rcd = wiring.residualCurrent;
  closers.push(onoff.onWrite((event) => {
    if (event.kind !== 'write') return;
    if (event.line === wiring.contactor.coil.line) {
      if (asserted(event.line)) w.contactor.close();
      else w.contactor.open();
    } else if (event.line === lock.lockMotor.line && asserted(event.line)) {
      w.lock!.lock();
    } else if (event.line === lock.unlockMotor.line && asserted(event.line)) {
      w.lock!.unlock();
    } else if (event.line === rcd.testCoil.line) {
      rcdTestCoil = asserted(event.line);
      clock.setTimeout(() => onoff.refresh(rcd.acHealthy.line), 20); // the module trips a few ms after the test current
    }
  }));
  // The mirror is the normally-closed auxiliary contact: asserted while the main contacts are open.
  onoff.setLevelSource(wiring.contactor.mirror.line, () => w.contactor.readFeedback() === 'open');
  onoff.setLevelSource(lock.feedback.line, () => w.lock!.readFeedback() === 'locked');
  onoff.setLevelSource(rcd.acHealthy.line, () => w.residualCurrent.readTrip() !== 'ac' && !(rcdTestCoil && rcdTestWouldTrip()));
  onoff.setLevelSource(rcd.dcHealthy.line, () => w.residualCurrent.readTrip() !== 'dc');
  closers.push(
    w.contactor.onFeedback(() => onoff.refresh(wiring.contactor.mirror.line)),
    w.lock!.onFeedback(() => onoff.refresh(lock.feedback.line)),
    w.residualCurrent.onTrip(() => {
      onoff.refresh(rcd.acHealthy.line);
      onoff.refresh(rcd.dcHealthy.line);
    }),
  );

  const station = await wireStation(bench, base.station, wiring.meter);
  return {
    profile: {
      ...base,
      connectors: [{ ...wiring, meter: { ...wiring.meter, path: station.meterPath } }],
      station: { ...base.station, rfid: { ...base.station.rfid, path: station.readerPath } },
    },
    deps: { onoff: onoff.module, i2c: i2c.module, pwmRoot: pwm.root },
    world,
    onoff,
    lcd: station.lcd,
    meterSim: station.meterSim,
    close: () => bench.close(),
  };
}

/** The co-processor reference board: a simulated MCU on a fake CAN bus drives the world's pilot, contactor and lock. */
export async function buildCoprocessorBoardRig(clock: Clock): Promise<BoardRig<CoprocessorBoardProfile> & { readonly mcu: McuSimulator }> {
  const base = loadBoardProfile('coprocessor-ref');
  if (base.driver !== 'coprocessor') throw new Error('coprocessor-ref is not a co-processor profile');
  const wiring = base.connectors[0]!;
  const bench = new Bench(clock);
  const { world, w, closers, onoff, i2c } = bench;

  const can = new FakeSocketCan({ clock });
  const mcu = new McuSimulator(can.createRawChannel(base.can.interface), {
    baseId: base.can.baseId,
    clock,
    connectors: [{ connectorId: wiring.connectorId, hasLock: wiring.hasLock }],
    // The MCU drives the world's pilot and measures it, as its own ADC would.
    levels: (_id, output) => {
      if (!sameOutput(output, w.pilot.output)) w.pilot.setOutput(output);
      return w.pilot.read();
    },
  });
  // The MCU's outputs reach the world's contactor and lock; the world's sensors reach its inputs.
  const follow = clock.setInterval(() => {
    const state = mcu.connectorState(wiring.connectorId);
    if (state.contactorDrive !== (w.contactor.commanded === 'closed')) {
      if (state.contactorDrive) w.contactor.close();
      else w.contactor.open();
    }
    if (state.lock !== null && w.lock && state.lock !== w.lock.commanded) {
      if (state.lock === 'locked') w.lock.lock();
      else w.lock.unlock();
    }
    const inputs = mcu.inputs(wiring.connectorId);
    const pp = w.proximity!.read();
    inputs.proximityOhms = pp.kind === 'cable' ? NOMINAL_PROXIMITY_OHMS[pp.ratingA] : pp.kind === 'invalid' ? pp.ohms : Infinity;
    inputs.temperatureC = w.socketTemperature.read();
    inputs.residualCurrent = w.residualCurrent.readTrip();
  }, 5);
  mcu.start();
  closers.push(() => clock.clearInterval(follow), () => mcu.close());

  const station = await wireStation(bench, base.station, wiring.meter);
  return {
    profile: {
      ...base,
      connectors: [{ ...wiring, meter: { ...wiring.meter, path: station.meterPath } }],
      station: { ...base.station, rfid: { ...base.station.rfid, path: station.readerPath } },
    },
    deps: { onoff: onoff.module, i2c: i2c.module, socketcan: can as unknown as CoprocessorBoardDeps['socketcan'] },
    world,
    onoff,
    lcd: station.lcd,
    meterSim: station.meterSim,
    mcu,
    close: () => bench.close(),
  };
}

/** Station devices (e-stop, earth monitor, enclosure sensor, display) and the connector's meter and the reader on ptys. */
async function wireStation(bench: Bench, station: StationWiring, meterWiring: { baudRate: number; unitId: number }) {
  const { world, w, closers, onoff, i2c, clock } = bench;
  i2c.bus(station.enclosureTemperature.bus)
    .attach(station.enclosureTemperature.address, new FakeTemperatureChip(station.enclosureTemperature.chip, 25))
    .setTemperatureSource(() => world.hardware.enclosureTemperature.read() ?? 25);
  const lcd = i2c.bus(station.display.bus).attach(station.display.address, new FakePcf8574(clock));
  onoff.setLevelSource(station.emergencyStop.line, () => !world.hardware.emergencyStop.isPressed());
  onoff.setLevelSource(station.groundMonitor.line, () => world.hardware.groundMonitor.isPresent());
  closers.push(
    world.hardware.emergencyStop.onChange(() => onoff.refresh(station.emergencyStop.line)),
    world.hardware.groundMonitor.onChange(() => onoff.refresh(station.groundMonitor.line)),
  );

  // —— RS-485 meter and UART card reader at the far end of pseudo-terminals ——
  const meterLine: PtyPair = await openPtyPair();
  closers.push(() => meterLine.close());
  let latest: MeterReading | null = null;
  const pollWorld = () => void w.meter.read().then((r) => (latest = r), () => undefined);
  pollWorld();
  const poller = clock.setInterval(pollWorld, 100);
  closers.push(() => clock.clearInterval(poller));
  const meterSim = await ModbusMeterSimulator.open({
    path: meterLine.b,
    baudRate: meterWiring.baudRate,
    model: 'sdm630',
    unitId: meterWiring.unitId,
    values: () => meterValues(latest),
  });
  closers.push(() => meterSim.close());

  const readerLine: PtyPair = await openPtyPair();
  closers.push(() => readerLine.close());
  const readerSim = await RfidReaderSimulator.open({ path: readerLine.b, baudRate: station.rfid.baudRate, protocol: station.rfid.protocol });
  closers.push(() => readerSim.close());
  closers.push(world.hardware.rfid.onCard(({ uid }) => {
    void readerSim.presentCard(uid);
    clock.setTimeout(() => readerSim.removeCard(), 600); // the card is held to the reader, then taken away
  }));

  return { lcd, meterSim, meterPath: meterLine.a, readerPath: readerLine.a };
}

function pwmOutput(pwm: FakePwmSysfs, chip: number, channel: number): PilotOutput | null {
  const period = Number(pwm.read(chip, channel, 'period'));
  const duty = Number(pwm.read(chip, channel, 'duty_cycle'));
  if (pwm.read(chip, channel, 'enable') !== '1' || !(period > 0)) return null;
  const percent = (duty / period) * 100;
  if (percent >= 99.95) return { mode: 'high' };
  if (percent <= 0.05) return { mode: 'error' };
  return { mode: 'pwm', dutyPercent: Math.round(percent * 10) / 10 };
}

function sameOutput(a: PilotOutput, b: PilotOutput): boolean {
  return a.mode === b.mode && (a.mode !== 'pwm' || (b.mode === 'pwm' && a.dutyPercent === b.dutyPercent));
}

function meterValues(reading: MeterReading | null): MeterSimValues {
  if (!reading) return { voltages: [230, 230, 230], currents: [0, 0, 0], powers: [0, 0, 0], frequency: 50, importWh: 0 };
  const [l1, l2, l3] = reading.phases;
  return {
    voltages: [l1.voltageV, l2.voltageV, l3.voltageV],
    currents: [l1.currentA, l2.currentA, l3.currentA],
    powers: [l1.powerW, l2.powerW, l3.powerW],
    totalPower: reading.totalPowerW,
    frequency: reading.frequencyHz,
    importWh: reading.importEnergyWh,
  };
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
