import { createWriteStream } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AccessLogLine } from '@retail-streams/contracts';

/**
 * Appends one JSON line per HTTP request (the contracts' `accessLogLine`) to a file, for the file
 * source connector to ship to `logs.access`. It listens on the HTTP server itself rather than in
 * the Express app, so every request is logged — health probes, unknown routes and malformed bodies
 * included — however the app answers it.
 * Returns a function that stops logging and closes the file.
 */
export function writeAccessLog(server: Server, file: string, service: string): () => Promise<void> {
  const out = createWriteStream(file, { flags: 'a' });
  // A full disk must not take the service down; the log is a by-product.
  out.on('error', () => undefined);
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const started = performance.now();
    res.once('finish', () => {
      const requestId = res.getHeader('x-request-id');
      const line: AccessLogLine = {
        time: new Date().toISOString(),
        service,
        method: req.method ?? 'GET',
        path: (req.url ?? '/').split('?')[0] ?? '/',
        status: res.statusCode,
        durationMs: Math.round((performance.now() - started) * 100) / 100,
        ...(typeof requestId === 'string' ? { requestId } : {}),
      };
      out.write(`${JSON.stringify(line)}\n`);
    });
  };
  server.on('request', onRequest);
  return () =>
    new Promise<void>((resolve) => {
      server.off('request', onRequest);
      out.end(() => resolve());
    });
}
