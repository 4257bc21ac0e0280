import type { RequestHandler } from 'express';
import type { z } from 'zod';
import { HttpProblem } from './http-problem.ts';

export interface ValidationSchemas {
  body?: z.ZodType;
  query?: z.ZodType;
  params?: z.ZodType;
}

type Output<T, Fallback> = T extends z.ZodType ? z.output<T> : Fallback;

/** One problem found in the request, as reported in the 400 problem's `issues` member. */
export interface RequestIssue {
  location: 'body' | 'query' | 'params';
  /** Dotted path inside that location (`items.0.quantity`); empty for the location itself. */
  path: string;
  message: string;
  code: string;
}

/**
 * Validates the request against zod schemas and replaces `req.body`, `req.query` and `req.params`
 * with the parsed values (so defaults and coercions apply). Every issue of every location is
 * reported in one 400 problem, so a client fixes its request in one round trip. The handler's type
 * carries the parsed shapes, so the route functions after it see typed `req.body` etc.
 */
export function validate<S extends ValidationSchemas>(
  schemas: S,
): RequestHandler<
  Output<S['params'], Record<string, string>>,
  unknown,
  Output<S['body'], unknown>,
  Output<S['query'], Record<string, unknown>>
> {
  return (req, _res, next) => {
    const issues: RequestIssue[] = [];
    const parsed: Partial<Record<RequestIssue['location'], unknown>> = {};
    for (const location of ['params', 'query', 'body'] as const) {
      const schema = schemas[location];
      if (schema === undefined) continue;
      const result = schema.safeParse(req[location]);
      if (result.success) {
        parsed[location] = result.data;
      } else {
        for (const issue of result.error.issues) {
          issues.push({
            location,
            path: issue.path.map(String).join('.'),
            message: issue.message,
            code: issue.code,
          });
        }
      }
    }
    if (issues.length > 0) {
      next(
        new HttpProblem({
          status: 400,
          code: 'VALIDATION_FAILED',
          title: 'Request validation failed',
          detail: `The request has ${issues.length} invalid field${issues.length === 1 ? '' : 's'}.`,
          extensions: { issues },
        }),
      );
      return;
    }
    if ('body' in parsed) req.body = parsed.body as never;
    if ('params' in parsed) req.params = parsed.params as never;
    // Express 5 defines `req.query` as a getter on the prototype; shadow it with an own property.
    if ('query' in parsed) {
      Object.defineProperty(req, 'query', {
        value: parsed.query,
        writable: true,
        configurable: true,
        enumerable: true,
      });
    }
    next();
  };
}
