import { ProtocolError } from './protocol-error.ts';

/** Buffers at least this large are referenced, not copied: record batches can be megabytes. */
const ADOPT_THRESHOLD = 4096;
/** Growth is geometric up to this chunk size, then linear: no giant reallocations. */
const MAX_CHUNK = 1 << 20;
const MIN_CHUNK = 1024;

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Growable big-endian writer. Small values go into the current chunk; when it is full a new, larger
 * chunk is started (the old one is kept, not copied). Large buffers handed to `raw` are adopted as
 * chunks of their own, so a multi-megabyte `records` field is copied at most once, in `toBuffer`,
 * and not at all by `toChunks` (for `socket.write` of each chunk / writev).
 *
 * Adopted buffers are referenced: do not modify them until the output has been consumed.
 */
export class Writer {
  private chunks: Buffer[] = [];
  private chunksLength = 0;
  private buf: Buffer;
  /** Start of the region of `buf` not yet moved to `chunks`. */
  private start = 0;
  private pos = 0;

  constructor(initialCapacity = 256) {
    this.buf = Buffer.allocUnsafe(Math.max(16, initialCapacity));
  }

  /** Bytes written so far. */
  get length(): number {
    return this.chunksLength + this.pos - this.start;
  }

  /** Returns the position in `buf` where `n` contiguous bytes may be written. */
  private reserve(n: number): number {
    if (this.pos + n > this.buf.length) this.grow(n);
    const p = this.pos;
    this.pos = p + n;
    return p;
  }

  private grow(n: number): void {
    this.flushCurrent();
    const size = Math.max(n, MIN_CHUNK, Math.min(this.buf.length * 2, MAX_CHUNK));
    this.buf = Buffer.allocUnsafe(size);
    this.start = 0;
    this.pos = 0;
  }

  private flushCurrent(): void {
    if (this.pos > this.start) {
      this.chunks.push(this.buf.subarray(this.start, this.pos));
      this.chunksLength += this.pos - this.start;
    }
    this.start = this.pos;
  }

  int8(v: number): void {
    const p = this.reserve(1);
    this.buf.writeInt8(v, p);
  }

  int16(v: number): void {
    const p = this.reserve(2);
    this.buf.writeInt16BE(v, p);
  }

  int32(v: number): void {
    const p = this.reserve(4);
    this.buf.writeInt32BE(v, p);
  }

  uint16(v: number): void {
    const p = this.reserve(2);
    this.buf.writeUInt16BE(v, p);
  }

  uint32(v: number): void {
    const p = this.reserve(4);
    this.buf.writeUInt32BE(v, p);
  }

  int64(v: bigint): void {
    const p = this.reserve(8);
    this.buf.writeBigInt64BE(v, p);
  }

  float64(v: number): void {
    const p = this.reserve(8);
    this.buf.writeDoubleBE(v, p);
  }

  bool(v: boolean): void {
    const p = this.reserve(1);
    this.buf[p] = v ? 1 : 0;
  }

  uuid(v: string): void {
    if (v.length !== 36 || !UUID_PATTERN.test(v)) {
      throw new ProtocolError('INVALID_UUID', `not a canonical uuid: ${JSON.stringify(v)}`);
    }
    const p = this.reserve(16);
    this.buf.write(v.replace(/-/g, ''), p, 16, 'hex');
  }

