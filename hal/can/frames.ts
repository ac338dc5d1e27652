// The CAN frames between the Linux app and the safety co-processor (docs/can-coprocessor-protocol.md):
// pure, typed encode and decode. No I/O and no timing here; the counter rule's bookkeeping is the
// small CounterTracker at the end.
//
// Every frame: classic CAN, 11-bit id = base id + kind offset (+ connector slot), DLC 8,
// little-endian fields in bytes 0–5, byte 6 a rolling counter, byte 7 a CRC-8/SAE-J1850 over the
// id (2 bytes, little-endian) and bytes 0–6.

import type { LockPosition, PilotOutput, ResidualCurrentTrip, SwitchPosition } from '../interfaces.js';

export const PROTOCOL_VERSION = 1;
export const FRAME_DLC = 8;
export const COUNTER_BYTE = 6;
export const CRC_BYTE = 7;
/** Connectors one co-processor serves; connector N uses slot N − 1 of each per-connector kind. */
export const MAX_CONNECTORS = 8;
/** Ids the protocol uses above the base id (0x00–0x4F). */
export const ID_SPAN = 0x50;
/** The highest base id that keeps every frame id within 11 bits. */
export const MAX_BASE_ID = 0x7ff - (ID_SPAN - 1);

export type FrameSender = 'app' | 'mcu';

/** Offsets from the base id. Lower ids win arbitration: the MCU's status (mirror contact, RCD, faults) first. */
export const FRAME_LAYOUT = {
  status: { offset: 0x00, perConnector: true, from: 'mcu' },
  mcuHeartbeat: { offset: 0x08, perConnector: false, from: 'mcu' },
  appHeartbeat: { offset: 0x09, perConnector: false, from: 'app' },
  pilotCommand: { offset: 0x10, perConnector: true, from: 'app' },
  powerCommand: { offset: 0x18, perConnector: true, from: 'app' },
  lockCommand: { offset: 0x20, perConnector: true, from: 'app' },
  rcdTestCommand: { offset: 0x28, perConnector: true, from: 'app' },
  pilotLevels: { offset: 0x30, perConnector: true, from: 'mcu' },
  proximity: { offset: 0x38, perConnector: true, from: 'mcu' },
  temperature: { offset: 0x40, perConnector: true, from: 'mcu' },
  rcdTestResult: { offset: 0x48, perConnector: true, from: 'mcu' },
} as const satisfies Record<string, { offset: number; perConnector: boolean; from: FrameSender }>;

export type FrameKind = keyof typeof FRAME_LAYOUT;
export const FRAME_KINDS = Object.keys(FRAME_LAYOUT) as FrameKind[];

/** Fault flags in the status frame (u16). Bits 11–15 are reserved: sent as 0, kept but unnamed on receipt. */
export const FAULT_FLAGS = {
  /** The MCU opened because CP left C/D while the contactor was driven. */
  cpNotChargingWhilePowered: 1 << 0,
  /** The MCU opened on an RCD trip (AC or DC). */
  residualCurrentTrip: 1 << 1,
  /** The MCU's own hard limit (80 °C) was reached: it opened. */
  overTemperature: 1 << 2,
  /** The mirror contact stayed closed 200 ms after the coil was released. */
  contactorWelded: 1 << 3,
  /** The mirror contact stayed open 200 ms after the coil was energised: the MCU released it. */
  contactorNotClosed: 1 << 4,
  /** The app's heartbeat stopped (or the app said it is stopping): the MCU went to its safe state. */
  appWatchdog: 1 << 5,
  /** The CP generator or its measurement does not match what is driven (e.g. −12 V not reached in F). */
  pilotFault: 1 << 6,
  /** The socket temperature sensor cannot be read: the MCU opened. */
  temperatureSensor: 1 << 7,
  /** The lock did not reach the commanded position within 1 s. */
  lockFault: 1 << 8,
  /** The last RCD self-test failed. */
  residualCurrentSelfTest: 1 << 9,
  /** The MCU's own self-check (RAM, ADC reference, clock) failed: it stays safe until reset. */
  mcuInternal: 1 << 10,
} as const;

