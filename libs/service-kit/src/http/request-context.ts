import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import './express-augmentation.ts';

export const REQUEST_ID_HEADER = 'x-request-id';

// An incoming id is trusted only when it looks like an id: it is echoed into headers and log lines,
// so arbitrary text (newlines, megabytes) from a client must not pass through.
const ACCEPTABLE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Assigns the request id (the caller's `x-request-id` when sane, else a fresh UUID), echoes it in
 * the response, binds a child logger to it and writes one log line when the response ends: a warning
 * for a 4xx, an error for a 5xx, and debug for everything that went well (a busy shop serves hundreds
 * of orders a second: an info line each would cost more than the order; the access-log file and
 * `logs.access` still count every request).
 */
export function requestContext(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const incoming = req.get(REQUEST_ID_HEADER);
    const id =
      incoming !== undefined && ACCEPTABLE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    req.id = id;
    req.log = logger.child({ requestId: id });
    res.setHeader(REQUEST_ID_HEADER, id);

    const started = process.hrtime.bigint();
    let logged = false;
    const logCompletion = (): void => {
      if (logged) return;
      logged = true;
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      const status = res.statusCode;
      const line = {
        req: { method: req.method, url: req.originalUrl, route: matchedRoute(req) },
        res: { statusCode: status },
        responseTimeMs: Math.round(durationMs * 1000) / 1000,
        aborted: !res.writableFinished,
      };
      const message = res.writableFinished ? 'request completed' : 'request aborted';
      if (status >= 500) req.log.error(line, message);
      else if (status >= 400 && !req.path.startsWith('/health/')) req.log.warn(line, message);
      else req.log.debug(line, message);
    };
    res.on('finish', logCompletion);
    res.on('close', logCompletion);
    next();
  };
}

/** The route pattern Express matched (`/orders/:id`), which groups requests better than the URL. */
export function matchedRoute(req: {
  baseUrl: string;
  route?: { path?: unknown };
}): string | undefined {
  const path = req.route?.path;
  return typeof path === 'string' ? `${req.baseUrl}${path}` : undefined;
}
