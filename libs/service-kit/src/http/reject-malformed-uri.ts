import type { RequestHandler } from 'express';
import { HttpProblem } from './http-problem.ts';

/**
 * Refuses a request whose path or query holds malformed percent-encoding (`%%`, `%E0%A4%A`...)
 * before any route sees it. Express would otherwise fail deep inside routing with a URIError (a 500)
 * for a path parameter, and silently keep the raw text of a query value, so `?customerId=%%` would
 * search for a customer literally called "%%". One check up front gives every route the same 400.
 */
export const rejectMalformedUri: RequestHandler = (req, _res, next) => {
  const url = req.originalUrl;
  const queryAt = url.indexOf('?');
  const path = queryAt < 0 ? url : url.slice(0, queryAt);
  const query = queryAt < 0 ? '' : url.slice(queryAt + 1);
  for (const [part, text] of [
    ['path', path],
    ['query', query],
  ] as const) {
    if (!decodes(text)) {
      next(
        new HttpProblem({
          status: 400,
          code: 'MALFORMED_URI',
          detail:
            `The request ${part} has malformed percent-encoding: ${JSON.stringify(text)}. ` +
            "Every '%' must start a valid escape (write a literal '%' as %25).",
        }),
      );
      return;
    }
  }
  next();
};

function decodes(text: string): boolean {
  if (!text.includes('%')) return true;
  try {
    decodeURIComponent(text);
    return true;
  } catch {
    return false;
  }
}
