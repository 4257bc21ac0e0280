import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { Logger } from 'pino';

/** A logger whose lines a test can read back: what a refused connection or a failed login left behind. */
export function captureLogs(): { logger: Logger; lines: () => string[] } {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return {
    logger: pino({ level: 'info' }, sink) as Logger,
    lines: () => chunks.join('').split('\n').filter(Boolean),
  };
}