export type FaultFlagName = keyof typeof FAULT_FLAGS;

export function faultFlagNames(flags: number): FaultFlagName[] {
  return (Object.keys(FAULT_FLAGS) as FaultFlagName[]).filter((name) => (flags & FAULT_FLAGS[name]) !== 0);
}

/** The MCU's state in its heartbeat. */
export type McuState = 'booting' | 'running' | 'safe' | 'fault';
const MCU_STATES: readonly McuState[] = ['booting', 'running', 'safe', 'fault'];

/** The app's state in its heartbeat; 'stopping' sends the MCU to its safe state at once. */
export type AppState = 'running' | 'stopping';
const APP_STATES: Readonly<Record<number, AppState>> = { 1: 'running', 2: 'stopping' };

export type RcdTestResult = 'passed' | 'noTrip' | 'noRecovery' | 'refused';
const RCD_TEST_RESULTS: readonly RcdTestResult[] = ['passed', 'noTrip', 'noRecovery', 'refused'];

export interface AppHeartbeat {
  readonly kind: 'appHeartbeat';
  readonly state: AppState;
  /** Asks the MCU to send every report within its next cycle (the app has just regained the link). */
  readonly requestReports: boolean;
}

export interface McuHeartbeat {
  readonly kind: 'mcuHeartbeat';
  /** Milliseconds since the MCU started, u32 (wraps after 49.7 days). */
  readonly uptimeMs: number;
  readonly state: McuState;
  readonly protocolVersion: number;
  /** The counter of the last app heartbeat the MCU accepted. */
  readonly appCounterEcho: number;
}

export interface PilotCommand {
  readonly kind: 'pilotCommand';
  readonly connectorId: number;
  readonly output: PilotOutput;
}

export interface PowerCommand {
  readonly kind: 'powerCommand';
  readonly connectorId: number;
  /** The contactor may close (the MCU still checks CP C/D, RCD, temperature). */
  readonly allow: boolean;
}

export interface LockCommand {
  readonly kind: 'lockCommand';
  readonly connectorId: number;
  readonly position: LockPosition;
}

export interface RcdTestCommand {
  readonly kind: 'rcdTestCommand';
  readonly connectorId: number;
  /** Echoed in the result, so a late result is never taken for a newer request. */
  readonly sequence: number;
}

export interface StatusReport {
  readonly kind: 'status';
  readonly connectorId: number;
  /** FAULT_FLAGS bits. */
  readonly faults: number;
  readonly contactorMirror: SwitchPosition;
  /** The MCU energises the contactor coil. */
  readonly contactorDrive: boolean;
  /** The app's allow-power is in effect (received, acknowledged after a self-opening, not vetoed). */
  readonly powerAllowed: boolean;
  /** Lock feedback; null on a connector without a lock. */
  readonly lock: LockPosition | null;
  readonly residualCurrent: ResidualCurrentTrip | null;
  /** What the MCU drives on CP now. */
  readonly pilotOutput: PilotOutput;
}

export interface PilotLevelsReport {
  readonly kind: 'pilotLevels';
  readonly connectorId: number;
  readonly highMv: number;
  /** Null while the output is steady (no low half to sample). */
  readonly lowMv: number | null;
}

export interface ProximityReport {
  readonly kind: 'proximity';
  readonly connectorId: number;
  /** PP–PE resistance; Infinity for an open circuit (no cable). */
  readonly ohms: number;
}

export interface TemperatureReport {
  readonly kind: 'temperature';
  readonly connectorId: number;
  /** Null when the sensor cannot be read. */
  readonly celsius: number | null;
}

export interface RcdTestResultReport {
  readonly kind: 'rcdTestResult';
  readonly connectorId: number;
  readonly sequence: number;
  readonly result: RcdTestResult;
}

export type AppFrame = AppHeartbeat | PilotCommand | PowerCommand | LockCommand | RcdTestCommand;
export type McuFrame = McuHeartbeat | StatusReport | PilotLevelsReport | ProximityReport | TemperatureReport | RcdTestResultReport;
export type Payload = AppFrame | McuFrame;

/** A classic CAN frame as the socketcan package hands it over (11-bit id, DLC = data.length). */
export interface CanFrame {
  readonly id: number;
  readonly data: Buffer;
}

