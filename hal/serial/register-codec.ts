// Plans the Modbus reads for a register map and converts between register bytes and values.
// Pure functions: the meter driver decodes with them, the meter simulator encodes with them.

import type { MeterQuantity, MeterRegisterMap, RegisterEncoding, RegisterField } from './meter-register-maps.js';

/** One read request: `count` registers from `start`, holding `quantities`. */
export interface ReadBlock {
  readonly start: number;
  readonly count: number;
  readonly quantities: readonly MeterQuantity[];
}

export function registerCount(encoding: RegisterEncoding): number {
  switch (encoding) {
    case 'uint16':
    case 'int16':
      return 1;
    case 'float32':
    case 'uint32':
    case 'int32':
      return 2;
    case 'uint64':
      return 4;
  }
}

/** Whether every register of [start, end) lies in the map's readable ranges. */
export function isReadable(map: MeterRegisterMap, start: number, end: number): boolean {
  let position = start;
  while (position < end) {
    const range = map.readableRanges.find(([first, last]) => first <= position && position < last);
    if (!range) return false;
    position = range[1];
  }
  return true;
}

/**
 * Groups the quantities into as few requests as the map allows: a request grows while the
 * registers it spans are all readable and it stays within maxRegistersPerRequest.
 */
export function planReads(map: MeterRegisterMap, quantities: readonly MeterQuantity[]): ReadBlock[] {
  const sorted = [...new Set(quantities)].sort((a, b) => map.fields[a].address - map.fields[b].address);
  const blocks: { start: number; end: number; quantities: MeterQuantity[] }[] = [];
  for (const quantity of sorted) {
    const field = map.fields[quantity];
    const start = field.address;
    const end = start + registerCount(field.encoding);
    const last = blocks.at(-1);
    const end2 = last ? Math.max(last.end, end) : end;
    if (last && end2 - last.start <= map.maxRegistersPerRequest && isReadable(map, last.start, end2)) {
      last.end = end2;
      last.quantities.push(quantity);
    } else {
      blocks.push({ start, end, quantities: [quantity] });
    }
  }
  return blocks.map(({ start, end, quantities: q }) => ({ start, count: end - start, quantities: q }));
}

/** The raw value at `offset` bytes into `bytes`, or null when the meter marks it invalid. */
function readRaw(bytes: Buffer, offset: number, encoding: RegisterEncoding, allOnesIsInvalid: boolean): number | null {
  switch (encoding) {
    case 'float32': {
      const value = bytes.readFloatBE(offset);
      return Number.isFinite(value) ? value : null;
    }
    case 'uint16': {
      const value = bytes.readUInt16BE(offset);
      return allOnesIsInvalid && value === 0xffff ? null : value;
    }
    case 'int16': {
      const value = bytes.readInt16BE(offset);
      return allOnesIsInvalid && value === 0x7fff ? null : value;
    }
    case 'uint32': {
      const value = bytes.readUInt32BE(offset);
      return allOnesIsInvalid && value === 0xffffffff ? null : value;
    }
    case 'int32': {
      const value = bytes.readInt32BE(offset);
      return allOnesIsInvalid && value === 0x7fffffff ? null : value;
    }
    case 'uint64': {
      const value = bytes.readBigUInt64BE(offset);
      return allOnesIsInvalid && value === 0xffffffffffffffffn ? null : Number(value);
    }
  }
}

/**
 * Decodes the quantities of one block from the register bytes the meter answered
 * (2 bytes per register, from block.start). Null for a value the meter marks invalid.
 */
export function decodeBlock(map: MeterRegisterMap, block: ReadBlock, bytes: Buffer): Map<MeterQuantity, number | null> {
  if (bytes.length < block.count * 2) {
    throw new RangeError(`expected ${block.count * 2} data bytes, got ${bytes.length}`);
  }
  const values = new Map<MeterQuantity, number | null>();
  for (const quantity of block.quantities) {
    const field = map.fields[quantity];
    const raw = readRaw(bytes, (field.address - block.start) * 2, field.encoding, map.allOnesIsInvalid);
    values.set(quantity, raw === null ? null : toUnit(raw, field));
  }
  return values;
}

/**
 * Scales a raw value to the firmware's unit, without binary noise: a float32 carries about 7
 * significant digits (230.1 V arrives as 230.100006…), and 2301 × 0.1 is 230.10000000000002.
 * Results are kept to a thousandth of the unit (mV, mA, mW, mHz, mWh).
 */
function toUnit(raw: number, field: RegisterField): number {
  const value = field.encoding === 'float32' ? Number(raw.toPrecision(7)) : raw;
  const scaled = field.scale < 1 ? value / Math.round(1 / field.scale) : value * field.scale;
  return Math.round(scaled * 1000) / 1000;
}

/** The registers (as bytes, big-endian) that hold `value`, in the field's unit. */
export function encodeField(field: RegisterField, value: number): Buffer {
  const raw = value / field.scale;
  const bytes = Buffer.alloc(registerCount(field.encoding) * 2);
  const integer = Math.round(raw);
  switch (field.encoding) {
    case 'float32':
      bytes.writeFloatBE(raw);
      break;
    case 'uint16':
      bytes.writeUInt16BE(clamp(integer, 0, 0xffff));
      break;
    case 'int16':
      bytes.writeInt16BE(clamp(integer, -0x8000, 0x7fff));
      break;
    case 'uint32':
      bytes.writeUInt32BE(clamp(integer, 0, 0xffffffff));
      break;
    case 'int32':
      bytes.writeInt32BE(clamp(integer, -0x80000000, 0x7fffffff));
      break;
    case 'uint64':
      bytes.writeBigUInt64BE(BigInt(Math.max(0, integer)));
      break;
  }
  return bytes;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
