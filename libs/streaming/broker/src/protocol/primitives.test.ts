import { describe, expect, it } from 'vitest';
import { ProtocolError } from './protocol-error.ts';
import { Reader, ZERO_UUID } from './reader.ts';
import { Writer } from './writer.ts';

function bytesOf(write: (w: Writer) => void): Buffer {
  const w = new Writer(16);
  write(w);
  return Buffer.from(w.toBuffer());
}

function hex(b: Buffer): string {
  return b.toString('hex');
}

function expectCode(fn: () => unknown, code: string): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ProtocolError);
    expect((err as ProtocolError).code).toBe(code);
    return;
  }
  throw new Error(`expected a ProtocolError ${code}`);
}

describe('Writer and Reader', () => {
  it('round-trip fixed-size integers at their limits, big-endian', () => {
    const b = bytesOf((w) => {
      w.int8(-128);
      w.int8(127);
      w.int16(-32768);
      w.int16(32767);
      w.int32(-2147483648);
      w.int32(2147483647);
      w.uint16(65535);
      w.uint32(4294967295);
      w.int64(-9223372036854775808n);
      w.int64(9223372036854775807n);
      w.float64(-0.1);
      w.bool(true);
      w.bool(false);
    });
    expect(hex(b.subarray(0, 8))).toBe('807f80007fff8000');
    const r = new Reader(b);
    expect([r.int8(), r.int8(), r.int16(), r.int16(), r.int32(), r.int32()]).toEqual([
      -128, 127, -32768, 32767, -2147483648, 2147483647,
    ]);
    expect([r.uint16(), r.uint32()]).toEqual([65535, 4294967295]);
    expect([r.int64(), r.int64()]).toEqual([-9223372036854775808n, 9223372036854775807n]);
    expect([r.float64(), r.bool(), r.bool()]).toEqual([-0.1, true, false]);
    expect(r.remaining()).toBe(0);
  });

  it('reads any non-zero byte as true, as Kafka does', () => {
    expect(new Reader(Buffer.from([2])).bool()).toBe(true);
  });

  it('encodes unsigned varints on the 7-bit boundaries', () => {
    const cases: [number, string][] = [
      [0, '00'],
      [1, '01'],
      [127, '7f'],
      [128, '8001'],
      [300, 'ac02'],
      [16383, 'ff7f'],
      [16384, '808001'],
      [2097151, 'ffff7f'],
      [2097152, '80808001'],
      [268435455, 'ffffff7f'],
      [268435456, '8080808001'],
      [4294967295, 'ffffffff0f'],
    ];
    for (const [value, expected] of cases) {
      const b = bytesOf((w) => w.unsignedVarint(value));
      expect(hex(b), String(value)).toBe(expected);
      expect(new Reader(b).unsignedVarint()).toBe(value);
    }
  });

  it('zigzag-encodes signed varints (0, -1, 1, -2 ... int32 limits)', () => {
    const cases: [number, string][] = [
      [0, '00'],
      [-1, '01'],
      [1, '02'],
      [-2, '03'],
      [63, '7e'],
      [-64, '7f'],
      [64, '8001'],
      [2147483647, 'feffffff0f'],
      [-2147483648, 'ffffffff0f'],
    ];
    for (const [value, expected] of cases) {
      const b = bytesOf((w) => w.varint(value));
      expect(hex(b), String(value)).toBe(expected);
      expect(new Reader(b).varint()).toBe(value);
    }
  });

  it('zigzag-encodes varlongs as bigint, including beyond 2^53 and the int64 limits', () => {
    const values = [
      0n,
      -1n,
      1n,
      -64n,
      64n,
      1700000000000n,
      -1700000000000n,
      2n ** 52n - 1n,
      -(2n ** 52n),
      2n ** 53n + 1n,
      -(2n ** 60n) - 3n,
      9223372036854775807n,
      -9223372036854775808n,
    ];
    for (const v of values) {
      const b = bytesOf((w) => w.varlong(v));
      expect(new Reader(b).varlong(), String(v)).toBe(v);
    }
    expect(hex(bytesOf((w) => w.varlong(-1n)))).toBe('01');
    expect(hex(bytesOf((w) => w.varlong(9223372036854775807n)))).toBe('feffffffffffffffff01');
    expect(hex(bytesOf((w) => w.varlong(-9223372036854775808n)))).toBe('ffffffffffffffffff01');
  });

  it('rejects over-long varints instead of looping or overflowing', () => {
    expectCode(
      () => new Reader(Buffer.from('ffffffffff01', 'hex')).unsignedVarint(),
      'INVALID_VARINT',
    );
    expectCode(
      () => new Reader(Buffer.from('ffffffffffffffffffff01', 'hex')).varlong(),
      'INVALID_VARINT',
    );
    expectCode(() => new Writer().unsignedVarint(-1), 'INVALID_VARINT');
    expectCode(() => new Writer().varint(2 ** 31), 'INVALID_VARINT');
  });

  it('writes classic and compact strings, with UTF-8 byte lengths', () => {
    const b = bytesOf((w) => {
      w.string('hé');
      w.compactString('hé');
      w.string('');
      w.compactString('');
    });
    expect(hex(b)).toBe('000368c3a9' + '0468c3a9' + '0000' + '01');
    const r = new Reader(b);
    expect([r.string(), r.compactString(), r.string(), r.compactString()]).toEqual([
      'hé',
      'hé',
      '',
      '',
    ]);
  });

  it('writes null strings as -1 (classic) and 0 (compact), and reads them back', () => {
    const b = bytesOf((w) => {
      w.nullableString(null);
      w.compactNullableString(null);
      w.nullableString('x');
    });
    expect(hex(b)).toBe('ffff' + '00' + '000178');
    const r = new Reader(b);
    expect([r.nullableString(), r.compactNullableString(), r.nullableString()]).toEqual([
      null,
      null,
      'x',
    ]);
  });

  it('refuses a null where a non-nullable string is expected', () => {
    expectCode(() => new Reader(Buffer.from('ffff', 'hex')).string(), 'NULL_NOT_ALLOWED');
    expectCode(() => new Reader(Buffer.from('00', 'hex')).compactString(), 'NULL_NOT_ALLOWED');
    expectCode(() => new Reader(Buffer.from('fffe', 'hex')).nullableString(), 'INVALID_LENGTH');
  });

  it('round-trips bytes (classic, compact, null) as zero-copy views', () => {
    const payload = Buffer.from([1, 2, 3]);
    const b = bytesOf((w) => {
      w.bytes(payload);
      w.compactBytes(payload);
      w.nullableBytes(null);
      w.compactNullableBytes(null);
      w.compactNullableBytes(Buffer.alloc(0));
    });
    expect(hex(b)).toBe('00000003010203' + '04010203' + 'ffffffff' + '00' + '01');
    const r = new Reader(b);
    const first = r.bytes();
    expect(first.buffer).toBe(b.buffer);
    expect([
      first,
      r.compactBytes(),
      r.nullableBytes(),
      r.compactNullableBytes(),
      r.compactNullableBytes(),
    ]).toEqual([payload, payload, null, null, Buffer.alloc(0)]);
  });

  it('encodes array lengths: empty, null, compact', () => {
    const b = bytesOf((w) => {
      w.arrayLength(0);
      w.arrayLength(-1);
      w.compactArrayLength(0);
      w.compactArrayLength(-1);
      w.compactArrayLength(2);
    });
    expect(hex(b)).toBe('00000000' + 'ffffffff' + '01' + '00' + '03');
    const r = new Reader(Buffer.concat([b, Buffer.alloc(2)]));
    expect([
      r.arrayLength(),
      r.arrayLength(),
      r.compactArrayLength(),
      r.compactArrayLength(),
      r.compactArrayLength(),
    ]).toEqual([0, -1, 0, -1, 2]);
  });

  it('rejects an array count larger than the bytes left (no giant allocations)', () => {
    expectCode(() => new Reader(Buffer.from('7fffffff00', 'hex')).arrayLength(), 'TRUNCATED');
    expectCode(
      () => new Reader(Buffer.from('ffffffff07', 'hex')).compactArrayLength(),
      'TRUNCATED',
    );
    expectCode(() => new Reader(Buffer.from('fffffffe', 'hex')).arrayLength(), 'INVALID_LENGTH');
  });

  it('represents uuids in canonical form, the zero uuid included', () => {
    const id = '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';
    const b = bytesOf((w) => {
      w.uuid(id);
      w.uuid(ZERO_UUID);
    });
    expect(hex(b)).toBe('0f1e2d3c4b5a69788796a5b4c3d2e1f0' + '00'.repeat(16));
    const r = new Reader(b);
    expect([r.uuid(), r.uuid()]).toEqual([id, '00000000-0000-0000-0000-000000000000']);
    expectCode(() => new Writer().uuid('not-a-uuid'), 'INVALID_UUID');
    expectCode(() => new Writer().uuid('AAAAAAAAAAAAAAAAAAAAAA'), 'INVALID_UUID');
  });

  it('skips a tagged-field section, whatever the tags hold', () => {
    const b = bytesOf((w) => {
      w.unsignedVarint(2);
      w.unsignedVarint(0);
      w.unsignedVarint(3);
      w.raw(Buffer.from([9, 9, 9]));
      w.unsignedVarint(300);
      w.unsignedVarint(0);
      w.int8(42);
    });
    const r = new Reader(b);
    r.skipTaggedFields();
    expect(r.int8()).toBe(42);
  });

  it('throws TRUNCATED for every read past the end, never garbage', () => {
    const reads: ((r: Reader) => unknown)[] = [
      (r) => r.int8(),
      (r) => r.int16(),
      (r) => r.int32(),
      (r) => r.int64(),
      (r) => r.float64(),
      (r) => r.uuid(),
      (r) => r.unsignedVarint(),
      (r) => r.varlong(),
      (r) => r.string(),
      (r) => r.compactString(),
      (r) => r.bytes(),
      (r) => r.skip(1),
    ];
    for (const read of reads) expectCode(() => read(new Reader(Buffer.alloc(0))), 'TRUNCATED');
    // A length prefix promising more than is there.
    expectCode(() => new Reader(Buffer.from('0005616263', 'hex')).string(), 'TRUNCATED');
    expectCode(() => new Reader(Buffer.from('0000000a01', 'hex')).bytes(), 'TRUNCATED');
    expectCode(() => new Reader(Buffer.from('80', 'hex')).unsignedVarint(), 'TRUNCATED');
    // An explicit end bound is honoured even when the buffer goes on.
    expectCode(() => new Reader(Buffer.alloc(8), 0, 3).int32(), 'TRUNCATED');
  });
});

