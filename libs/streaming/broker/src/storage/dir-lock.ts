/**
 * An exclusive lock on a log directory so two brokers (or two LogManagers in
 * one process) never write the same files. Node has no flock(), so the lock is
 * a `.lock` file created with O_EXCL holding the owner's pid; a lock whose pid
 * is no longer alive is stale (the owner crashed) and is taken over.
 */
import fs from 'node:fs';
import path from 'node:path';
import { StorageError, StorageErrorCode } from './errors.ts';

export const LOCK_FILE = '.lock';

/** Directories locked by this process (a pid check cannot tell two owners in one process apart). */
const heldInProcess = new Set<string>();

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface DirLock {
  release(): void;
}

export function lockDir(dir: string): DirLock {
  const key = fs.realpathSync(dir);
  const file = path.join(dir, LOCK_FILE);
  const locked = (owner: string): StorageError =>
    new StorageError(
      StorageErrorCode.KAFKA_STORAGE_ERROR,
      `log directory ${dir} is locked by ${owner}; is another broker running on it? (lock file ${file})`,
    );
  if (heldInProcess.has(key)) throw locked('this process');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = fs.openSync(file, 'wx');
      fs.writeSync(fd, `${process.pid}\n`);
      fs.closeSync(fd);
      heldInProcess.add(key);
      let released = false;
      return {
        release(): void {
          if (released) return;
          released = true;
          heldInProcess.delete(key);
          fs.rmSync(file, { force: true });
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new StorageError(
          StorageErrorCode.KAFKA_STORAGE_ERROR,
          `cannot lock log directory ${dir}: ${(err as Error).message}`,
          { cause: err },
        );
      }
      const pid = Number(fs.readFileSync(file, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && pidAlive(pid))
        throw locked(`process ${pid}`);
      // Stale lock from a crashed owner (or our own pid from a previous life): take it over.
      fs.rmSync(file, { force: true });
    }
  }
  throw locked('another process (lock contention)');
}
