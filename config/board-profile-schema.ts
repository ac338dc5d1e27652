// A board profile file (config/boards/*.json), declared once: which driver family runs the board
// and how every device is wired, one branch per driver family. Its types are derived from this
// (./board-profile-types.ts); hal/boards/ turns a profile into drivers.
// Build time and types only: the firmware loads the compiled form (config/compiled-schemas.ts).

import { Type, type TObject } from '@sinclair/typebox';
import { boardName } from './schema.js';
import { choice, constant, integer, nullable, number, object, patterned } from './schema-builders.js';

/** A GPIO line as Linux numbers it; activeLow when the signal is asserted at 0 V. */
export const gpioLine = object({ line: integer(0, 4095), activeLow: Type.Optional(Type.Boolean()) });

export const gpioInput = object({ line: integer(0, 4095), activeLow: Type.Optional(Type.Boolean()), debounceMs: integer(0, 1000) });

const i2cAddress = {
  bus: integer(0, 31),
  /** 7-bit address, e.g. 72 (0x48). */
  address: integer(3, 119),
};
export const i2cDevice = object(i2cAddress);
/** Coil released → main contacts open, ms, worst case from the contactor's datasheet (docs/reaction-budgets.md): beyond 100 ms no C→B budget can hold (IEC 61851-1 Table A.6, reference A3). */
const contactorDropOut = () => integer(1, 100);
const adcChannel = () => choice([0, 1, 2, 3]);
const adcFullScale = () => choice([6.144, 4.096, 2.048, 1.024, 0.512, 0.256]);

export const temperature = object({ ...i2cAddress, chip: choice(['tmp102', 'lm75']), pollMs: integer(100, 10_000) });

const serialLine = {
  path: Type.String({ minLength: 1, maxLength: 255 }),
  baudRate: choice([1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200]),
  parity: choice(['none', 'even', 'odd']),
  stopBits: choice([1, 2]),
};
export const serialLineWiring = object(serialLine);

export const meter = object({
  ...serialLine,
  model: Type.String({ minLength: 1, maxLength: 32 }),
  unitId: integer(1, 247),
  timeoutMs: integer(50, 5000),
});

export const rfid = object({ path: serialLine.path, baudRate: serialLine.baudRate, protocol: choice(['pn532-hsu', 'uid-line']) });

export const display = object({ ...i2cAddress, lines: choice([2, 4]), width: choice([16, 20]) });

export const led = object({ red: gpioLine, green: gpioLine, blue: gpioLine });

/** Devices every real board has at station level. */
export const station = object({
  /** Normally-closed chain: asserted while healthy, so a broken wire reads as pressed. */
  emergencyStop: gpioInput,
  /** Asserted while protective earth is present. */
  groundMonitor: gpioInput,
  enclosureTemperature: temperature,
  rfid,
  display,
});

const common = {
  name: boardName(),
  description: Type.String({ minLength: 1, maxLength: 500 }),
};

/** The Linux SoC drives the contactor and measures CP/PP itself. */
export const directConnector = object({
  connectorId: integer(1, 8),
  pilot: object({
    pwm: object({ chip: integer(0, 63), channel: integer(0, 63) }),
    adc: object({ ...i2cAddress, highChannel: adcChannel(), lowChannel: adcChannel(), fullScaleV: adcFullScale() }),
    /** CP volts = ADC volts × scale + offsetV (the divider and level shift in front of the ADC). */
    scale: number(0.1, 100),
    offsetV: number(-50, 50),
    pollMs: integer(5, 1000),
  }),
  /** Sockets only. */
  proximity: nullable(object({
    adc: object({ ...i2cAddress, channel: adcChannel(), fullScaleV: adcFullScale() }),
    pullUpOhms: number(10, 100_000),
    supplyV: number(1, 15),
    pollMs: integer(10, 5000),
  })),
  contactor: object({ coil: gpioLine, mirror: gpioInput, dropOutMs: contactorDropOut() }),
  /** Sockets only. */
  lock: nullable(object({ lockMotor: gpioLine, unlockMotor: gpioLine, feedback: gpioInput, pulseMs: integer(20, 2000) })),
  residualCurrent: object({
    acHealthy: gpioInput,
    dcHealthy: gpioInput,
    testCoil: gpioLine,
    selfTestTripWithinMs: integer(10, 2000),
    selfTestReleaseWithinMs: integer(10, 5000),
  }),
  meter,
  socketTemperature: temperature,
  led,
});