export type FrameError =
  /** Not in this co-processor's id range (another node's traffic): ignored, not an error. */
  | 'foreign'
  /** In the range, but no frame kind has this id. */
  | 'unknownId'
  | 'dlc'
  | 'crc'
  /** A field holds a value the protocol does not define. */
  | 'value'
  /** An MCU heartbeat of another protocol version. */
  | 'version';

export type DecodeResult =
  | { readonly ok: true; readonly payload: Payload; readonly counter: number }
  | { readonly ok: false; readonly error: FrameError; readonly detail: string };

// —— CRC-8/SAE-J1850: poly 0x1D, init 0xFF, no reflection, xorout 0xFF (AUTOSAR Crc_CalculateCRC8) ——

const CRC_TABLE = (() => {
  const table = new Uint8Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x80 ? ((crc << 1) ^ 0x1d) & 0xff : (crc << 1) & 0xff;
    table[i] = crc;
  }
  return table;
})();

export function crc8SaeJ1850(bytes: Iterable<number>, init = 0xff): number {
  let crc = init;
  for (const byte of bytes) crc = CRC_TABLE[(crc ^ byte) & 0xff]!;
  return crc ^ 0xff;
}

/** The frame CRC: over the id (low byte, high byte) and bytes 0–6, so a payload under a wrong id fails too. */
export function frameCrc(id: number, data: Buffer): number {
  const covered = [id & 0xff, (id >> 8) & 0x07];
  for (let i = 0; i < CRC_BYTE; i++) covered.push(data[i]!);
  return crc8SaeJ1850(covered);
}

// —— ids ——

export function checkBaseId(baseId: number): void {
  if (!Number.isInteger(baseId) || baseId < 0 || baseId > MAX_BASE_ID) {
    throw new RangeError(`CAN base id ${baseId} must be an integer 0x000–0x${MAX_BASE_ID.toString(16)} (frames use base … base + 0x${(ID_SPAN - 1).toString(16)})`);
  }
}

function checkConnectorId(connectorId: number): void {
  if (!Number.isInteger(connectorId) || connectorId < 1 || connectorId > MAX_CONNECTORS) {
    throw new RangeError(`connector id ${connectorId} must be an integer 1–${MAX_CONNECTORS}`);
  }
}

export function frameId(baseId: number, kind: FrameKind, connectorId?: number): number {
  const layout = FRAME_LAYOUT[kind];
  if (!layout.perConnector) return baseId + layout.offset;
  checkConnectorId(connectorId ?? NaN);
  return baseId + layout.offset + (connectorId! - 1);
}

/** The kind and connector an id stands for, or null when no kind has it. */
export function identify(baseId: number, id: number): { kind: FrameKind; connectorId: number | null } | null {
  const offset = id - baseId;
  if (offset < 0 || offset >= ID_SPAN) return null;
  for (const kind of FRAME_KINDS) {
    const layout = FRAME_LAYOUT[kind];
    if (layout.perConnector) {
      if (offset >= layout.offset && offset < layout.offset + MAX_CONNECTORS) return { kind, connectorId: offset - layout.offset + 1 };
    } else if (offset === layout.offset) {
      return { kind, connectorId: null };
    }
  }
  return null;
}

// —— field codecs ——

/** Pilot word (u16): duty in 0.1 % steps 0–1000; 0xFFFF steady +12 V; 0xFFFE steady −12 V (state F). */
export const PILOT_WORD_HIGH = 0xffff;
export const PILOT_WORD_ERROR = 0xfffe;
/** Low level not sampled (steady output); temperature not readable. */
export const INT16_NONE = -0x8000;
/** Proximity open circuit (no cable). */
export const OHMS_OPEN = 0xffff;

export function encodePilotWord(output: PilotOutput): number {
  switch (output.mode) {
    case 'high':
      return PILOT_WORD_HIGH;
    case 'error':
      return PILOT_WORD_ERROR;
    case 'pwm':
      if (!(output.dutyPercent >= 0 && output.dutyPercent <= 100)) {
        throw new RangeError(`PWM duty ${output.dutyPercent} % is outside 0–100 %`);
      }
      return Math.round(output.dutyPercent * 10);
    default:
      throw new TypeError(`unknown pilot output ${JSON.stringify(output)}`);
  }
}

