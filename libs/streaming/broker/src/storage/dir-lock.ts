/**
 * An exclusive lock on a log directory so two brokers (or two LogManagers in
 * one process) never write the same files. Node has no flock(), so the lock is
 * a `.lock` file created with O_EXCL holding the owner's pid; a lock whose
 * owner is gone or a zombie is stale (the owner crashed) and is taken over.
 * An owner the kernel is already tearing down (a `kill -9` in flight) is
 * waited for, up to a bound; an owner that is really alive is refused at once.
 */
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ErrorCode } from '../errors/index.ts';
import { StorageError } from './errors.ts';
import { processState, type ProcessState } from './process-state.ts';

export const LOCK_FILE = '.lock';

/** Directories locked by this process (a pid check cannot tell two owners in one process apart). */
const heldInProcess = new Set<string>();

export interface DirLock {
  release(): void;
}

export interface LockDirOptions {
  /** How long to wait for an owner that is exiting to finish dying (default 5 s). */
  exitWaitMs?: number;
  /** Reads a process's state; only tests replace it (a process caught mid-exit cannot be staged). */
  processState?: (pid: number) => ProcessState;
}

const POLL_MS = 20;

export async function lockDir(dir: string, options: LockDirOptions = {}): Promise<DirLock> {
  const stateOf = options.processState ?? processState;
  const exitWaitMs = options.exitWaitMs ?? 5_000;
  const key = fs.realpathSync(dir);
  const file = path.join(dir, LOCK_FILE);
  const locked = (owner: string): StorageError =>
    new StorageError(
      ErrorCode.KAFKA_STORAGE_ERROR,
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
          ErrorCode.KAFKA_STORAGE_ERROR,
          `cannot lock log directory ${dir}: ${(err as Error).message}`,
          { cause: err },
        );
      }
      const pid = Number(fs.readFileSync(file, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid) {
        const state = await settledState(pid, stateOf, exitWaitMs);
        if (state === 'alive') throw locked(`process ${pid}`);
        if (state === 'exiting')
          throw locked(
            `process ${pid}, which is exiting but still not gone after ${exitWaitMs} ms`,
          );
      }
      // Stale lock from a crashed owner (or our own pid from a previous life): take it over.
      fs.rmSync(file, { force: true });
    }
  }
  throw locked('another process (lock contention)');
}

/** The owner's state, after waiting (at most `exitWaitMs`) for an exiting owner to finish. */
async function settledState(
  pid: number,
  stateOf: (pid: number) => ProcessState,
  exitWaitMs: number,
): Promise<ProcessState> {
  const deadline = Date.now() + exitWaitMs;
  let state = stateOf(pid);
  while (state === 'exiting' && Date.now() < deadline) {
    await sleep(POLL_MS);
    state = stateOf(pid);
  }
  return state;
}