  /** Unsigned LEB128 of a uint32. */
  unsignedVarint(v: number): void {
    if (!(v >= 0 && v <= 0xffffffff && Number.isInteger(v))) {
      throw new ProtocolError('INVALID_VARINT', `unsigned varint out of range: ${v}`);
    }
    if (this.pos + 5 > this.buf.length) this.grow(5);
    const b = this.buf;
    let p = this.pos;
    while (v >= 0x80) {
      b[p++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    b[p++] = v;
    this.pos = p;
  }

  /** Zigzag signed int32. */
  varint(v: number): void {
    if (!(v >= -0x80000000 && v <= 0x7fffffff && Number.isInteger(v))) {
      throw new ProtocolError('INVALID_VARINT', `varint out of int32 range: ${v}`);
    }
    this.unsignedVarint(((v << 1) ^ (v >> 31)) >>> 0);
  }

  /** Zigzag signed int64. */
  varlong(v: bigint): void {
    if (this.pos + 10 > this.buf.length) this.grow(10);
    const b = this.buf;
    let p = this.pos;
    if (v > -0x10000000000000n && v < 0x10000000000000n) {
      // Doubles are exact here (|zigzag| < 2^53) and much cheaper than bigint steps.
      const n = Number(v);
      let u = n >= 0 ? n * 2 : -n * 2 - 1;
      while (u >= 0x80) {
        b[p++] = (u % 0x80) | 0x80;
        u = Math.floor(u / 0x80);
      }
      b[p++] = u;
    } else {
      if (v < -0x8000000000000000n || v > 0x7fffffffffffffffn) {
        throw new ProtocolError('INVALID_VARINT', `varlong out of int64 range: ${v}`);
      }
      let u = BigInt.asUintN(64, (v << 1n) ^ (v >> 63n));
      while (u >= 0x80n) {
        b[p++] = Number(u & 0x7fn) | 0x80;
        u >>= 7n;
      }
      b[p++] = Number(u);
    }
    this.pos = p;
  }

  /** Writes bytes. Large buffers are adopted (referenced) rather than copied. */
  raw(data: Buffer): void {
    const n = data.length;
    if (n >= ADOPT_THRESHOLD) {
      this.flushCurrent();
      this.chunks.push(data);
      this.chunksLength += n;
      return;
    }
    const p = this.reserve(n);
    data.copy(this.buf, p);
  }

  private utf8(v: string, len: number): void {
    if (len === 0) return;
    const p = this.reserve(len);
    this.buf.write(v, p, len, 'utf8');
  }

  string(v: string): void {
    const len = Buffer.byteLength(v, 'utf8');
    if (len > 0x7fff) throw new ProtocolError('INVALID_LENGTH', `string of ${len} bytes > 32767`);
    this.int16(len);
    this.utf8(v, len);
  }

  nullableString(v: string | null): void {
    if (v === null) this.int16(-1);
    else this.string(v);
  }

  compactString(v: string): void {
    const len = Buffer.byteLength(v, 'utf8');
    this.unsignedVarint(len + 1);
    this.utf8(v, len);
  }

  compactNullableString(v: string | null): void {
    if (v === null) this.unsignedVarint(0);
    else this.compactString(v);
  }

  bytes(v: Buffer): void {
    this.int32(v.length);
    this.raw(v);
  }

  nullableBytes(v: Buffer | null): void {
    if (v === null) this.int32(-1);
    else this.bytes(v);
  }

  compactBytes(v: Buffer): void {
    this.unsignedVarint(v.length + 1);
    this.raw(v);
  }

  compactNullableBytes(v: Buffer | null): void {
    if (v === null) this.unsignedVarint(0);
    else this.compactBytes(v);
  }

  /** INT32 element count; -1 means null. */
  arrayLength(n: number): void {
    this.int32(n);
  }

  /** Unsigned varint count + 1; -1 means null. */
  compactArrayLength(n: number): void {
    this.unsignedVarint(n + 1);
  }

  /** Appends everything written to `other` (which must not be used afterwards). */
  append(other: Writer): void {
    for (const chunk of other.toChunks()) this.raw(chunk);
  }

  /**
   * Overwrites 4 bytes already written at `position` (e.g. a size prefix written as a placeholder).
   * An int32 is always reserved contiguously, so it never straddles two chunks.
   */
  patchInt32(position: number, v: number): void {
    let base = 0;
    for (const chunk of this.chunks) {
      if (position < base + chunk.length) {
        chunk.writeInt32BE(v, position - base);
        return;
      }
      base += chunk.length;
    }
    if (position - base + 4 > this.pos - this.start) {
      throw new ProtocolError('INVALID_LENGTH', `cannot patch int32 at ${position}`);
    }
    this.buf.writeInt32BE(v, this.start + position - base);
  }

  /** The output as a list of buffers, without copying (suitable for writev). */
  toChunks(): Buffer[] {
    this.flushCurrent();
    return this.chunks.slice();
  }

  /** The output as one buffer: zero-copy for a single chunk, one copy otherwise. */
  toBuffer(): Buffer {
    if (this.chunks.length === 0) return this.buf.subarray(this.start, this.pos);
    this.flushCurrent();
    if (this.chunks.length > 1) {
      const all = Buffer.concat(this.chunks, this.chunksLength);
      this.chunks = [all];
    }
    return this.chunks[0] as Buffer;
  }
}
