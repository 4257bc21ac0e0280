import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { RequestHandler } from 'express';
import { matchedRoute } from '../http/request-context.ts';

/**
 * Creates the SERVER span of each request here rather than through
 * @opentelemetry/instrumentation-http/-express: those patch modules as they are loaded, which under
 * native ESM needs a loader hook (`--import`) and ordering guarantees before Express is imported.
 * A middleware works the same in `node file.ts`, under Vitest and in every service, and it names the
 * span after the matched route. The caller's W3C `traceparent` becomes the parent, and the span is
 * the active context for the rest of the request, so spans started by handlers (a Kafka produce,
 * a database call) join the same trace. Without a started SDK the API is a no-op and this costs little.
 */
export function httpServerSpans(serviceName: string): RequestHandler {
  const tracer = trace.getTracer(`@retail-streams/service-kit/http:${serviceName}`);
  return (req, res, next) => {
    const parent = propagation.extract(context.active(), req.headers);
    const span = tracer.startSpan(
      req.method,
      {
        kind: SpanKind.SERVER,
        attributes: {
          'http.request.method': req.method,
          'url.path': req.path,
          'url.scheme': req.protocol,
          'service.name': serviceName,
        },
      },
      parent,
    );
    span.setAttribute('http.request.id', req.id ?? '');
    let ended = false;
    const end = (): void => {
      if (ended) return;
      ended = true;
      const route = matchedRoute(req);
      if (route !== undefined) {
        span.updateName(`${req.method} ${route}`);
        span.setAttribute('http.route', route);
      }
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      if (!res.writableFinished) span.setAttribute('http.aborted', true);
      span.end();
    };
    res.on('finish', end);
    res.on('close', end);
    context.with(trace.setSpan(parent, span), next);
  };
}
