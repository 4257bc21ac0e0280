import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** How many leading bytes identify a file's content (with its device and inode). */
export const HEAD_BYTES = 256;

export interface FileIdentity {
  dev: number;
  ino: number;
  /** sha256 of the first `headBytes` bytes. */
  headHash: string;
  headBytes: number;
}

export function hashHead(fd: number, length: number): string {
  const buffer = Buffer.alloc(length);
  const read = length > 0 ? fs.readSync(fd, buffer, 0, length, 0) : 0;
  return createHash('sha256').update(buffer.subarray(0, read)).digest('hex');
}

/** Identity of an open file, hashing its first min(position, HEAD_BYTES) bytes. */
export function identityOf(fd: number, position: number): FileIdentity {
  const st = fs.fstatSync(fd);
  const headBytes = Math.min(position, HEAD_BYTES, st.size);
  return { dev: st.dev, ino: st.ino, headHash: hashHead(fd, headBytes), headBytes };
}

/**
 * Whether the file open as `fd` is still the one described: same device and inode (a rotated file
 * keeps its inode under its new name), and the same leading bytes (an inode number can be reused by a
 * new file, and a truncated-and-rewritten file keeps its inode).
 */
export function matches(fd: number, id: FileIdentity): boolean {
  const st = fs.fstatSync(fd);
  if (st.dev !== id.dev || st.ino !== id.ino || st.size < id.headBytes) return false;
  return hashHead(fd, id.headBytes) === id.headHash;
}

/**
 * After a restart the file a stored position belongs to may have been rotated away (access.log ->
 * access.log.1). Looks for it among the files of the same directory by device and inode.
 */
export function findByInode(file: string, id: { dev: number; ino: number }): string | null {
  const dir = path.dirname(file);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return null;
  }
  for (const name of names) {
    const candidate = path.join(dir, name);
    try {
      const st = fs.statSync(candidate);
      if (st.isFile() && st.dev === id.dev && st.ino === id.ino) return candidate;
    } catch {
      // Vanished while looking: not it.
    }
  }
  return null;
}
