import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';

const tracer = trace.getTracer('@retail-streams/service-kit/http-client');

export interface HttpClientCall {
  /** The headers to send: the span's `traceparent` is already in them. */
  headers: Record<string, string>;
  /** Records the answer's status (5xx marks the span failed, as the HTTP semantic conventions say). */
  answered(status: number): void;
}

/**
 * Runs an outgoing HTTP request inside a CLIENT span named and attributed per the OTel HTTP
 * semantic conventions, with the span's context in the request headers so the callee's SERVER span
 * is its child. A thrown error (refused, timed out) ends the span as failed with `error.type`.
 */
export async function withHttpClientSpan<T>(
  method: string,
  url: URL,
  headers: Record<string, string>,
  call: (request: HttpClientCall) => Promise<T>,
): Promise<T> {
  const span = tracer.startSpan(method, {
    kind: SpanKind.CLIENT,
    attributes: {
      'http.request.method': method,
      'server.address': url.hostname,
      'server.port': Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
      'url.full': url.href,
    },
  });
  const spanContext = trace.setSpan(context.active(), span);
  propagation.inject(spanContext, headers);
  try {
    return await context.with(spanContext, () =>
      call({
        headers,
        answered(status) {
          span.setAttribute('http.response.status_code', status);
          if (status >= 500) {
            span.setAttribute('error.type', String(status));
            span.setStatus({ code: SpanStatusCode.ERROR });
          }
        },
      }),
    );
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    span.setAttribute('error.type', typeof code === 'string' ? code : (error as Error).name);
    span.recordException(error as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
    throw error;
  } finally {
    span.end();
  }
}
