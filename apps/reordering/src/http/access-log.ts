import { createWriteStream, type WriteStream } from 'node:fs';
import type { AccessLogLine } from '@retail-streams/contracts';
import type { RequestHandler } from 'express';

export interface AccessLog {
  middleware: RequestHandler;
  close(): Promise<void>;
}

/**
 * Appends one JSON line per HTTP request (contracts' `accessLogLine`) to a file, for the file source
 * connector to ship to `logs.access`. Mounted in front of the service's routes, so health probes,
 * which an orchestrator sends every few seconds, stay out of it.
 */
export function fileAccessLog(service: string, file: string): AccessLog {
  const stream: WriteStream = createWriteStream(file, { flags: 'a' });
  // A full disk must not take the service down with it: the access log is a by-product.
  stream.on('error', () => undefined);
  const middleware: RequestHandler = (req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const line: AccessLogLine = {
        time: new Date().toISOString(),
        service,
        method: req.method,
        path: req.originalUrl.split('?')[0] ?? '',
        status: res.statusCode,
        durationMs: Math.round(Number(process.hrtime.bigint() - started) / 1e3) / 1e3,
        requestId: req.id,
      };
      if (!stream.destroyed) stream.write(`${JSON.stringify(line)}\n`);
    });
    next();
  };
  return {
    middleware,
    close: () => new Promise<void>((resolve) => stream.end(() => resolve())),
  };
}
