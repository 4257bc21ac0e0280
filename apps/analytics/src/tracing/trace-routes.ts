import type { Router } from 'express';
import { z } from 'zod';
import { HttpProblem, validate } from '@retail-streams/service-kit';
import { OtlpMalformedError, readExportRequest } from './otlp-json.ts';
import type { StoredSpan } from './stored-span.ts';
import type { TraceStore } from './trace-store.ts';

const orderParams = z.object({ orderId: z.string().min(1).max(100) });

/**
 * The demo's trace collection and the order journey API:
 * - `POST /v1/traces`: OTLP/HTTP in its JSON encoding, what every other process exports to on the
 *   embedded default (compose sends them to its collector and Jaeger instead);
 * - `GET /api/orders/:orderId/trace`: that order's spans, oldest first, 404 when none are kept;
 * - `GET /api/traces/latest`: the most recent sync and async order with a journey.
 */
export function traceRoutes(router: Router, store: TraceStore): void {
  router.post('/v1/traces', (req, res) => {
    if (!req.is('application/json')) {
      throw new HttpProblem({
        status: 415,
        code: 'OTLP_JSON_ONLY',
        detail:
          'This collector reads OTLP/HTTP in its JSON encoding: export with OTEL_EXPORTER_OTLP_PROTOCOL=http/json.',
      });
    }
    let spans: StoredSpan[];
    try {
      spans = readExportRequest(req.body);
    } catch (error) {
      if (!(error instanceof OtlpMalformedError)) throw error;
      throw new HttpProblem({
        status: 400,
        code: 'OTLP_MALFORMED',
        detail: `Not an OTLP ExportTraceServiceRequest: ${error.message}. Nothing of it was stored.`,
      });
    }
    store.add(spans);
    res.json({}); // ExportTraceServiceResponse: everything accepted
  });

  router.get('/api/orders/:orderId/trace', validate({ params: orderParams }), (req, res) => {
    const { orderId } = req.params as z.infer<typeof orderParams>;
    const journey = store.journey(orderId);
    if (journey === undefined)
      throw HttpProblem.notFound(
        `No spans are kept for order ${orderId}: it is unknown, older than the last orders kept, or was not sampled.`,
        'TRACE_NOT_FOUND',
      );
    res.json({ orderId, ...journey });
  });

  router.get('/api/traces/latest', (_req, res) => {
    res.json({ orders: store.latestOrders() });
  });
}
