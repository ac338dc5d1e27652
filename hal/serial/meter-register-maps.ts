// Where each supported meter keeps the quantities a MeterReading needs, and how they are encoded.
// Data only; hal/serial/register-codec.ts plans the reads and decodes the answers.
//
// Register addresses are the protocol (0-based) addresses sent on the wire, not the "30001"
// style register numbers of the manuals (register number 30001 is input address 0x0000).

export type MeterModel = 'sdm630' | 'abb-b23';

export const METER_MODELS: readonly MeterModel[] = ['sdm630', 'abb-b23'];

/**
 * How one value is stored. Multi-register values are big-endian, high word first (both maps).
 * uint64 values are converted to a JavaScript number, exact up to 2^53.
 */
export type RegisterEncoding = 'float32' | 'uint16' | 'int16' | 'uint32' | 'int32' | 'uint64';

export interface RegisterField {
  readonly address: number;
  readonly encoding: RegisterEncoding;
  /** Multiply the raw value by this to get the firmware's unit (V, A, W, Hz, Wh). */
  readonly scale: number;
}

export type MeterQuantity =
  | 'voltageL1' | 'voltageL2' | 'voltageL3'
  | 'currentL1' | 'currentL2' | 'currentL3'
  | 'powerL1' | 'powerL2' | 'powerL3'
  | 'totalPower' | 'frequency' | 'importEnergy';

export const PHASE_QUANTITIES = [
  { voltage: 'voltageL1', current: 'currentL1', power: 'powerL1' },
  { voltage: 'voltageL2', current: 'currentL2', power: 'powerL2' },
  { voltage: 'voltageL3', current: 'currentL3', power: 'powerL3' },
] as const satisfies readonly { voltage: MeterQuantity; current: MeterQuantity; power: MeterQuantity }[];

export interface MeterRegisterMap {
  readonly model: MeterModel;
  readonly description: string;
  /** 4: read input registers; 3: read holding registers. */
  readonly functionCode: 3 | 4;
  /** The most registers the meter answers in one request. */
  readonly maxRegistersPerRequest: number;
  /**
   * Address ranges [first, end) that the meter documents, so a read may span them.
   * One request never spans registers outside these (a meter may answer exception 02 there).
   */
  readonly readableRanges: readonly (readonly [number, number])[];
  /** The meter answers all ones (0xFFFF…; 0x7FFF… when signed) for a value it cannot give. */
  readonly allOnesIsInvalid: boolean;
  readonly fields: Readonly<Record<MeterQuantity, RegisterField>>;
}

const float = (address: number, scale = 1): RegisterField => ({ address, encoding: 'float32', scale });

/**
 * Eastron SDM630-Modbus (V2, and the MID / MCT variants keep the same map).
 * Source: Eastron "SDM630 Modbus Protocol" (V1.8), table "Modbus Protocol Input Registers",
 * function code 04; every parameter is an IEEE-754 float in two registers, high word first.
 *   30001/03/05 (0x0000/02/04) phase 1–3 line-to-neutral volts
 *   30007/09/11 (0x0006/08/0A) phase 1–3 current, A
 *   30013/15/17 (0x000C/0E/10) phase 1–3 active power, W
 *   30053 (0x0034) total system power, W
 *   30071 (0x0046) frequency of supply, Hz
 *   30073 (0x0048) import active energy, kWh
 * The same document limits one request to 40 parameters (80 registers). Only the parameters it
 * lists are in readableRanges (it leaves gaps, e.g. 30045, 30051, 30055), so this map is read in
 * three requests: 0x0000×18, 0x0034×2, 0x0046×4.
 */
