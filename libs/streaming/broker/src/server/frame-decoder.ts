/**
 * Splits a TCP byte stream into Kafka request frames (4-byte big-endian size prefix + body).
 *
 * Chunks are collected in a list and concatenated once per frame, so a 50 MB produce arriving in 64 KB
 * pieces costs one copy, not a quadratic series of ever-larger concatenations. The size prefix is checked
 * against the cap before a single body byte is buffered.
 */
export class FrameTooLargeError extends Error {
  readonly code = 'FRAME_TOO_LARGE';
  readonly size: number;

  constructor(size: number, max: number) {
    super(`request frame of ${size} bytes exceeds socket.request.max.bytes (${max})`);
    this.name = 'FrameTooLargeError';
    this.size = size;
  }
}

export class InvalidFrameSizeError extends Error {
  readonly code = 'INVALID_FRAME_SIZE';

  constructor(size: number) {
    super(`invalid request frame size ${size}`);
    this.name = 'InvalidFrameSizeError';
  }
}

export class FrameDecoder {
  private readonly maxFrameBytes: number;
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Body size of the frame being assembled, or -1 while waiting for a size prefix. */
  private expected = -1;

  constructor(maxFrameBytes: number) {
    this.maxFrameBytes = maxFrameBytes;
  }

  /** Bytes held waiting for the rest of a frame. */
  get pendingBytes(): number {
    return this.buffered;
  }

  /**
   * Feeds a chunk and returns every frame body it completes (possibly none).
   * Throws FrameTooLargeError / InvalidFrameSizeError: the connection must then be closed.
   */
  push(chunk: Buffer): Buffer[] {
    const frames: Buffer[] = [];
    if (chunk.length === 0) return frames;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    for (;;) {
      if (this.expected < 0) {
        if (this.buffered < 4) break;
        const size = this.peekSize();
        if (size < 0) throw new InvalidFrameSizeError(size);
        if (size > this.maxFrameBytes) throw new FrameTooLargeError(size, this.maxFrameBytes);
        this.consume(4);
        this.expected = size;
      }
      if (this.buffered < this.expected) break;
      frames.push(this.take(this.expected));
      this.expected = -1;
    }
    return frames;
  }

  private peekSize(): number {
    const first = this.chunks[0];
    if (first.length >= 4) return first.readInt32BE(0);
    const head = Buffer.concat(this.chunks, Math.min(this.buffered, 4));
    return head.readInt32BE(0);
  }

  private consume(n: number): void {
    this.take(n);
  }

  /** Removes and returns exactly n bytes from the front (zero-copy when they sit in the first chunk). */
  private take(n: number): Buffer {
    this.buffered -= n;
    const first = this.chunks[0];
    if (n === 0) return Buffer.alloc(0);
    if (first.length === n) {
      this.chunks.shift();
      return first;
    }
    if (first.length > n) {
      this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let copied = 0;
    while (copied < n) {
      const c = this.chunks[0];
      const want = n - copied;
      if (c.length <= want) {
        c.copy(out, copied);
        copied += c.length;
        this.chunks.shift();
      } else {
        c.copy(out, copied, 0, want);
        this.chunks[0] = c.subarray(want);
        copied += want;
      }
    }
    return out;
  }
}