/** A safety microcontroller on CAN measures CP/PP, generates the PWM and switches the contactor. */
export const coprocessorConnector = object({
  connectorId: integer(1, 8),
  hasLock: Type.Boolean(),
  contactorDropOutMs: contactorDropOut(),
  meter,
  led,
});

/** The SoC's hardware watchdog, kicked by the firmware while its control loop is healthy. */
export const watchdog = object({
  /** The Linux watchdog device, e.g. /dev/watchdog. */
  device: patterned('^/dev/', undefined, { maxLength: 255 }),
});

/**
 * What the installation wires in series with every contactor coil, so that it opens without the
 * firmware (which is then the second line, not the only one). Declared by the board's maker.
 */
export const coilInterlocks = object({
  /** The RCD module's trip output breaks the coil supply. */
  residualCurrentTrip: Type.Boolean(),
  /** The emergency stop breaks the coil supply. */
  emergencyStop: Type.Boolean(),
});

export const simProfile = object({
  ...common,
  driver: constant('sim'),
  /** The simulated contactors' mechanical delay (pull-in and drop-out). */
  contactorDropOutMs: contactorDropOut(),
});

export const directProfile = object({
  ...common,
  driver: constant('direct'),
  connectors: Type.Array(directConnector, { minItems: 1, maxItems: 8 }),
  station,
  /** Absent: the firmware warns at start that it is the only line between a trip and the coil. */
  coilInterlocks: Type.Optional(coilInterlocks),
  watchdog: Type.Optional(watchdog),
});

export const coprocessorProfile = object({
  ...common,
  driver: constant('coprocessor'),
  can: object({
    interface: patterned('^[a-z][a-z0-9]{0,14}$', undefined),
    baseId: integer(0, 0x7ff),
    heartbeatIntervalMs: integer(10, 1000),
    heartbeatTimeoutMs: integer(30, 5000),
  }),
  connectors: Type.Array(coprocessorConnector, { minItems: 1, maxItems: 8 }),
  station,
  watchdog: Type.Optional(watchdog),
});

/**
 * The profile file: the common fields, then the branch of its driver ("if driver is X then X's
 * fields"), so the errors are about the branch the file means rather than about all three. Each
 * branch is a definition of its own, compiled to a function of its own (not inlined): a start
 * checking a sim profile never compiles the direct board's wiring checks.
 */
function byDriver(branches: readonly TObject[], shared: Readonly<Record<string, TObject>>) {
  const driverOf = (branch: TObject): string => branch.properties['driver']!['const'] as string;
  const drivers = branches.map(driverOf);
  const names = new Map<unknown, string>(Object.entries(shared).map(([name, part]) => [part, name]));
  const definitions = Object.fromEntries([
    ...branches.map((branch) => [driverOf(branch), referring(branch, names)] as const),
    ...Object.entries(shared).map(([name, part]) => [name, referring(part, names)] as const),
  ]);
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    type: 'object',
    required: ['name', 'description', 'driver'],
    properties: { ...common, driver: choice(drivers) },
    definitions,
    allOf: branches.map((branch) => ({ if: { properties: { driver: { const: driverOf(branch) } } }, then: { $ref: `#/definitions/${driverOf(branch)}` } })),
  } as const;
}

/**
 * `schema` with each part it shares with other places (wiring used on many pins) replaced by a
 * reference to that part's definition, so its check is compiled once. The reference keeps the
 * part's `type`, which the messages name ("... is required (an object)").
 */
function referring(schema: unknown, names: ReadonlyMap<unknown, string>, top = true): unknown {
  const name = names.get(schema);
  if (name !== undefined && !top) return { $ref: `#/definitions/${name}`, type: (schema as { type?: unknown }).type };
  if (Array.isArray(schema)) return schema.map((item) => referring(item, names, false));
  if (typeof schema !== 'object' || schema === null) return schema;
  return Object.fromEntries(Object.entries(schema).map(([key, value]) => [key, referring(value, names, false)]));
}

export const BOARD_PROFILE_SCHEMA = byDriver([simProfile, directProfile, coprocessorProfile], {
  gpioLine, gpioInput, temperature, meter, led, station, directConnector, coprocessorConnector, watchdog,
});
