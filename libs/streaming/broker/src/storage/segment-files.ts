/** Segment file names and whole-file reads. */
import fs from 'node:fs';
import path from 'node:path';
import { readFully } from './file-io.ts';

export function segmentFileName(
  baseOffset: number,
  ext: '.log' | '.index' | '.timeindex' | '.txnindex',
): string {
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

/**
 * Removes what an interrupted operation left in a partition directory: temp files of checkpoint
 * and index writes, ".cleaned" copies the cleaner had not swapped in (the original is intact), and
 * index files whose .log is gone.
 */
export function removeLeftovers(
  dir: string,
  names: readonly string[],
  bases: readonly number[],
): void {
  for (const name of names) {
    const m = /^(\d{20})\.(index|timeindex|txnindex)$/.exec(name);
    if (name.endsWith('.tmp') || name.endsWith('.cleaned') || (m && !bases.includes(Number(m[1]))))
      fs.rmSync(path.join(dir, name), { force: true });
  }
}