const HIGH: PilotOutput = Object.freeze({ mode: 'high' });
const ERROR: PilotOutput = Object.freeze({ mode: 'error' });

export function decodePilotWord(word: number): PilotOutput | null {
  if (word === PILOT_WORD_HIGH) return HIGH;
  if (word === PILOT_WORD_ERROR) return ERROR;
  if (word <= 1000) return { mode: 'pwm', dutyPercent: word / 10 };
  return null;
}

function int16(value: number, what: string): number {
  const rounded = Math.round(value);
  if (!(rounded > INT16_NONE && rounded <= 0x7fff)) throw new RangeError(`${what} ${value} does not fit the frame (int16, −32767…32767)`);
  return rounded;
}

function byteValue(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 0 || value > 0xff) throw new RangeError(`${what} ${value} must be an integer 0–255`);
  return value;
}

const RCD_CODES: Readonly<Record<'none' | ResidualCurrentTrip, number>> = { none: 0, ac: 1, dc: 2 };

// —— encode ——

/** Encodes one frame; throws RangeError/TypeError on a value the protocol cannot carry. */
export function encodeFrame(baseId: number, payload: Payload, counter: number): CanFrame {
  checkBaseId(baseId);
  byteValue(counter, 'counter');
  const data = Buffer.alloc(FRAME_DLC);
  const connectorId = 'connectorId' in payload ? payload.connectorId : undefined;
  const id = frameId(baseId, payload.kind, connectorId);
  switch (payload.kind) {
    case 'appHeartbeat':
      data[0] = payload.state === 'running' ? 1 : payload.state === 'stopping' ? 2 : fail(`app state ${String(payload.state)}`);
      data[1] = payload.requestReports ? 0x01 : 0;
      break;
    case 'mcuHeartbeat': {
      if (!Number.isInteger(payload.uptimeMs) || payload.uptimeMs < 0) throw new RangeError(`uptime ${payload.uptimeMs} ms must be a whole number ≥ 0`);
      const state = MCU_STATES.indexOf(payload.state);
      if (state < 0) fail(`MCU state ${String(payload.state)}`);
      if (!Number.isInteger(payload.protocolVersion) || payload.protocolVersion < 0 || payload.protocolVersion > 15) fail(`protocol version ${payload.protocolVersion}`);
      data.writeUInt32LE(payload.uptimeMs % 2 ** 32, 0);
      data[4] = state | (payload.protocolVersion << 4);
      data[5] = byteValue(payload.appCounterEcho, 'app counter echo');
      break;
    }
    case 'pilotCommand':
      data.writeUInt16LE(encodePilotWord(payload.output), 0);
      break;
    case 'powerCommand':
      data[0] = payload.allow ? 1 : 0;
      break;
    case 'lockCommand':
      data[0] = payload.position === 'locked' ? 1 : payload.position === 'unlocked' ? 0 : fail(`lock position ${String(payload.position)}`);
      break;
    case 'rcdTestCommand':
      data[0] = byteValue(payload.sequence, 'self-test sequence');
      break;
    case 'status': {
      if (!Number.isInteger(payload.faults) || payload.faults < 0 || payload.faults > 0xffff) fail(`fault flags ${payload.faults}`);
      data.writeUInt16LE(payload.faults, 0);
      data[2] =
        (payload.contactorMirror === 'closed' ? 0x01 : 0) |
        (payload.contactorDrive ? 0x02 : 0) |
        (payload.powerAllowed ? 0x04 : 0) |
        (payload.lock !== null ? 0x08 : 0) |
        (payload.lock === 'locked' ? 0x10 : 0);
      data[3] = RCD_CODES[payload.residualCurrent ?? 'none'] ?? fail(`residual current ${String(payload.residualCurrent)}`);
      data.writeUInt16LE(encodePilotWord(payload.pilotOutput), 4);
      break;
    }
    case 'pilotLevels':
      data.writeInt16LE(int16(payload.highMv, 'CP high level (mV)'), 0);
      data.writeInt16LE(payload.lowMv === null ? INT16_NONE : int16(payload.lowMv, 'CP low level (mV)'), 2);
      break;
    case 'proximity': {
      if (!(payload.ohms >= 0)) fail(`PP resistance ${payload.ohms} Ω`);
      // Anything at or above 65535 Ω reads as open: far outside every cable coding (A4: > 4.5 kΩ is invalid).
      data.writeUInt16LE(payload.ohms >= OHMS_OPEN ? OHMS_OPEN : Math.round(payload.ohms), 0);
      break;
    }
    case 'temperature':
      data.writeInt16LE(payload.celsius === null ? INT16_NONE : int16(payload.celsius * 10, 'temperature (0.1 °C)'), 0);
      break;
    case 'rcdTestResult': {
      data[0] = byteValue(payload.sequence, 'self-test sequence');
      const result = RCD_TEST_RESULTS.indexOf(payload.result);
      data[1] = result >= 0 ? result : fail(`self-test result ${String(payload.result)}`);
      break;
    }
    default:
      throw new TypeError(`unknown frame kind ${JSON.stringify((payload as { kind: unknown }).kind)}`);
  }
  data[COUNTER_BYTE] = counter;
  data[CRC_BYTE] = frameCrc(id, data);
  return { id, data };
}

