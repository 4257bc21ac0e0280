/**
 * Small metadata files (topic registry, log start offset, recovery point)
 * written atomically: write a temp file, fsync it, rename over the target and
 * fsync the directory, so a crash leaves either the old or the new content.
 */
import fs from 'node:fs';
import path from 'node:path';

/** `mode` applies to the new file (e.g. 0o600 for credentials). */
export function writeFileAtomic(file: string, content: string | Buffer, mode?: number): void {
  const tmp = `${file}.tmp`;
  const fd = fs.openSync(tmp, 'w', mode);
  if (mode !== undefined) fs.fchmodSync(fd, mode);
  try {
    fs.writeFileSync(fd, content);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  fsyncDir(path.dirname(file));
}

export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Some filesystems refuse fsync on directories; the rename is still atomic.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Reads a checkpoint holding one integer; null if missing or unreadable. */
export function readOffsetCheckpoint(file: string): number | null {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  const n = Number(text.trim());
  return Number.isSafeInteger(n) && n >= 0 ? n : null;
}

export function writeOffsetCheckpoint(file: string, offset: number): void {
  writeFileAtomic(file, `${offset}\n`);
}
