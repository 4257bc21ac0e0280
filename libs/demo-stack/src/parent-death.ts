import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * A child that ends on its own when the orchestrator dies, however it dies (kill -9 included, when no
 * signal handler runs and no pipe is closed in order). Linux has exactly this: the parent-death
 * signal (prctl PR_SET_PDEATHSIG), which the kernel sends to a process when the process that spawned
 * it exits. util-linux's `setpriv --pdeathsig` sets it and then execs the real program, so it works
 * for every child alike, PostgreSQL included: postgres gets SIGINT (its fast shutdown) and takes its
 * backends down with it, as when the orchestrator stops it; the broker and the services get SIGTERM,
 * their ordinary graceful shutdown. The setting survives exec and is kept for the program's whole
 * life; only a set-user-ID program would lose it, and none is run.
 *
 * Where setpriv is missing (not Linux), the command runs as it is: the orchestrator still stops every
 * child on SIGINT, SIGTERM, SIGHUP and a broken stdout, but a `kill -9` of it leaves them running.
 */
export function dieWithParent(
  command: string,
  args: readonly string[],
  signal: NodeJS.Signals,
): { command: string; args: string[] } {
  const setpriv = setprivPath();
  if (setpriv === null) return { command, args: [...args] };
  return {
    command: setpriv,
    args: ['--pdeathsig', signal.replace(/^SIG/, ''), '--', command, ...args],
  };
}

let found: string | null | undefined;

function setprivPath(): string | null {
  if (found !== undefined) return found;
  found = null;
  if (process.platform !== 'linux') return found;
  for (const dir of (process.env.PATH ?? '').split(delimiter).concat(['/usr/bin', '/bin'])) {
    const candidate = join(dir, 'setpriv');
    try {
      accessSync(candidate, constants.X_OK);
      found = candidate;
      break;
    } catch {
      // not here
    }
  }
  return found;
}
