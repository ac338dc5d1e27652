// What a board profile says: which driver family runs the board and how every device is wired.
// Plain data, checked by config/board-profile-schema.ts; hal/boards/ turns it into drivers.

/** A GPIO line as Linux numbers it; activeLow when the signal is asserted at 0 V. */
export interface GpioLineWiring {
  readonly line: number;
  readonly activeLow?: boolean;
}

export interface GpioInputWiring extends GpioLineWiring {
  readonly debounceMs: number;
}

export interface I2cDeviceWiring {
  readonly bus: number;
  /** 7-bit address, e.g. 72 (0x48). */
  readonly address: number;
}

export interface TemperatureWiring extends I2cDeviceWiring {
  readonly chip: 'tmp102' | 'lm75';
  readonly pollMs: number;
}

export interface SerialLineWiring {
  readonly path: string;
  readonly baudRate: number;
  readonly parity: 'none' | 'even' | 'odd';
  readonly stopBits: 1 | 2;
}

export interface MeterWiring extends SerialLineWiring {
  readonly model: string;
  readonly unitId: number;
  readonly timeoutMs: number;
}

export interface RfidWiring {
  readonly path: string;
  readonly baudRate: number;
  readonly protocol: 'pn532-hsu' | 'uid-line';
}

export interface DisplayWiring extends I2cDeviceWiring {
  readonly lines: 2 | 4;
  readonly width: 16 | 20;
}

export interface LedWiring {
  readonly red: GpioLineWiring;
  readonly green: GpioLineWiring;
  readonly blue: GpioLineWiring;
}

/** Devices every real board has at station level. */
export interface StationWiring {
  /** Normally-closed chain: asserted while healthy, so a broken wire reads as pressed. */
  readonly emergencyStop: GpioInputWiring;
  /** Asserted while protective earth is present. */
  readonly groundMonitor: GpioInputWiring;
  readonly enclosureTemperature: TemperatureWiring;
  readonly rfid: RfidWiring;
  readonly display: DisplayWiring;
}

/** The Linux SoC drives the contactor and measures CP/PP itself. */
export interface DirectConnectorWiring {
  readonly connectorId: number;
  readonly pilot: {
    readonly pwm: { readonly chip: number; readonly channel: number };
    readonly adc: I2cDeviceWiring & { readonly highChannel: 0 | 1 | 2 | 3; readonly lowChannel: 0 | 1 | 2 | 3; readonly fullScaleV: number };
    /** CP volts = ADC volts × scale + offsetV (the divider and level shift in front of the ADC). */
    readonly scale: number;
    readonly offsetV: number;
    readonly pollMs: number;
  };
  /** Sockets only. */
  readonly proximity: {
    readonly adc: I2cDeviceWiring & { readonly channel: 0 | 1 | 2 | 3; readonly fullScaleV: number };
    readonly pullUpOhms: number;
    readonly supplyV: number;
    readonly pollMs: number;
  } | null;
  /** dropOutMs: coil released → main contacts open, worst case, from the contactor's datasheet (docs/reaction-budgets.md). */
  readonly contactor: { readonly coil: GpioLineWiring; readonly mirror: GpioInputWiring; readonly dropOutMs: number };
  /** Sockets only. */
  readonly lock: { readonly lockMotor: GpioLineWiring; readonly unlockMotor: GpioLineWiring; readonly feedback: GpioInputWiring; readonly pulseMs: number } | null;
  readonly residualCurrent: {
    readonly acHealthy: GpioInputWiring;
    readonly dcHealthy: GpioInputWiring;
    readonly testCoil: GpioLineWiring;
    readonly selfTestTripWithinMs: number;
    readonly selfTestReleaseWithinMs: number;
  };
  readonly meter: MeterWiring;
  readonly socketTemperature: TemperatureWiring;
  readonly led: LedWiring;
}

/** A safety microcontroller on CAN measures CP/PP, generates the PWM and switches the contactor. */
export interface CoprocessorConnectorWiring {
  readonly connectorId: number;
  readonly hasLock: boolean;
  /** Coil released → main contacts open, worst case, from the contactor's datasheet (docs/reaction-budgets.md). */
  readonly contactorDropOutMs: number;
  readonly meter: MeterWiring;
  readonly led: LedWiring;
}

export interface SimBoardProfile {
  readonly name: string;
  readonly description: string;
  readonly driver: 'sim';
  /** The simulated contactors' mechanical delay (pull-in and drop-out). */
  readonly contactorDropOutMs: number;
}

/** The SoC's hardware watchdog, kicked by the firmware while its control loop is healthy. */
export interface WatchdogWiring {
  /** The Linux watchdog device, e.g. /dev/watchdog. */
  readonly device: string;
}

/**
 * What the installation wires in series with every contactor coil, so that it opens without the
 * firmware (which is then the second line, not the only one). Declared by the board's maker.
 */
export interface CoilInterlocks {
  /** The RCD module's trip output breaks the coil supply. */
  readonly residualCurrentTrip: boolean;
  /** The emergency stop breaks the coil supply. */
  readonly emergencyStop: boolean;
}

export interface DirectBoardProfile {
  readonly name: string;
  readonly description: string;
  readonly driver: 'direct';
  readonly connectors: readonly DirectConnectorWiring[];
  readonly station: StationWiring;
  /** Absent: the firmware warns at start that it is the only line between a trip and the coil. */
  readonly coilInterlocks?: CoilInterlocks;
  readonly watchdog?: WatchdogWiring;
}

export interface CoprocessorBoardProfile {
  readonly name: string;
  readonly description: string;
  readonly driver: 'coprocessor';
  readonly can: {
    readonly interface: string;
    readonly baseId: number;
    readonly heartbeatIntervalMs: number;
    readonly heartbeatTimeoutMs: number;
  };
  readonly connectors: readonly CoprocessorConnectorWiring[];
  readonly station: StationWiring;
  readonly watchdog?: WatchdogWiring;
}

export type BoardProfile = SimBoardProfile | DirectBoardProfile | CoprocessorBoardProfile;
export type BoardDriver = BoardProfile['driver'];
export const BOARD_DRIVERS: readonly BoardDriver[] = ['sim', 'direct', 'coprocessor'];
