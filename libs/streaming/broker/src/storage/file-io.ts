/**
 * Positional synchronous file I/O on kept-open descriptors. Synchronous calls
 * keep append ordering trivial (the event loop never interleaves two appends)
 * and are cheap because they hit the page cache. The write function is
 * injectable: it is the seam tests use to simulate ENOSPC/EIO.
 */
import fs from 'node:fs';

export type WriteFn = (
  fd: number,
  buffer: Uint8Array,
  offset: number,
  length: number,
  position: number,
) => number;

export interface FileIo {
  write: WriteFn;
}

export const defaultFileIo: FileIo = {
  write: (fd, buffer, offset, length, position) =>
    fs.writeSync(fd, buffer, offset, length, position),
};

/** Writes all of `buf` at `position`, looping over short writes. */
export function writeFully(io: FileIo, fd: number, buf: Uint8Array, position: number): void {
  let done = 0;
  while (done < buf.length) {
    const n = io.write(fd, buf, done, buf.length - done, position + done);
    if (n <= 0) throw new Error(`short write (${n}) at position ${position + done}`);
    done += n;
  }
}

/** Reads exactly `length` bytes at `position` (fewer only at end of file). */
export function readFully(fd: number, position: number, length: number): Buffer {
  const buf = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const n = fs.readSync(fd, buf, done, length - done, position + done);
    if (n === 0) return buf.subarray(0, done);
    done += n;
  }
  return buf;
}