function fail(what: string): never {
  throw new RangeError(`${what} cannot be encoded`);
}

// —— decode ——

const bad = (error: FrameError, detail: string): DecodeResult => ({ ok: false, error, detail });

/** Decodes one frame received on the bus. Never throws. */
export function decodeFrame(baseId: number, frame: CanFrame): DecodeResult {
  const which = identify(baseId, frame.id);
  if (!which) {
    return frame.id >= baseId && frame.id < baseId + ID_SPAN
      ? bad('unknownId', `no frame has id 0x${frame.id.toString(16)} (offset 0x${(frame.id - baseId).toString(16)})`)
      : bad('foreign', `id 0x${frame.id.toString(16)} is outside 0x${baseId.toString(16)}–0x${(baseId + ID_SPAN - 1).toString(16)}`);
  }
  const { data } = frame;
  if (data.length !== FRAME_DLC) return bad('dlc', `${which.kind} frame with DLC ${data.length} (expected ${FRAME_DLC})`);
  const crc = frameCrc(frame.id, data);
  if (crc !== data[CRC_BYTE]) return bad('crc', `${which.kind} frame CRC 0x${data[CRC_BYTE]!.toString(16)} ≠ 0x${crc.toString(16)}`);
  const counter = data[COUNTER_BYTE]!;
  const connectorId = which.connectorId!;
  const ok = (payload: Payload): DecodeResult => ({ ok: true, payload, counter });
  switch (which.kind) {
    case 'appHeartbeat': {
      const state = APP_STATES[data[0]!];
      return state ? ok({ kind: 'appHeartbeat', state, requestReports: (data[1]! & 0x01) !== 0 }) : bad('value', `app state ${data[0]}`);
    }
    case 'mcuHeartbeat': {
      const version = data[4]! >> 4;
      if (version !== PROTOCOL_VERSION) return bad('version', `MCU speaks protocol version ${version}, this app ${PROTOCOL_VERSION}`);
      const state = MCU_STATES[data[4]! & 0x0f];
      if (!state) return bad('value', `MCU state ${data[4]! & 0x0f}`);
      return ok({ kind: 'mcuHeartbeat', uptimeMs: data.readUInt32LE(0), state, protocolVersion: version, appCounterEcho: data[5]! });
    }
    case 'pilotCommand': {
      const output = decodePilotWord(data.readUInt16LE(0));
      return output ? ok({ kind: 'pilotCommand', connectorId, output }) : bad('value', `pilot word 0x${data.readUInt16LE(0).toString(16)}`);
    }
    case 'powerCommand':
      return data[0]! <= 1 ? ok({ kind: 'powerCommand', connectorId, allow: data[0] === 1 }) : bad('value', `allow-power ${data[0]}`);
    case 'lockCommand':
      return data[0]! <= 1
        ? ok({ kind: 'lockCommand', connectorId, position: data[0] === 1 ? 'locked' : 'unlocked' })
        : bad('value', `lock command ${data[0]}`);
    case 'rcdTestCommand':
      return ok({ kind: 'rcdTestCommand', connectorId, sequence: data[0]! });
    case 'status': {
      const io = data[2]!;
      const rcd = data[3]!;
      if (rcd > 2) return bad('value', `residual current code ${rcd}`);
      const pilotOutput = decodePilotWord(data.readUInt16LE(4));
      if (!pilotOutput) return bad('value', `pilot word 0x${data.readUInt16LE(4).toString(16)}`);
      return ok({
        kind: 'status',
        connectorId,
        faults: data.readUInt16LE(0),
        contactorMirror: io & 0x01 ? 'closed' : 'open',
        contactorDrive: (io & 0x02) !== 0,
        powerAllowed: (io & 0x04) !== 0,
        lock: io & 0x08 ? (io & 0x10 ? 'locked' : 'unlocked') : null,
        residualCurrent: rcd === 1 ? 'ac' : rcd === 2 ? 'dc' : null,
        pilotOutput,
      });
    }
    case 'pilotLevels': {
      const high = data.readInt16LE(0);
      const low = data.readInt16LE(2);
      if (high === INT16_NONE) return bad('value', 'CP high level missing');
      return ok({ kind: 'pilotLevels', connectorId, highMv: high, lowMv: low === INT16_NONE ? null : low });
    }
    case 'proximity': {
      const ohms = data.readUInt16LE(0);
      return ok({ kind: 'proximity', connectorId, ohms: ohms === OHMS_OPEN ? Number.POSITIVE_INFINITY : ohms });
    }
    case 'temperature': {
      const raw = data.readInt16LE(0);
      return ok({ kind: 'temperature', connectorId, celsius: raw === INT16_NONE ? null : raw / 10 });
    }
    case 'rcdTestResult': {
      const result = RCD_TEST_RESULTS[data[1]!];
      return result ? ok({ kind: 'rcdTestResult', connectorId, sequence: data[0]!, result }) : bad('value', `self-test result ${data[1]}`);
    }
  }
}

