import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { RequestHandler } from 'express';
import './express-augmentation.ts';

/**
 * One line of the access-log file. The same shape as `accessLogLine` in `@retail-streams/contracts`
 * (the platform does not depend on the contracts; the services' tests check the two agree).
 */
export interface AccessLogEntry {
  time: string;
  service: string;
  method: string;
  /** The path without its query string: the query carries ids and would scatter the statistics. */
  path: string;
  status: number;
  durationMs: number;
  requestId?: string;
}

export interface AccessLogFile {
  /** Writes one line per request when its response ends; give it to `createServiceApp`'s `accessLog`. */
  readonly middleware: RequestHandler;
  /** Ends the file once what is buffered is written. Close it after the HTTP server has drained. */
  close(): Promise<void>;
}

/**
 * Appends one JSON line per HTTP request to `path` (created with its folder when missing), for the
 * file source connector to ship to `logs.access`. Health probes are left out: orchestrators poll
 * them every few seconds and they say nothing about traffic. The line is written when the response
 * closes rather than finishes, so event streams and requests the client gave up on are counted too.
 */
/** How long a line may wait for others to share its write; ending the file writes it at once. */
const ACCESS_LOG_WINDOW_MS = 50;

export function openAccessLogFile(path: string, service: string): AccessLogFile {
  mkdirSync(dirname(path), { recursive: true });
  const stream = createWriteStream(path, { flags: 'a' });
  // A full disk must not take the service down with it: the pino log still has every request.
  stream.on('error', () => undefined);
  let closing: Promise<void> | undefined;
  // Lines of one short window go to the file in one write: a busy service would otherwise pay a
  // write (a thread-pool round trip) per request, and the connector tailing the file a wake-up each.
  let corked = false;
  const append = (line: string) => {
    if (!corked) {
      corked = true;
      stream.cork();
      setTimeout(() => {
        corked = false;
        stream.uncork();
      }, ACCESS_LOG_WINDOW_MS).unref();
    }
    stream.write(line);
  };

  const middleware: RequestHandler = (req, res, next) => {
    if (req.path.startsWith('/health/')) {
      next();
      return;
    }
    const started = process.hrtime.bigint();
    res.once('close', () => {
      const entry: AccessLogEntry = {
        time: new Date().toISOString(),
        service,
        method: req.method,
        path: req.originalUrl.split('?')[0] ?? '/',
        status: res.statusCode,
        durationMs: Math.round(Number(process.hrtime.bigint() - started) / 1e3) / 1e3,
        ...(typeof req.id === 'string' ? { requestId: req.id } : {}),
      };
      // A request still open at close (a keep-alive stream cut by the server) has nowhere to go.
      if (!stream.writableEnded) append(`${JSON.stringify(entry)}\n`);
    });
    next();
  };

  return {
    middleware,
    close: () => (closing ??= new Promise<void>((resolve) => stream.end(() => resolve()))),
  };
}