describe('Writer buffering', () => {
  it('grows across many small writes without losing bytes', () => {
    const w = new Writer(16);
    for (let i = 0; i < 10_000; i++) w.int32(i);
    expect(w.length).toBe(40_000);
    const expected = Buffer.alloc(40_000);
    for (let i = 0; i < 10_000; i++) expected.writeInt32BE(i, i * 4);
    expect(w.toBuffer().equals(expected)).toBe(true);
  });

  it('adopts large payloads without copying until toBuffer, and keeps the order of writes', () => {
    const big = Buffer.alloc(1 << 20, 7);
    const w = new Writer();
    w.int32(big.length);
    w.raw(big);
    w.int16(-1);
    const chunks = w.toChunks();
    expect(chunks).toHaveLength(3);
    expect(chunks[1]).toBe(big);
    const out = w.toBuffer();
    expect(out.length).toBe(4 + big.length + 2);
    expect(out.readInt32BE(0)).toBe(big.length);
    expect(out.readInt16BE(out.length - 2)).toBe(-1);
    expect(out.subarray(4, 4 + big.length).equals(big)).toBe(true);
  });

  it('patches a size placeholder written before a large payload', () => {
    const w = new Writer();
    w.int32(0);
    w.raw(Buffer.alloc(10_000, 1));
    w.int8(5);
    w.patchInt32(0, w.length - 4);
    const out = w.toBuffer();
    expect(out.readInt32BE(0)).toBe(10_001);
    expect(out.length).toBe(10_005);
  });

  it('appends another writer (used for tagged-field values)', () => {
    const inner = new Writer();
    inner.compactString('abc');
    const w = new Writer();
    w.unsignedVarint(inner.length);
    w.append(inner);
    expect(hex(w.toBuffer())).toBe('0404616263');
  });
});
