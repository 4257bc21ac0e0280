import { pino } from 'pino';
import type { DestinationStream } from 'pino';

/** How long one stalled write may keep a line waiting before the line is dropped. */
const STALL_LIMIT_MS = 1_000;

/**
 * Where a process's JSON log lines go: stdout or stderr, written synchronously. When nobody reads the
 * other end any more (the orchestrator was killed, a terminal closed, a socket reset) pino's default
 * asynchronous destination loses its error and, at exit, retries the write in a loop that never
 * ends: a service or broker told to stop would stay up for ever. Here a line that cannot be written
 * is dropped instead: after STALL_LIMIT_MS of a full pipe, at once after a write error, so a process
 * whose output is gone still finishes its shutdown in time.
 */
export function terminalDestination(fd: 1 | 2): DestinationStream {
  let stalledSince: number | null = null;
  let broken = false;
  const destination = pino.destination({
    dest: fd,
    sync: true,
    // A full pipe (EAGAIN): wait for the reader, but not for ever, and not again once given up.
    retryEAGAIN: () => {
      if (broken) return false;
      stalledSince ??= Date.now();
      if (Date.now() - stalledSince < STALL_LIMIT_MS) return true;
      broken = true;
      return false;
    },
  });
  destination.on('write', () => {
    stalledSince = null;
    broken = false;
  });
  // EPIPE, ECONNRESET, or a stall given up: the line had nowhere to go. Logging must never crash
  // the process or stop its shutdown.
  destination.on('error', () => undefined);
  return destination;
}
