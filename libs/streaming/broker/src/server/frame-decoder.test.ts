import { describe, expect, it } from 'vitest';
import { FrameDecoder, FrameTooLargeError, InvalidFrameSizeError } from './frame-decoder.ts';

function frame(body: Buffer): Buffer {
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length);
  return Buffer.concat([size, body]);
}

describe('FrameDecoder', () => {
  it('returns every complete frame in a chunk, in order', () => {
    const decoder = new FrameDecoder(1024);
    const out = decoder.push(Buffer.concat([frame(Buffer.from('one')), frame(Buffer.from('two'))]));
    expect(out.map((b) => b.toString())).toEqual(['one', 'two']);
    expect(decoder.pendingBytes).toBe(0);
  });

  it('reassembles a frame split at every possible byte boundary, including inside the size prefix', () => {
    const bytes = Buffer.concat([frame(Buffer.from('hello world')), frame(Buffer.from('x'))]);
    for (let cut = 1; cut < bytes.length; cut++) {
      const decoder = new FrameDecoder(1024);
      const got = [...decoder.push(bytes.subarray(0, cut)), ...decoder.push(bytes.subarray(cut))];
      expect(got.map((b) => b.toString())).toEqual(['hello world', 'x']);
    }
  });

  it('reassembles a large frame delivered one small chunk at a time', () => {
    const body = Buffer.alloc(1_000_000);
    for (let i = 0; i < body.length; i++) body[i] = i & 0xff;
    const bytes = frame(body);
    const decoder = new FrameDecoder(2_000_000);
    const got: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += 1000)
      got.push(...decoder.push(bytes.subarray(i, i + 1000)));
    expect(got).toHaveLength(1);
    expect(got[0].equals(body)).toBe(true);
  });

  it('keeps a partial frame until the rest arrives', () => {
    const decoder = new FrameDecoder(1024);
    expect(decoder.push(frame(Buffer.from('abcdef')).subarray(0, 7))).toEqual([]);
    expect(decoder.pendingBytes).toBe(3);
  });

  it('rejects an oversized frame from its size prefix alone, before the body arrives', () => {
    const decoder = new FrameDecoder(100);
    const prefix = Buffer.alloc(4);
    prefix.writeInt32BE(101);
    expect(() => decoder.push(prefix)).toThrow(FrameTooLargeError);
  });

  it('rejects a negative size', () => {
    const decoder = new FrameDecoder(100);
    expect(() => decoder.push(Buffer.from([0xff, 0xff, 0xff, 0xfe]))).toThrow(
      InvalidFrameSizeError,
    );
  });

  it('accepts an empty frame body', () => {
    const decoder = new FrameDecoder(100);
    expect(decoder.push(Buffer.from([0, 0, 0, 0]))).toEqual([Buffer.alloc(0)]);
  });
});
