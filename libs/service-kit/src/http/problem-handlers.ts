import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import { HttpProblem, PROBLEM_CONTENT_TYPE } from './http-problem.ts';
import './express-augmentation.ts';

export function sendProblem(req: Request, res: Response, problem: HttpProblem): void {
  res
    .status(problem.status)
    .type(PROBLEM_CONTENT_TYPE)
    .send(JSON.stringify(problem.toDocument({ instance: req.originalUrl, requestId: req.id })));
}

/** The last route: anything that reached it matched nothing. */
export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(
    new HttpProblem({
      status: 404,
      code: 'ROUTE_NOT_FOUND',
      detail: `No route for ${req.method} ${req.path}`,
    }),
  );
};

/**
 * Turns every error into a problem document. Known client errors keep their status; anything else
 * is a 500 whose body says only that something failed and which request id to quote: the stack
 * and message go to the log (with that id), never to the client.
 */
export const problemErrorHandler: ErrorRequestHandler = (error: unknown, req, res, next) => {
  if (res.headersSent) {
    // Too late for a problem document: let Express abort the response.
    req.log.error({ err: error }, 'error after the response started');
    next(error);
    return;
  }
  const problem = toProblem(error);
  if (problem.status >= 500) {
    req.log.error({ err: error }, 'unhandled error while serving the request');
  }
  sendProblem(req, res, problem);
};

interface ParserError {
  type?: unknown;
  status?: unknown;
  statusCode?: unknown;
  expose?: unknown;
  message?: unknown;
}

export function toProblem(error: unknown): HttpProblem {
  if (error instanceof HttpProblem) return error;
  if (typeof error === 'object' && error !== null) {
    const candidate = error as ParserError;
    // Errors from express.json() (body-parser) carry a `type` naming what went wrong.
    switch (candidate.type) {
      case 'entity.parse.failed':
        return new HttpProblem({
          status: 400,
          code: 'MALFORMED_JSON',
          detail: 'The request body is not valid JSON.',
        });
      case 'entity.too.large':
        return new HttpProblem({
          status: 413,
          code: 'PAYLOAD_TOO_LARGE',
          detail: 'The request body is too large.',
        });
      case 'encoding.unsupported':
      case 'charset.unsupported':
        return new HttpProblem({
          status: 415,
          code: 'UNSUPPORTED_ENCODING',
          detail: String(candidate.message),
        });
    }
    // Other http-errors style client errors that declare themselves safe to show.
    const status = typeof candidate.status === 'number' ? candidate.status : candidate.statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500 && candidate.expose === true) {
      return new HttpProblem({ status, code: 'BAD_REQUEST', detail: String(candidate.message) });
    }
  }
  if (isDatabaseUnavailable(error)) {
    return HttpProblem.serviceUnavailable(
      'The database is overloaded or unreachable right now; retry the request shortly.',
      'DATABASE_UNAVAILABLE',
    );
  }
  return new HttpProblem({
    status: 500,
    code: 'INTERNAL_ERROR',
    detail: 'An unexpected error occurred. Quote the request id when reporting it.',
  });
}

/**
 * Prisma's codes for "no connection or transaction could be had in time" (P2024 pool timeout, P2028
 * transaction start timeout) and "the server is gone" (P1001, P1017). Under overload or a database
 * restart these are the service being busy, not a bug: a 503 tells the client to retry.
 */
const databaseUnavailableCodes = new Set(['P1001', 'P1017', 'P2024', 'P2028']);
/**
 * The same from node-postgres (the SqlClient's hot paths): the socket's errno, or the server's
 * SQLSTATE for a connection failure (08), too many connections or no resources (53), a shutdown
 * or restart (57P01-03), a database not accepting connections (55000).
 */
const unavailableErrnos = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE']);
const unavailableSqlStates = /^(08|53)[0-9A-Z]{3}$|^57P0[123]$|^55000$/;
const unavailableDriverMessages =
  /Connection terminated|timeout exceeded when trying to connect|not queryable/i;

function isDatabaseUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') {
    return (
      databaseUnavailableCodes.has(code) ||
      unavailableErrnos.has(code) ||
      unavailableSqlStates.test(code)
    );
  }
  return error instanceof Error && unavailableDriverMessages.test(error.message);
}
