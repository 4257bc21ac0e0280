/**
 * Zig-zag varints as used inside RecordBatch v2 records. Storage has its own
 * tiny codec (rather than the protocol Reader) because it works on raw batch
 * bytes and must not depend on the protocol package.
 * Values are JS numbers: record fields (lengths, deltas, 32-bit varints) fit;
 * `readVarlong` covers timestamp deltas up to 2^53.
 */

export interface Cursor {
  buf: Uint8Array;
  pos: number;
}

/** Reads an unsigned LEB128 value of at most `maxBytes` bytes. */
function readUnsigned(c: Cursor, maxBytes: number): number {
  let result = 0;
  let multiplier = 1;
  for (let i = 0; i < maxBytes; i++) {
    if (c.pos >= c.buf.length) throw new RangeError('varint runs past the end of the buffer');
    const b = c.buf[c.pos++]!;
    result += (b & 0x7f) * multiplier;
    if ((b & 0x80) === 0) return result;
    multiplier *= 128;
  }
  throw new RangeError('varint is too long');
}

function unzigzag(u: number): number {
  // Arithmetic (not bitwise) so values beyond 32 bits survive.
  return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
}

export function readVarint(c: Cursor): number {
  return unzigzag(readUnsigned(c, 5));
}

export function readVarlong(c: Cursor): number {
  return unzigzag(readUnsigned(c, 10));
}

/** Number of bytes `writeVarint(v)` produces. */
export function varintSize(v: number): number {
  let u = v >= 0 ? v * 2 : -v * 2 - 1;
  let n = 1;
  while (u >= 128) {
    u = Math.floor(u / 128);
    n++;
  }
  return n;
}

/** Writes a zig-zag varint at `pos`, returns the position after it. */
export function writeVarint(buf: Uint8Array, pos: number, v: number): number {
  let u = v >= 0 ? v * 2 : -v * 2 - 1;
  while (u >= 128) {
    buf[pos++] = (u % 128) | 0x80;
    u = Math.floor(u / 128);
  }
  buf[pos++] = u;
  return pos;
}
