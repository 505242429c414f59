/**
 * A set of texts asked about UTF-8 bytes where they lie: a foreign key's values (the airports'
 * codes), looked up twice a row without a string made. `has` is true exactly when the set holds
 * the bytes' text, trimmed of spaces as the job compares codes: a value with spaces at either end
 * is never found here (the caller trims and asks the Set itself), nor is one that does not survive
 * UTF-8 both ways (a lone surrogate), which no decoded file holds.
 *
 * Values of 1 to 3 bytes (an IATA code) are kept as one number each, their length and bytes, in a
 * table of numbers; longer ones (and the empty one) by their bytes. Both tables are open
 * addressing, with at least twice the slots they have values.
 */
export class ByteSet {
  /** Slots holding a short value's number, or 0: no short value's number is 0. */
  private readonly short: Int32Array;
  private readonly shortShift: number;
  private readonly bytes: Buffer;
  private readonly starts: Int32Array;
  /** Slots holding a long value's index plus one, or 0. */
  private readonly long: Int32Array;
  private readonly longMask: number;

  constructor(values: Iterable<string>) {
    const short: number[] = [];
    const long: Buffer[] = [];
    for (const value of values) {
      const bytes = Buffer.from(value, 'utf8');
      if (value.startsWith(' ') || value.endsWith(' ') || bytes.toString('utf8') !== value) continue;
      if (bytes.length >= 1 && bytes.length <= 3) short.push(packed(bytes, 0, bytes.length));
      else long.push(bytes);
    }
    const bits = slotBits(short.length);
    this.short = new Int32Array(1 << bits);
    this.shortShift = 32 - bits;
    for (const key of short) {
      let slot = spread(key) >>> this.shortShift;
      while (this.short[slot] !== 0 && this.short[slot] !== key) slot = (slot + 1) & (this.short.length - 1);
      this.short[slot] = key;
    }
    this.bytes = Buffer.concat(long);
    this.starts = new Int32Array(long.length + 1);
    for (let i = 0; i < long.length; i += 1) this.starts[i + 1] = this.starts[i]! + long[i]!.length;
    this.long = new Int32Array(1 << slotBits(long.length));
    this.longMask = this.long.length - 1;
    for (let i = 0; i < long.length; i += 1) {
      const start = this.starts[i]!;
      const end = this.starts[i + 1]!;
      if (this.findLong(this.bytes, start, end) >= 0) continue;
      let slot = hash(this.bytes, start, end) & this.longMask;
      while (this.long[slot] !== 0) slot = (slot + 1) & this.longMask;
      this.long[slot] = i + 1;
    }
  }

  has(bytes: Uint8Array, start: number, end: number): boolean {
    const length = end - start;
    if (length < 1 || length > 3) return this.findLong(bytes, start, end) >= 0;
    const key = packed(bytes, start, end);
    const mask = this.short.length - 1;
    for (let slot = spread(key) >>> this.shortShift; ; slot = (slot + 1) & mask) {
      const held = this.short[slot]!;
      if (held === key) return true;
      if (held === 0) return false;
    }
  }

  /** The long value holding these bytes, or -1. */
  private findLong(bytes: Uint8Array, start: number, end: number): number {
    const length = end - start;
    for (let slot = hash(bytes, start, end) & this.longMask; ; slot = (slot + 1) & this.longMask) {
      const entry = this.long[slot]! - 1;
      if (entry < 0) return -1;
      const from = this.starts[entry]!;
      if (this.starts[entry + 1]! - from !== length) continue;
      let same = true;
      for (let k = 0; k < length && same; k += 1) same = this.bytes[from + k] === bytes[start + k];
      if (same) return entry;
    }
  }
}

/** Bits of a table with at least twice as many slots as values, and 16 at least. */
function slotBits(values: number): number {
  let bits = 4;
  while (1 << bits < values * 2) bits += 1;
  return bits;
}

/** A value of 1 to 3 bytes as one number: its length above its bytes. */
function packed(bytes: Uint8Array, start: number, end: number): number {
  let key = (end - start) << 24;
  for (let at = start, shift = 16; at < end; at += 1, shift -= 8) key |= bytes[at]! << shift;
  return key;
}

/** Fibonacci hashing: the high bits of the product are the slot. */
function spread(key: number): number {
  return Math.imul(key, 0x9e3779b1);
}

/** FNV-1a, 32 bits. */
function hash(bytes: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let at = start; at < end; at += 1) h = Math.imul(h ^ bytes[at]!, 0x01000193);
  return h >>> 0;
}
