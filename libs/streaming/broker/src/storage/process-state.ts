/**
 * Whether a process still counts as the owner of something, as Linux sees it. `kill(pid, 0)` alone
 * is not enough: it succeeds on a zombie (a process that has died but whose parent has not reaped
 * it yet), and on a machine whose PID 1 reaps orphans lazily a broker killed with -9 stays a zombie
 * for a moment. `/proc/<pid>/stat` says what the process really is.
 */
import fs from 'node:fs';

export type ProcessState =
  /** No such process. */
  | 'gone'
  /** Dead and waiting to be reaped (state Z or X): it will never run again. */
  | 'zombie'
  /** Being torn down by the kernel (PF_EXITING) or holding a pending SIGKILL: dead in a moment. */
  | 'exiting'
  /** Running, sleeping or stopped: a real owner. */
  | 'alive';

/** The kernel's per-task flag set once `do_exit` has begun (include/linux/sched.h). */
const PF_EXITING = 0x4;
/** SIGKILL's bit in the hexadecimal pending-signal masks of `/proc/<pid>/status`. */
const SIGKILL_BIT = 1n << 8n;

/**
 * Reads the state of `pid`. Without `/proc` (not Linux) it falls back to `kill(pid, 0)`, which can
 * only tell 'gone' from 'alive'.
 */
export function processState(pid: number): ProcessState {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && fs.existsSync('/proc/self/stat'))
      return 'gone';
    return signalProbe(pid);
  }
  let status = '';
  try {
    status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    // Gone between the two reads, or unreadable: the stat line alone decides.
  }
  return classifyProcess(stat, status);
}

/**
 * Classifies a process from the text of its `/proc/<pid>/stat` and `/proc/<pid>/status` files
 * (proc(5)). The command name in stat is in parentheses and may itself contain spaces and ')', so the
 * fields are counted from the last ')'.
 */
export function classifyProcess(stat: string, status: string): ProcessState {
  const fields = stat
    .slice(stat.lastIndexOf(')') + 2)
    .trim()
    .split(' ');
  // After the name: state (field 3), ppid, pgrp, session, tty_nr, tpgid, flags (field 9).
  const state = fields[0];
  if (state === 'Z' || state === 'X' || state === 'x') return 'zombie';
  const flags = Number(fields[6]);
  if (Number.isInteger(flags) && (flags & PF_EXITING) !== 0) return 'exiting';
  if (sigkillPending(status)) return 'exiting';
  return 'alive';
}

function sigkillPending(status: string): boolean {
  // SigPnd: signals pending for the thread; ShdPnd: for the whole process (where kill -9 lands).
  for (const match of status.matchAll(/^(?:SigPnd|ShdPnd):\s*([0-9a-f]+)$/gim)) {
    if ((BigInt(`0x${match[1]}`) & SIGKILL_BIT) !== 0n) return true;
  }
  return false;
}

function signalProbe(pid: number): ProcessState {
  try {
    process.kill(pid, 0);
    return 'alive';
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM' ? 'alive' : 'gone';
  }
}
