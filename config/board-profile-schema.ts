// JSON Schema of a board profile file (config/boards/*.json), one branch per driver family.

const integer = (minimum: number, maximum: number) => ({ type: 'integer', minimum, maximum }) as const;
const number = (minimum: number, maximum: number) => ({ type: 'number', minimum, maximum }) as const;

const gpioLine = {
  type: 'object',
  additionalProperties: false,
  required: ['line'],
  properties: { line: integer(0, 4095), activeLow: { type: 'boolean' } },
} as const;

const gpioInput = {
  type: 'object',
  additionalProperties: false,
  required: ['line', 'debounceMs'],
  properties: { line: integer(0, 4095), activeLow: { type: 'boolean' }, debounceMs: integer(0, 1000) },
} as const;

const i2cAddress = { bus: integer(0, 31), address: integer(3, 119) } as const;
/** Coil released → main contacts open, ms: beyond 100 ms no C→B budget can hold (IEC 61851-1 Table A.6, reference A3). */
const contactorDropOut = integer(1, 100);
const adcChannel = { enum: [0, 1, 2, 3] } as const;
const adcFullScale = { enum: [6.144, 4.096, 2.048, 1.024, 0.512, 0.256] } as const;

const temperature = {
  type: 'object',
  additionalProperties: false,
  required: ['bus', 'address', 'chip', 'pollMs'],
  properties: { ...i2cAddress, chip: { enum: ['tmp102', 'lm75'] }, pollMs: integer(100, 10_000) },
} as const;

const serialLine = {
  path: { type: 'string', minLength: 1, maxLength: 255 },
  baudRate: { enum: [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200] },
  parity: { enum: ['none', 'even', 'odd'] },
  stopBits: { enum: [1, 2] },
} as const;

const meter = {
  type: 'object',
  additionalProperties: false,
  required: ['path', 'baudRate', 'parity', 'stopBits', 'model', 'unitId', 'timeoutMs'],
  properties: {
    ...serialLine,
    model: { type: 'string', minLength: 1, maxLength: 32 },
    unitId: integer(1, 247),
    timeoutMs: integer(50, 5000),
  },
} as const;

const led = {
  type: 'object',
  additionalProperties: false,
  required: ['red', 'green', 'blue'],
  properties: { red: gpioLine, green: gpioLine, blue: gpioLine },
} as const;

const station = {
  type: 'object',
  additionalProperties: false,
  required: ['emergencyStop', 'groundMonitor', 'enclosureTemperature', 'rfid', 'display'],
  properties: {
    emergencyStop: gpioInput,
    groundMonitor: gpioInput,
    enclosureTemperature: temperature,
    rfid: {
      type: 'object',
      additionalProperties: false,
      required: ['path', 'baudRate', 'protocol'],
      properties: { path: serialLine.path, baudRate: serialLine.baudRate, protocol: { enum: ['pn532-hsu', 'uid-line'] } },
    },
    display: {
      type: 'object',
      additionalProperties: false,
      required: ['bus', 'address', 'lines', 'width'],
      properties: { ...i2cAddress, lines: { enum: [2, 4] }, width: { enum: [16, 20] } },
    },
  },
} as const;

const common = {
  name: { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]*$' },
  description: { type: 'string', minLength: 1, maxLength: 500 },
} as const;

