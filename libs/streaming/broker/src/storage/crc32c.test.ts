import { describe, expect, it } from 'vitest';
import { crc32c, crc32cBytewise } from './crc32c.ts';

describe('crc32c', () => {
  it('matches the standard check value for "123456789"', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
  });

  it('matches published CRC-32C vectors (RFC 3720 B.4)', () => {
    expect(crc32c(Buffer.alloc(32, 0x00))).toBe(0x8a9136aa);
    expect(crc32c(Buffer.alloc(32, 0xff))).toBe(0x62a8ab43);
    const ascending = Buffer.from(Array.from({ length: 32 }, (_, i) => i));
    expect(crc32c(ascending)).toBe(0x46dd794e);
  });

  it('is 0 for empty input', () => {
    expect(crc32c(Buffer.alloc(0))).toBe(0);
  });

  it('agrees with the bytewise reference at every alignment and length', () => {
    const base = Buffer.alloc(300);
    for (let i = 0; i < base.length; i++) base[i] = (i * 131 + 7) & 0xff;
    for (let offset = 0; offset < 8; offset++) {
      for (let len = 0; len < 80; len++) {
        const view = base.subarray(offset, offset + len);
        expect(crc32c(view)).toBe(crc32cBytewise(view));
      }
    }
  });

  it('honours start/end bounds and can continue over pieces', () => {
    const data = Buffer.from('the quick brown fox jumps over the lazy dog');
    const whole = crc32c(data);
    const first = crc32c(data, 0, 17);
    expect(crc32c(data, 17, data.length, first)).toBe(whole);
    expect(
      crc32c(Buffer.concat([Buffer.from('xx'), data, Buffer.from('yy')]), 2, 2 + data.length),
    ).toBe(whole);
  });
});
