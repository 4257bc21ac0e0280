import fs from 'node:fs';
import type { RequestHandler } from 'express';
import type { AccessLogLine } from '@retail-streams/contracts';

/**
 * One JSON line per HTTP request (the contracts' `accessLogLine`) appended to a file, which the file
 * source connector ships to `logs.access`. Written when the response finishes (for an event stream:
 * when it closes).
 */
export function accessLogFile(
  file: string,
  service: string,
): { middleware: RequestHandler; close: () => Promise<void> } {
  const stream = fs.createWriteStream(file, { flags: 'a' });
  const middleware: RequestHandler = (req, res, next) => {
    const started = performance.now();
    res.once('close', () => {
      const line: AccessLogLine = {
        time: new Date().toISOString(),
        service,
        method: req.method,
        path: req.originalUrl.split('?')[0] ?? req.originalUrl,
        status: res.statusCode,
        durationMs: Math.round((performance.now() - started) * 10) / 10,
        requestId: typeof req.id === 'string' ? req.id : undefined,
      };
      if (!stream.writableEnded) stream.write(`${JSON.stringify(line)}\n`);
    });
    next();
  };
  return {
    middleware,
    close: () => new Promise<void>((resolve) => stream.end(() => resolve())),
  };
}