const directConnector = {
  type: 'object',
  additionalProperties: false,
  required: ['connectorId', 'pilot', 'proximity', 'contactor', 'lock', 'residualCurrent', 'meter', 'socketTemperature', 'led'],
  properties: {
    connectorId: integer(1, 8),
    pilot: {
      type: 'object',
      additionalProperties: false,
      required: ['pwm', 'adc', 'scale', 'offsetV', 'pollMs'],
      properties: {
        pwm: { type: 'object', additionalProperties: false, required: ['chip', 'channel'], properties: { chip: integer(0, 63), channel: integer(0, 63) } },
        adc: {
          type: 'object',
          additionalProperties: false,
          required: ['bus', 'address', 'highChannel', 'lowChannel', 'fullScaleV'],
          properties: { ...i2cAddress, highChannel: adcChannel, lowChannel: adcChannel, fullScaleV: adcFullScale },
        },
        scale: number(0.1, 100),
        offsetV: number(-50, 50),
        pollMs: integer(5, 1000),
      },
    },
    proximity: {
      oneOf: [
        { type: 'null' },
        {
          type: 'object',
          additionalProperties: false,
          required: ['adc', 'pullUpOhms', 'supplyV', 'pollMs'],
          properties: {
            adc: {
              type: 'object',
              additionalProperties: false,
              required: ['bus', 'address', 'channel', 'fullScaleV'],
              properties: { ...i2cAddress, channel: adcChannel, fullScaleV: adcFullScale },
            },
            pullUpOhms: number(10, 100_000),
            supplyV: number(1, 15),
            pollMs: integer(10, 5000),
          },
        },
      ],
    },
    contactor: {
      type: 'object',
      additionalProperties: false,
      required: ['coil', 'mirror', 'dropOutMs'],
      properties: { coil: gpioLine, mirror: gpioInput, dropOutMs: contactorDropOut },
    },
    lock: {
      oneOf: [
        { type: 'null' },
        {
          type: 'object',
          additionalProperties: false,
          required: ['lockMotor', 'unlockMotor', 'feedback', 'pulseMs'],
          properties: { lockMotor: gpioLine, unlockMotor: gpioLine, feedback: gpioInput, pulseMs: integer(20, 2000) },
        },
      ],
    },
    residualCurrent: {
      type: 'object',
      additionalProperties: false,
      required: ['acHealthy', 'dcHealthy', 'testCoil', 'selfTestTripWithinMs', 'selfTestReleaseWithinMs'],
      properties: {
        acHealthy: gpioInput,
        dcHealthy: gpioInput,
        testCoil: gpioLine,
        selfTestTripWithinMs: integer(10, 2000),
        selfTestReleaseWithinMs: integer(10, 5000),
      },
    },
    meter,
    socketTemperature: temperature,
    led,
  },
} as const;

const watchdog = {
  type: 'object',
  additionalProperties: false,
  required: ['device'],
  properties: { device: { type: 'string', pattern: '^/dev/', maxLength: 255 } },
} as const;

const coilInterlocks = {
  type: 'object',
  additionalProperties: false,
  required: ['residualCurrentTrip', 'emergencyStop'],
  properties: { residualCurrentTrip: { type: 'boolean' }, emergencyStop: { type: 'boolean' } },
} as const;

export const BOARD_PROFILE_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  required: ['name', 'description', 'driver'],
  properties: { ...common, driver: { enum: ['sim', 'direct', 'coprocessor'] } },
  allOf: [
    {
      if: { properties: { driver: { const: 'sim' } } },
      then: {
        additionalProperties: false,
        required: ['contactorDropOutMs'],
        properties: { ...common, driver: { const: 'sim' }, contactorDropOutMs: contactorDropOut },
      },
    },
    {
      if: { properties: { driver: { const: 'direct' } } },
      then: {
        additionalProperties: false,
        required: ['connectors', 'station'],
        properties: {
          ...common,
          driver: { const: 'direct' },
          connectors: { type: 'array', minItems: 1, maxItems: 8, items: directConnector },
          station,
          coilInterlocks,
          watchdog,
        },
      },
    },
    {
      if: { properties: { driver: { const: 'coprocessor' } } },
      then: {
        additionalProperties: false,
        required: ['can', 'connectors', 'station'],
        properties: {
          ...common,
          driver: { const: 'coprocessor' },
          can: {
            type: 'object',
            additionalProperties: false,
            required: ['interface', 'baseId', 'heartbeatIntervalMs', 'heartbeatTimeoutMs'],
            properties: {
              interface: { type: 'string', pattern: '^[a-z][a-z0-9]{0,14}$' },
              baseId: integer(0, 0x7ff),
              heartbeatIntervalMs: integer(10, 1000),
              heartbeatTimeoutMs: integer(30, 5000),
            },
          },
          connectors: {
            type: 'array',
            minItems: 1,
            maxItems: 8,
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['connectorId', 'hasLock', 'contactorDropOutMs', 'meter', 'led'],
              properties: { connectorId: integer(1, 8), hasLock: { type: 'boolean' }, contactorDropOutMs: contactorDropOut, meter, led },
            },
          },
          station,
          watchdog,
        },
      },
    },
  ],
} as const;