// —— the counter rule ——

/** A counter may skip at most this many values (lost frames) and still be accepted. */
export const MAX_COUNTER_STEP = 15;

/**
 * - first: no earlier frame with this id: accepted (but an MCU heartbeat needs a successor to prove liveness);
 * - next / skipped: 1, or 2–15, ahead of the previous frame with this id: accepted;
 * - repeated: the same counter again (a stuck transmitter, a replayed frame): dropped;
 * - jump: anything else (stale, out of order, a restarted sender): dropped, and it becomes the
 *   reference, so a restarted sender is accepted from its second frame on.
 */
export type CounterVerdict = 'first' | 'next' | 'skipped' | 'repeated' | 'jump';

export function counterAccepted(verdict: CounterVerdict): boolean {
  return verdict !== 'repeated' && verdict !== 'jump';
}

/** Per-id counter bookkeeping for one receiver. */
export class CounterTracker {
  private readonly last = new Map<number, number>();

  check(id: number, counter: number): CounterVerdict {
    const previous = this.last.get(id);
    this.last.set(id, counter);
    if (previous === undefined) return 'first';
    const step = (counter - previous + 256) % 256;
    if (step === 0) return 'repeated';
    if (step === 1) return 'next';
    if (step <= MAX_COUNTER_STEP) return 'skipped';
    return 'jump';
  }

  reset(): void {
    this.last.clear();
  }
}

/** Per-id counters for one sender: each id counts 0, 1, … 255, 0, … on its own. */
export class CounterSequence {
  private readonly next = new Map<number, number>();

  take(id: number): number {
    const value = this.next.get(id) ?? 0;
    this.next.set(id, (value + 1) & 0xff);
    return value;
  }

  /** The counter the last frame with this id carried (tests replay it). */
  last(id: number): number | undefined {
    const next = this.next.get(id);
    return next === undefined ? undefined : (next + 255) & 0xff;
  }

  reset(): void {
    this.next.clear();
  }
}
