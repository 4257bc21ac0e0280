import { ProtocolError } from './protocol-error.ts';

/** The all-zero uuid, Kafka's "no id" value (e.g. a topic id on versions without topic ids). */
export const ZERO_UUID = '00000000-0000-0000-0000-000000000000';

const HEX: string[] = [];
for (let i = 0; i < 256; i++) HEX.push(i.toString(16).padStart(2, '0'));

const TWO_POW_32 = 2 ** 32;

/**
 * Sequential reader over one Kafka frame. Every read is bounds-checked and throws a ProtocolError
 * ('TRUNCATED', 'INVALID_LENGTH', ...) instead of returning garbage, so a malformed request can be
 * rejected without crashing the server.
 *
 * `bytes` and `records` values are zero-copy views into the underlying buffer: they stay valid as
 * long as the caller does not overwrite that buffer.
 */
export class Reader {
  readonly buf: Buffer;
  offset: number;
  readonly end: number;

  constructor(buf: Buffer, offset = 0, end = buf.length) {
    this.buf = buf;
    this.offset = offset;
    this.end = end;
  }

  remaining(): number {
    return this.end - this.offset;
  }

  /** Advances past `n` bytes and returns where they started. */
  private take(n: number): number {
    const start = this.offset;
    if (n > this.end - start) {
      throw new ProtocolError(
        'TRUNCATED',
        `needed ${n} bytes at offset ${start}, only ${this.end - start} left`,
      );
    }
    this.offset = start + n;
    return start;
  }

  skip(n: number): void {
    if (n < 0) throw new ProtocolError('INVALID_LENGTH', `cannot skip ${n} bytes`);
    this.take(n);
  }

  /** A zero-copy view of the next `n` bytes. */
  raw(n: number): Buffer {
    const start = this.take(n);
    return this.buf.subarray(start, start + n);
  }

  int8(): number {
    return this.buf.readInt8(this.take(1));
  }

  int16(): number {
    return this.buf.readInt16BE(this.take(2));
  }

  int32(): number {
    return this.buf.readInt32BE(this.take(4));
  }

  uint16(): number {
    return this.buf.readUInt16BE(this.take(2));
  }

  uint32(): number {
    return this.buf.readUInt32BE(this.take(4));
  }

  int64(): bigint {
    return this.buf.readBigInt64BE(this.take(8));
  }

  float64(): number {
    return this.buf.readDoubleBE(this.take(8));
  }

  bool(): boolean {
    return this.buf[this.take(1)] !== 0;
  }

  uuid(): string {
    const s = this.take(16);
    const b = this.buf;
    let out = '';
    for (let i = 0; i < 16; i++) {
      if (i === 4 || i === 6 || i === 8 || i === 10) out += '-';
      out += HEX[b[s + i]];
    }
    return out;
  }

