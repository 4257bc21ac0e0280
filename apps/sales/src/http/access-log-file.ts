import { createWriteStream, mkdirSync } from 'node:fs';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { dirname } from 'node:path';
import type { AccessLogLine } from '@retail-streams/contracts';

export interface AccessLogFile {
  /** Wraps the app so that every request ends with one line in the file. */
  wrap(app: RequestListener): RequestListener;
  close(): Promise<void>;
}

/**
 * Appends one JSON line per HTTP request (the contract's `accessLogLine`) to a file, for the file
 * source connector to ship to `logs.access`. It wraps the whole app rather than sitting in its router,
 * so requests the app refuses before routing (malformed JSON, unknown routes) are logged too. Health
 * probes are left out: orchestrators poll them and they say nothing about traffic.
 */
export function openAccessLogFile(path: string, service: string): AccessLogFile {
  mkdirSync(dirname(path), { recursive: true });
  const stream = createWriteStream(path, { flags: 'a' });
  // A full disk must not take the service down with it: the pino log still has every request.
  stream.on('error', () => undefined);
  return {
    wrap(app) {
      return (req: IncomingMessage, res: ServerResponse) => {
        const started = process.hrtime.bigint();
        const url = req.url ?? '/';
        if (!url.startsWith('/health/')) {
          res.once('close', () => {
            const requestId = res.getHeader('x-request-id');
            const line: AccessLogLine = {
              time: new Date().toISOString(),
              service,
              method: req.method ?? 'GET',
              path: url.length > 2048 ? url.slice(0, 2048) : url,
              status: res.statusCode,
              durationMs: Math.round(Number(process.hrtime.bigint() - started) / 1e3) / 1e3,
              ...(typeof requestId === 'string' ? { requestId } : {}),
            };
            stream.write(`${JSON.stringify(line)}\n`);
          });
        }
        app(req, res);
      };
    },
    close() {
      return new Promise((resolve) => stream.end(resolve));
    },
  };
}
