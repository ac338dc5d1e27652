// Shared pieces of the real boards: opening drivers in order, closing everything opened so far
// when one fails (the firmware then refuses to start, naming the device), and the station
// devices every real board wires the same way.

import type { Clock } from '../clock.js';
import type { Display, EmergencyStop, GroundMonitor, RfidReader, StatusLed, TemperatureSensor } from '../interfaces.js';
import type {
  GpioInputWiring,
  GpioLineWiring,
  LedWiring,
  MeterWiring,
  StationWiring,
  TemperatureWiring,
} from '../../config/board-profile-types.js';
import { GpioInput, GpioOutput, type OnoffModule } from '../gpio/gpio-line.js';
import { GpioEmergencyStop, GpioGroundMonitor } from '../gpio/gpio-safety-inputs.js';
import { GpioRgbLed } from '../gpio/gpio-led.js';
import { openI2cBus, type I2cModule } from '../i2c/i2c-bus.js';
import { Ads1115 } from '../i2c/ads1115.js';
import { I2cTemperatureSensor } from '../i2c/tmp102.js';
import { I2cCharacterDisplay } from '../i2c/character-display.js';
import { ModbusEnergyMeter } from '../serial/modbus-meter.js';
import { SerialRfidReader } from '../serial/serial-rfid-reader.js';
import type { MeterModel } from '../serial/meter-register-maps.js';

/** Package modules to use instead of the real ones (tests hand in fakes at the package boundary). */
export interface RealBoardDeps {
  readonly onoff?: OnoffModule;
  readonly i2c?: I2cModule;
  readonly modbus?: Parameters<typeof ModbusEnergyMeter.open>[1] extends infer D ? D extends { modbus?: infer M } ? M : never : never;
  readonly serialport?: Parameters<typeof SerialRfidReader.open>[2] extends infer D ? D extends { SerialPort?: infer S } ? S : never : never;
  /** Root of the PWM class directory (default /sys/class/pwm). */
  readonly pwmRoot?: string;
}

type Closer = () => unknown;

/** Opens devices one by one; if one fails, closes the others and rethrows. */
export class PartsOpener {
  private readonly closers: Closer[] = [];
  private readonly firstReadings: Promise<void>[] = [];
  private readonly buses = new Map<number, Promise<Awaited<ReturnType<typeof openI2cBus>>>>();
  private readonly adcs = new Map<string, Ads1115>();

  constructor(
    readonly clock: Clock,
    readonly deps: RealBoardDeps,
  ) {}

  /** Registers something to close at shutdown (or if a later device fails to open). */
  track<T>(part: T, close: (part: T) => unknown): T {
    this.closers.push(() => close(part));
    return part;
  }

  /** Registers a sampling driver whose first reading must be in before the board is handed over. */
  sampling<T extends { ready(): Promise<void> }>(part: T): T {
    this.firstReadings.push(part.ready());
    return part;
  }

  /** Resolves when every sampling driver has its first reading (so nothing starts on a guess). */
  async allSampled(): Promise<void> {
    await Promise.all(this.firstReadings);
  }

  async closeAll(): Promise<void> {
    for (const close of this.closers.splice(0).reverse()) {
      try {
        await close();
      } catch {
        // Closing is best effort: the process is stopping or refusing to start.
      }
    }
  }

  output(wiring: GpioLineWiring, device: string): Promise<GpioOutput> {
    return GpioOutput.open(wiring, device, { onoff: this.deps.onoff }).then((line) => this.track(line, (l) => l.close()));
  }

  input(wiring: GpioInputWiring, device: string): Promise<GpioInput> {
    return GpioInput.open(wiring, device, { onoff: this.deps.onoff }).then((line) => this.track(line, (l) => l.close()));
  }

  i2cBus(bus: number, device: string) {
    let opened = this.buses.get(bus);
    if (!opened) {
      opened = openI2cBus(bus, device, { i2c: this.deps.i2c }).then((b) => this.track(b, (x) => x.close()));
      this.buses.set(bus, opened);
    }
    return opened;
  }

  /**
   * One driver per ADC chip: its conversions are serialised, so two users of the same chip
   * (the pilot and the proximity input) never read each other's channel.
   */
  async ads1115(bus: number, address: number, device: string): Promise<Ads1115> {
    const key = `${bus}:${address}`;
    let adc = this.adcs.get(key);
    if (!adc) {
      adc = new Ads1115(await this.i2cBus(bus, device), address);
      this.adcs.set(key, adc);
    }
    return adc;
  }

  async temperature(wiring: TemperatureWiring, location: 'socket' | 'enclosure', device: string): Promise<TemperatureSensor> {
    const bus = await this.i2cBus(wiring.bus, device);
    const sensor = new I2cTemperatureSensor(bus, wiring.address, location, this.clock, { chip: wiring.chip, pollMs: wiring.pollMs });
    return this.sampling(this.track(sensor, (s) => s.close()));
  }

  async meter(wiring: MeterWiring, phases: 1 | 3, device: string) {
    const meter = await ModbusEnergyMeter.open(
      {
        path: wiring.path,
        baudRate: wiring.baudRate,
        parity: wiring.parity,
        dataBits: 8,
        stopBits: wiring.stopBits,
        unitId: wiring.unitId,
        model: wiring.model as MeterModel,
        timeoutMs: wiring.timeoutMs,
        phases,
      },
      { modbus: this.deps.modbus },
    ).catch((error: unknown) => {
      throw relabel(error, device);
    });
    return this.track(meter, (m) => m.close());
  }

  async led(wiring: LedWiring, device: string): Promise<StatusLed> {
    const [red, green, blue] = await Promise.all([
      this.output(wiring.red, `${device} red`),
      this.output(wiring.green, `${device} green`),
      this.output(wiring.blue, `${device} blue`),
    ]);
    return this.track(new GpioRgbLed({ red, green, blue }, this.clock), (l) => l.close());
  }
}

export interface StationParts {
  readonly emergencyStop: EmergencyStop;
  readonly groundMonitor: GroundMonitor;
  readonly enclosureTemperature: TemperatureSensor;
  readonly rfid: RfidReader;
  readonly display: Display;
}

export async function openStation(parts: PartsOpener, wiring: StationWiring): Promise<StationParts> {
  const emergencyStop = new GpioEmergencyStop(await parts.input(wiring.emergencyStop, 'emergency stop'));
  const groundMonitor = new GpioGroundMonitor(await parts.input(wiring.groundMonitor, 'ground monitor'));
  const enclosureTemperature = await parts.temperature(wiring.enclosureTemperature, 'enclosure', 'enclosure temperature sensor');
  const rfid = parts.track(
    await SerialRfidReader.open(wiring.rfid, parts.clock, { SerialPort: parts.deps.serialport }),
    (r) => r.close(),
  );
  const displayBus = await parts.i2cBus(wiring.display.bus, 'display');
  const display = new I2cCharacterDisplay(displayBus, wiring.display.address, { lines: wiring.display.lines, width: wiring.display.width });
  return { emergencyStop, groundMonitor, enclosureTemperature, rfid, display };
}

/** Names the connector in a driver's error, keeping its type. */
function relabel(error: unknown, device: string): unknown {
  if (error instanceof Error && !error.message.includes(device)) error.message = `${device}: ${error.message}`;
  return error;
}
