// The direct-wired board: the Linux SoC generates the control-pilot PWM, measures CP and PP
// through an ADS1115, and switches the contactor, lock and RCD test coil on GPIO lines.

import type { Clock } from '../clock.js';
import type { BoardHardware, ConnectorHardware, SafeStateRelease } from '../interfaces.js';
import type { DirectBoardProfile, DirectConnectorWiring } from '../../config/board-profile-types.js';
import type { BoardConnectorRequest } from '../load-board.js';
import { HardwareUnavailableError } from '../hardware-packages.js';
import { GpioContactor } from '../gpio/gpio-contactor.js';
import { GpioLock } from '../gpio/gpio-lock.js';
import { GpioResidualCurrentMonitor } from '../gpio/gpio-safety-inputs.js';
import { SysfsPwm } from '../pwm/sysfs-pwm.js';
import { AdcControlPilot } from '../i2c/adc-pilot.js';
import { AdcProximityPilot } from '../i2c/adc-proximity.js';
import { openStation, PartsOpener, type RealBoardDeps } from './board-parts.js';

const PWM_FREQUENCY_HZ = 1000; // IEC 61851-1 A.2: 1 kHz ± 2 %

export async function createDirectBoard(
  profile: DirectBoardProfile,
  connectors: readonly BoardConnectorRequest[],
  clock: Clock,
  deps: RealBoardDeps = {},
): Promise<BoardHardware> {
  const parts = new PartsOpener(clock, deps);
  try {
    const opened: ConnectorHardware[] = [];
    const releases: SafeWrites = { coils: [], pilots: [], motors: [] };
    for (const request of connectors) {
      const wiring = profile.connectors.find((c) => c.connectorId === request.connectorId);
      if (!wiring) throw missingWiring(profile.name, request.connectorId);
      opened.push(await openConnector(parts, wiring, request, profile.name, deps, releases));
    }
    const station = await openStation(parts, profile.station);
    await parts.allSampled();
    return { connectors: opened, ...station, safeState: safeState(releases), close: () => parts.closeAll() };
  } catch (error) {
    await parts.closeAll();
    throw error;
  }
}

async function openConnector(
  parts: PartsOpener,
  wiring: DirectConnectorWiring,
  request: BoardConnectorRequest,
  board: string,
  deps: RealBoardDeps,
  releases: SafeWrites,
): Promise<ConnectorHardware> {
  const name = `connector ${wiring.connectorId}`;
  if (request.kind === 'socket' && (!wiring.proximity || !wiring.lock)) {
    throw new HardwareUnavailableError(`${name} (a socket)`, `board profile ${board}`, 'a socket needs proximity and lock wiring, and the profile has none');
  }
  const { clock } = parts;

  const pwm = parts.track(
    await SysfsPwm.open({ ...wiring.pilot.pwm, frequencyHz: PWM_FREQUENCY_HZ }, `${name} control pilot PWM`, deps.pwmRoot),
    (p) => p.close(),
  );
  releases.pilots.push(pwm.dutyCycleFile);
  const pilotAdc = await parts.ads1115(wiring.pilot.adc.bus, wiring.pilot.adc.address, `${name} pilot ADC`);
  const pilot = parts.sampling(parts.track(
    new AdcControlPilot(pwm, pilotAdc, clock, {
      highChannel: wiring.pilot.adc.highChannel,
      lowChannel: wiring.pilot.adc.lowChannel,
      fullScaleV: wiring.pilot.adc.fullScaleV,
      scale: wiring.pilot.scale,
      offsetV: wiring.pilot.offsetV,
      pollMs: wiring.pilot.pollMs,
    }),
    (p) => p.close(),
  ));

  let proximity = null;
  let lock = null;
  if (request.kind === 'socket' && wiring.proximity && wiring.lock) {
    const pp = wiring.proximity;
    const ppAdc = await parts.ads1115(pp.adc.bus, pp.adc.address, `${name} proximity ADC`);
    proximity = parts.sampling(parts.track(
      new AdcProximityPilot(ppAdc, clock, { channel: pp.adc.channel, fullScaleV: pp.adc.fullScaleV, pullUpOhms: pp.pullUpOhms, supplyV: pp.supplyV, pollMs: pp.pollMs }),
      (p) => p.close(),
    ));
    const lockMotor = await parts.output(wiring.lock.lockMotor, `${name} lock motor`);
    const unlockMotor = await parts.output(wiring.lock.unlockMotor, `${name} unlock motor`);
    releases.motors.push(lockMotor.valueFile, unlockMotor.valueFile);
    lock = parts.track(
      new GpioLock(
        lockMotor,
        unlockMotor,
        await parts.input(wiring.lock.feedback, `${name} lock feedback`),
        clock,
        { pulseMs: wiring.lock.pulseMs },
      ),
      (l) => l.close(),
    );
  }

  const coil = await parts.output(wiring.contactor.coil, `${name} contactor coil`);
  releases.coils.push(coil.valueFile);
  const contactor = new GpioContactor(
    coil,
    await parts.input(wiring.contactor.mirror, `${name} contactor mirror contact`),
  );
  const rcd = wiring.residualCurrent;
  const residualCurrent = parts.track(
    new GpioResidualCurrentMonitor(
      {
        acHealthy: await parts.input(rcd.acHealthy, `${name} RCD AC trip`),
        dcHealthy: await parts.input(rcd.dcHealthy, `${name} RCD DC trip`),
        testCoil: await parts.output(rcd.testCoil, `${name} RCD test coil`),
      },
      clock,
      { selfTestTripWithinMs: rcd.selfTestTripWithinMs, selfTestReleaseWithinMs: rcd.selfTestReleaseWithinMs },
    ),
    (r) => r.close(),
  );

  return {
    connectorId: wiring.connectorId,
    pilot,
    proximity,
    contactor,
    residualCurrent,
    lock,
    meter: await parts.meter(wiring.meter, request.phases, `${name} energy meter`),
    socketTemperature: await parts.temperature(wiring.socketTemperature, 'socket', `${name} socket temperature sensor`),
    led: await parts.led(wiring.led, `${name} LED`),
  };
}

/** The files the safe-state release writes, by kind. */
interface SafeWrites {
  readonly coils: string[];
  readonly pilots: string[];
  readonly motors: string[];
}

/**
 * Coils first (the contacts open), then every pilot PWM to 0 % duty (steady −12 V on the ±12 V
 * stage: state F), then the lock motors stopped (the plug stays where it is).
 */
function safeState({ coils, pilots, motors }: SafeWrites): SafeStateRelease {
  return {
    writes: [...coils.map((path) => ({ path, value: '0' })), ...pilots.map((path) => ({ path, value: '0' })), ...motors.map((path) => ({ path, value: '0' }))],
    coils: null,
    pilots: null,
  };
}

export function missingWiring(board: string, connectorId: number): HardwareUnavailableError {
  return new HardwareUnavailableError(`connector ${connectorId}`, `board profile ${board}`, 'the config has this connector but the board profile wires no such connector');
}
