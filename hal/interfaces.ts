// The hardware abstraction layer: one typed interface per device kind.
//
// Drivers translate between the wire and these types; they hold no IEC 61851 logic
// (EVerest's rule for its board-support drivers). The controller sees only these types,
// never a pin, a bus or a register. Input devices push their readings (interrupt-driven
// or sampled by the driver itself), so safety logic never awaits a read.

export type Unsubscribe = () => void;
export type Listener<T> = (value: T) => void;

/**
 * A write to a safety output (contactor coil, control-pilot PWM or level, lock motor) that did
 * not reach the hardware. This is the one way a driver reports it: the call that commanded the
 * write throws this error. The app does not catch it: it reaches the fail-safe path (as an actor
 * error when a machine's action made the call, else as an uncaught exception), which opens every
 * contactor through the board's safe-state release and ends the process (app/safety/fail-safe.ts).
 */
export class OutputWriteError extends Error {
  override readonly name = 'OutputWriteError';
  constructor(
    readonly device: string,
    readonly path: string,
    readonly reason: string,
  ) {
    super(`write to ${device} at ${path} failed: ${reason}`);
  }
}

/** What the EVSE drives onto the control pilot. */
export type PilotOutput =
  | { readonly mode: 'high' } // steady +12 V (state X1: no PWM)
  | { readonly mode: 'pwm'; readonly dutyPercent: number } // ±12 V, 1 kHz
  | { readonly mode: 'error' }; // steady −12 V (state F: EVSE not available)

/** Levels measured on the control pilot, in volts. */
export interface PilotLevels {
  readonly positiveV: number;
  /** Low level of the PWM; null while the output is steady (there is no low half to sample). */
  readonly negativeV: number | null;
}

export interface ControlPilot {
  setOutput(output: PilotOutput): void;
  readonly output: PilotOutput;
  read(): PilotLevels;
  onLevels(listener: Listener<PilotLevels>): Unsubscribe;
}

/** Cable current ratings coded by the proximity resistor (IEC 61851-1 Annex B; reference A4). */
export type CableRatingA = 13 | 20 | 32 | 63;

export type ProximityReading =
  | { readonly kind: 'cable'; readonly ratingA: CableRatingA; readonly ohms: number }
  | { readonly kind: 'noCable' }
  | { readonly kind: 'invalid'; readonly ohms: number };

export interface ProximityPilot {
  read(): ProximityReading;
  onChange(listener: Listener<ProximityReading>): Unsubscribe;
}

export type SwitchPosition = 'open' | 'closed';

export interface Contactor {
  close(): void;
  open(): void;
  /** The last command given. */
  readonly commanded: SwitchPosition;
  /** The auxiliary (mirror) contact: where the main contacts really are. */
  readFeedback(): SwitchPosition;
  onFeedback(listener: Listener<SwitchPosition>): Unsubscribe;
}

/** Residual current monitor, RDC-DD style: 30 mA AC and 6 mA smooth DC (IEC 62955). */
export type ResidualCurrentTrip = 'ac' | 'dc';

export interface ResidualCurrentMonitor {
  /** The trip signal now, null when not tripped. */
  readTrip(): ResidualCurrentTrip | null;
  onTrip(listener: Listener<ResidualCurrentTrip | null>): Unsubscribe;
  /** Runs the module's test (injects a test current). Resolves true when the module tripped and recovered as it should. */
  selfTest(): Promise<boolean>;
}

export type LockPosition = 'locked' | 'unlocked';

export interface ConnectorLock {
  lock(): void;
  unlock(): void;
  readonly commanded: LockPosition;
  readFeedback(): LockPosition;
  onFeedback(listener: Listener<LockPosition>): Unsubscribe;
}

export interface PhaseReading {
  readonly voltageV: number;
  readonly currentA: number;
  readonly powerW: number;
}

export interface MeterReading {
  readonly phases: readonly [PhaseReading, PhaseReading, PhaseReading];
  readonly totalPowerW: number;
  readonly frequencyHz: number;
  /** The meter's own import energy register. */
  readonly importEnergyWh: number;
}

export class MeterCommunicationError extends Error {
  override readonly name = 'MeterCommunicationError';
}