export const SDM630: MeterRegisterMap = {
  model: 'sdm630',
  description: 'Eastron SDM630 (input registers, float32)',
  functionCode: 4,
  maxRegistersPerRequest: 80,
  allOnesIsInvalid: false,
  readableRanges: [
    [0x0000, 0x002c], // 30001–30043: per-phase V, I, P, VA, VAr, PF, angle; average L-N volts
    [0x002e, 0x0032], // 30047–30049: average line current, sum of line currents
    [0x0034, 0x0036], // 30053: total system power
    [0x0038, 0x003a], // 30057: total system VA
    [0x003c, 0x0040], // 30061–30063: total system VAr, total power factor
    [0x0042, 0x0044], // 30067: total phase angle
    [0x0046, 0x004c], // 30071–30075: frequency, import kWh, export kWh
  ],
  fields: {
    voltageL1: float(0x0000), voltageL2: float(0x0002), voltageL3: float(0x0004),
    currentL1: float(0x0006), currentL2: float(0x0008), currentL3: float(0x000a),
    powerL1: float(0x000c), powerL2: float(0x000e), powerL3: float(0x0010),
    totalPower: float(0x0034),
    frequency: float(0x0046),
    importEnergy: float(0x0048, 1000), // kWh → Wh
  },
};

/**
 * ABB B23 (3-phase; the 1-phase B21 and the B24 share the map). Chosen as the second model
 * because it differs from the Eastron meters in every way the driver has to handle: holding
 * registers (function code 03), scaled integers instead of floats, a 64-bit energy register.
 * Source: ABB "B21/B23/B24 User Manual" (2CMC485003M0201), chapter "Communication with Modbus",
 * tables "Energy accumulators" and "Instantaneous values":
 *   0x5B00/02/04 voltage L1–L3 to N, uint32, 0.1 V
 *   0x5B0C/0E/10 current L1–L3, uint32, 0.01 A
 *   0x5B14 active power total, 0x5B16/18/1A active power L1–L3, int32, 0.01 W
 *   0x5B2C frequency, uint16, 0.01 Hz
 *   0x5000 active import energy, uint64, 0.01 kWh
 * Every register from 0x5B00 to 0x5B2C is defined (L-L voltages, neutral current, reactive and
 * apparent powers lie in between), so the instantaneous values are one request of 45 registers
 * and the whole read is two requests. The meter marks a value it cannot give with all ones
 * (0xFFFF…, or 0x7FFF… for signed values), which the codec rejects as invalid. 100 registers
 * per request is a limit of our own, under Modbus's 125, not one taken from the manual.
 */
export const ABB_B23: MeterRegisterMap = {
  model: 'abb-b23',
  description: 'ABB B23 (holding registers, scaled integers)',
  functionCode: 3,
  maxRegistersPerRequest: 100,
  allOnesIsInvalid: true,
  readableRanges: [
    [0x5000, 0x5004], // active import energy
    [0x5b00, 0x5b2d], // instantaneous values up to frequency
  ],
  fields: {
    voltageL1: { address: 0x5b00, encoding: 'uint32', scale: 0.1 },
    voltageL2: { address: 0x5b02, encoding: 'uint32', scale: 0.1 },
    voltageL3: { address: 0x5b04, encoding: 'uint32', scale: 0.1 },
    currentL1: { address: 0x5b0c, encoding: 'uint32', scale: 0.01 },
    currentL2: { address: 0x5b0e, encoding: 'uint32', scale: 0.01 },
    currentL3: { address: 0x5b10, encoding: 'uint32', scale: 0.01 },
    totalPower: { address: 0x5b14, encoding: 'int32', scale: 0.01 },
    powerL1: { address: 0x5b16, encoding: 'int32', scale: 0.01 },
    powerL2: { address: 0x5b18, encoding: 'int32', scale: 0.01 },
    powerL3: { address: 0x5b1a, encoding: 'int32', scale: 0.01 },
    frequency: { address: 0x5b2c, encoding: 'uint16', scale: 0.01 },
    importEnergy: { address: 0x5000, encoding: 'uint64', scale: 10 }, // 0.01 kWh → Wh
  },
};

export const METER_REGISTER_MAPS: Readonly<Record<MeterModel, MeterRegisterMap>> = {
  sdm630: SDM630,
  'abb-b23': ABB_B23,
};