  /** Unsigned LEB128, at most 5 bytes (a uint32). */
  unsignedVarint(): number {
    const b = this.buf;
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (this.offset >= this.end) {
        throw new ProtocolError('TRUNCATED', `varint runs past the end at offset ${this.offset}`);
      }
      const byte = b[this.offset++];
      // Multiplication instead of << keeps bit 31 from turning the number negative.
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) {
        if (value >= TWO_POW_32) break;
        return value;
      }
    }
    throw new ProtocolError(
      'INVALID_VARINT',
      `varint longer than 5 bytes at offset ${this.offset}`,
    );
  }

  /** Zigzag-encoded signed int32. */
  varint(): number {
    const u = this.unsignedVarint();
    // u is a uint32 in a double; `>>> 0`/`| 0` keep the arithmetic in 32 bits.
    return ((u >>> 1) ^ -(u & 1)) | 0;
  }

  /** Zigzag-encoded signed int64, at most 10 bytes. */
  varlong(): bigint {
    const b = this.buf;
    let value = 0;
    let shift = 0;
    // Fast path in doubles while the value fits 49 bits (7 groups); most varlongs are small deltas.
    while (shift < 49) {
      if (this.offset >= this.end) {
        throw new ProtocolError('TRUNCATED', `varlong runs past the end at offset ${this.offset}`);
      }
      const byte = b[this.offset++];
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) {
        const half = Math.floor(value / 2);
        return BigInt(value % 2 === 0 ? half : -half - 1);
      }
      shift += 7;
    }
    let big = BigInt(value);
    while (shift < 70) {
      if (this.offset >= this.end) {
        throw new ProtocolError('TRUNCATED', `varlong runs past the end at offset ${this.offset}`);
      }
      const byte = b[this.offset++];
      big |= BigInt(byte & 0x7f) << BigInt(shift);
      if ((byte & 0x80) === 0) {
        big = BigInt.asUintN(64, big);
        return BigInt.asIntN(64, (big >> 1n) ^ -(big & 1n));
      }
      shift += 7;
    }
    throw new ProtocolError(
      'INVALID_VARINT',
      `varlong longer than 10 bytes at offset ${this.offset}`,
    );
  }

  private utf8(length: number): string {
    const start = this.take(length);
    return this.buf.toString('utf8', start, start + length);
  }

  /** INT16 length + UTF-8; a null (-1) is a protocol error. */
  string(): string {
    const n = this.int16();
    if (n < 0) throw this.badLength(n, 'string');
    return this.utf8(n);
  }

  nullableString(): string | null {
    const n = this.int16();
    if (n === -1) return null;
    if (n < 0) throw this.badLength(n, 'string');
    return this.utf8(n);
  }

  /** Unsigned varint (length + 1) + UTF-8; 0 (null) is a protocol error. */
  compactString(): string {
    const n = this.unsignedVarint() - 1;
    if (n < 0) throw this.badLength(n, 'compact string');
    return this.utf8(n);
  }

  compactNullableString(): string | null {
    const n = this.unsignedVarint() - 1;
    if (n < 0) return null;
    return this.utf8(n);
  }

  /** INT32 length + bytes (zero-copy view). */
  bytes(): Buffer {
    const n = this.int32();
    if (n < 0) throw this.badLength(n, 'bytes');
    return this.raw(n);
  }

  nullableBytes(): Buffer | null {
    const n = this.int32();
    if (n === -1) return null;
    if (n < 0) throw this.badLength(n, 'bytes');
    return this.raw(n);
  }

  compactBytes(): Buffer {
    const n = this.unsignedVarint() - 1;
    if (n < 0) throw this.badLength(n, 'compact bytes');
    return this.raw(n);
  }

  compactNullableBytes(): Buffer | null {
    const n = this.unsignedVarint() - 1;
    if (n < 0) return null;
    return this.raw(n);
  }

  /**
   * INT32 element count, -1 for null. Counts larger than the bytes left are rejected up front:
   * every element takes at least one byte, and a hostile count must not make us loop or allocate.
   */
  arrayLength(): number {
    const n = this.int32();
    if (n < -1) throw this.badLength(n, 'array');
    if (n > this.end - this.offset) throw this.tooMany(n);
    return n;
  }

  /** Unsigned varint (count + 1), -1 for null; same sanity check as arrayLength. */
  compactArrayLength(): number {
    const n = this.unsignedVarint() - 1;
    if (n > this.end - this.offset) throw this.tooMany(n);
    return n;
  }

  /** Skips a whole tagged-field section (count, then tag/size/value triples). */
  skipTaggedFields(): void {
    const count = this.unsignedVarint();
    for (let i = 0; i < count; i++) {
      this.unsignedVarint();
      this.skip(this.unsignedVarint());
    }
  }

  private badLength(n: number, what: string): ProtocolError {
    if (n === -1)
      return new ProtocolError('NULL_NOT_ALLOWED', `null ${what} where a value is required`);
    return new ProtocolError('INVALID_LENGTH', `invalid ${what} length ${n} at ${this.offset}`);
  }

  private tooMany(n: number): ProtocolError {
    return new ProtocolError(
      'TRUNCATED',
      `array of ${n} elements cannot fit in the ${this.end - this.offset} bytes left`,
    );
  }
}