export interface EnergyMeter {
  /** One full read of the meter; rejects with MeterCommunicationError when the meter does not answer. */
  read(): Promise<MeterReading>;
}

export interface RfidCard {
  /** Upper-case hex UID, as read. */
  readonly uid: string;
}

export interface RfidReader {
  onCard(listener: Listener<RfidCard>): Unsubscribe;
}

export type TemperatureLocation = 'socket' | 'enclosure';

export interface TemperatureSensor {
  readonly location: TemperatureLocation;
  /** Degrees Celsius; null when the sensor cannot be read. */
  read(): number | null;
  onChange(listener: Listener<number | null>): Unsubscribe;
}

export interface EmergencyStop {
  isPressed(): boolean;
  onChange(listener: Listener<boolean>): Unsubscribe;
}

/** Protective-earth continuity of the supply. */
export interface GroundMonitor {
  isPresent(): boolean;
  onChange(listener: Listener<boolean>): Unsubscribe;
}

export type LedColor = 'off' | 'green' | 'blue' | 'yellow' | 'red' | 'white';
export type LedBlink = 'steady' | 'slow' | 'fast';

export interface StatusLed {
  set(color: LedColor, blink: LedBlink): void;
  readonly color: LedColor;
  readonly blink: LedBlink;
}

/** The driver's display: a few short lines of text. Writes never block. */
export interface Display {
  readonly lineCount: number;
  readonly lineWidth: number;
  show(lines: readonly string[]): void;
  readonly lines: readonly string[];
}

/**
 * The link to a safety co-processor that keeps hard real-time safety off Linux (it opens the
 * contactor by itself). Boards without one have none. A silent co-processor is a fault.
 */
export interface SafetyControllerLink {
  /** Whether its heartbeat arrives on time. */
  isAlive(): boolean;
  onChange(listener: Listener<boolean>): Unsubscribe;
}

export type ConnectorKind = 'socket' | 'tethered';

/** The devices behind one connector (one EVSE outlet). */
export interface ConnectorHardware {
  readonly connectorId: number;
  readonly pilot: ControlPilot;
  /** Only sockets read the cable's proximity resistor; a tethered cable's rating is fixed. */
  readonly proximity: ProximityPilot | null;
  readonly contactor: Contactor;
  readonly residualCurrent: ResidualCurrentMonitor;
  /** Only sockets have a lock. */
  readonly lock: ConnectorLock | null;
  readonly meter: EnergyMeter;
  readonly socketTemperature: TemperatureSensor;
  readonly led: StatusLed;
}

/**
 * How to de-energize the board's safety outputs without the event loop and without the drivers'
 * objects: plain data another thread can receive (a worker's workerData) and the process's last
 * instant can act on (process 'exit'). hal/safe-state.ts carries it out, synchronously.
 */
export interface SafeStateRelease {
  /** Files to write, in order (sysfs GPIO `value` files of coils and lock motors, PWM `duty_cycle`). */
  readonly writes: readonly { readonly path: string; readonly value: string }[];
  /** Simulated board: one Int32 per contactor coil, 1 = energized; releasing stores 0. */
  readonly coils: SharedArrayBuffer | null;
  /** Simulated board: one Int32 per control pilot, 1 = held at state F (−12 V); releasing stores 1. */
  readonly pilots: SharedArrayBuffer | null;
}

/** A hardware watchdog (e.g. /dev/watchdog): resets the SoC unless kicked within its timeout. */
export interface HardwareWatchdog {
  kick(): void;
  /** Disarms it on a clean exit (the magic close 'V'). */
  close(): void;
}

/** Everything one charging station has. */
export interface BoardHardware {
  readonly connectors: readonly ConnectorHardware[];
  readonly rfid: RfidReader;
  readonly enclosureTemperature: TemperatureSensor;
  readonly emergencyStop: EmergencyStop;
  readonly groundMonitor: GroundMonitor;
  readonly display: Display;
  /** Present on boards with a safety co-processor. */
  readonly safetyController?: SafetyControllerLink;
  /** Every contactor open and every pilot at state F, without the drivers (see SafeStateRelease). */
  readonly safeState: SafeStateRelease;
  close(): Promise<void>;
}
