/** Segment file names and whole-file reads. */
import fs from 'node:fs';
import { readFully } from './file-io.ts';

export function segmentFileName(baseOffset: number, ext: '.log' | '.index' | '.timeindex'): string {
  return String(baseOffset).padStart(20, '0') + ext;
}

/** Parses "00000000000000000042.log" -> 42, or null for other files. */
export function parseSegmentFileName(name: string): number | null {
  const m = /^(\d{20})\.log$/.exec(name);
  return m ? Number(m[1]) : null;
}

/** The whole content of an open file (its indexes are read this way at load). */
export function readWhole(fd: number): Buffer {
  const size = fs.fstatSync(fd).size;
  return size === 0 ? Buffer.alloc(0) : readFully(fd, 0, size);
}
