import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { createServiceApp, startHttpServer } from '../http/index.ts';
import { createLogger } from '../logging/index.ts';
import { startTelemetry, traceHeaders, withSpan } from './index.ts';
import type { Telemetry } from './index.ts';

const logger = createLogger('telemetry-test', { level: 'silent' });
let telemetry: Telemetry | undefined;

afterEach(async () => {
  await telemetry?.shutdown();
  telemetry = undefined;
});

/** A service whose routes exercise spans: a nested span, a downstream call, and a failure. */
async function startService(downstreamUrl?: string) {
  const app = createServiceApp({
    name: 'sales',
    logger,
    routes: (router) => {
      router.get('/orders/:id', async (req, res) => {
        const reserved = await withSpan('reserve stock', () => 'ok');
        res.json({ id: req.params.id, reserved });
      });
      router.get('/sync-order', async (_req, res) => {
        const response = await fetch(`${downstreamUrl}/orders/7`, { headers: traceHeaders() });
        res.json(await response.json());
      });
      router.get('/boom', () => {
        throw new Error('boom');
      });
    },
  });
  return startHttpServer(app, 0, '127.0.0.1');
}

describe('startTelemetry without an OTLP endpoint', () => {
  it('records a server span per request, named after the route, continuing the caller trace', async () => {
    telemetry = startTelemetry({ serviceName: 'sales', env: {} });
    expect(telemetry.exportUrl).toBeUndefined();
    const server = await startService();
    try {
      const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
      const callerSpanId = '00f067aa0ba902b7';
      const response = await fetch(`${server.url}/orders/42`, {
        headers: { traceparent: `00-${traceId}-${callerSpanId}-01` },
      });
      expect(response.status).toBe(200);
      await response.arrayBuffer();
    } finally {
      await server.close();
    }
    const spans = telemetry.spans.getFinishedSpans();
    const serverSpan = spans.find((span) => span.kind === SpanKind.SERVER);
    expect(serverSpan?.name).toBe('GET /orders/:id');
    expect(serverSpan?.spanContext().traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(serverSpan?.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
    expect(serverSpan?.attributes).toMatchObject({
      'http.request.method': 'GET',
      'http.route': '/orders/:id',
      'http.response.status_code': 200,
    });
    expect(serverSpan?.resource.attributes['service.name']).toBe('sales');

    // Work done inside the handler is a child of the server span.
    const inner = spans.find((span) => span.name === 'reserve stock');
    expect(inner?.spanContext().traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(inner?.parentSpanContext?.spanId).toBe(serverSpan?.spanContext().spanId);
  });

  it('marks the server span of a failed request as an error', async () => {
    telemetry = startTelemetry({ serviceName: 'sales', env: {} });
    const server = await startService();
    try {
      const response = await fetch(`${server.url}/boom`);
      expect(response.status).toBe(500);
      await response.arrayBuffer();
    } finally {
      await server.close();
    }
    const serverSpan = telemetry.spans
      .getFinishedSpans()
      .find((span) => span.kind === SpanKind.SERVER);
    expect(serverSpan?.status.code).toBe(SpanStatusCode.ERROR);
    expect(serverSpan?.attributes['http.response.status_code']).toBe(500);
  });

  it('carries one trace across a synchronous call to another service', async () => {
    telemetry = startTelemetry({ serviceName: 'sales', env: {} });
    const inventory = await startService();
    const sales = await startService(inventory.url);
    try {
      await (await fetch(`${sales.url}/sync-order`)).arrayBuffer();
    } finally {
      await sales.close();
      await inventory.close();
    }
    const serverSpans = telemetry.spans
      .getFinishedSpans()
      .filter((span) => span.kind === SpanKind.SERVER);
    const caller = serverSpans.find((span) => span.name === 'GET /sync-order');
    const callee = serverSpans.find((span) => span.name === 'GET /orders/:id');
    expect(callee?.spanContext().traceId).toBe(caller?.spanContext().traceId);
    expect(callee?.parentSpanContext?.spanId).toBe(caller?.spanContext().spanId);
  });

  it('keeps only the most recent spans', async () => {
    telemetry = startTelemetry({ serviceName: 'sales', env: {}, keepSpans: 3 });
    for (let i = 0; i < 5; i++) await withSpan(`span ${i}`, () => undefined);
    expect(telemetry.spans.getFinishedSpans().map((span) => span.name)).toEqual([
      'span 2',
      'span 3',
      'span 4',
    ]);
  });
});

/** A collector that records what it is sent. */
async function startCollector() {
  const received: { url: string | undefined; contentType: string | undefined; body: Buffer }[] = [];
  const collector = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({
        url: req.url,
        contentType: req.headers['content-type'],
        body: Buffer.concat(chunks),
      });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  collector.listen(0, '127.0.0.1');
  await once(collector, 'listening');
  return {
    received,
    endpoint: `http://127.0.0.1:${(collector.address() as AddressInfo).port}`,
    close: () => collector.close(),
  };
}

describe('startTelemetry switches (OTel SDK environment variables)', () => {
  it('exports OTLP JSON with OTEL_EXPORTER_OTLP_PROTOCOL=http/json (what the demo collector reads)', async () => {
    const collector = await startCollector();
    try {
      telemetry = startTelemetry({
        serviceName: 'sales',
        env: {
          OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${collector.endpoint}/v1/traces`,
          OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        },
      });
      await withSpan('place order', () => undefined);
      await telemetry.forceFlush();
    } finally {
      collector.close();
    }
    expect(collector.received[0]?.contentType).toBe('application/json');
    const body = JSON.parse(collector.received[0]?.body.toString() ?? '{}') as {
      resourceSpans: { scopeSpans: { spans: { name: string }[] }[] }[];
    };
    expect(body.resourceSpans[0]?.scopeSpans[0]?.spans[0]?.name).toBe('place order');
  });

  it('records nothing with OTEL_SDK_DISABLED=true, and refuses a protocol it does not speak', async () => {
    telemetry = startTelemetry({ serviceName: 'sales', env: { OTEL_SDK_DISABLED: 'true' } });
    await withSpan('not recorded', () => undefined);
    expect(telemetry.spans.getFinishedSpans()).toEqual([]);
    await telemetry.shutdown();
    telemetry = undefined;
    expect(() =>
      startTelemetry({
        serviceName: 'sales',
        env: {
          OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9',
          OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
        },
      }),
    ).toThrow(/OTEL_EXPORTER_OTLP_PROTOCOL=grpc is not supported/);
  });

  it('samples whole traces by ratio: a child follows its parent', async () => {
    telemetry = startTelemetry({
      serviceName: 'sales',
      env: { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0' },
    });
    await withSpan('root', () => withSpan('child', () => undefined));
    expect(telemetry.spans.getFinishedSpans()).toEqual([]);
  });
});

describe('startTelemetry with OTEL_EXPORTER_OTLP_ENDPOINT', () => {
  it('exports spans as OTLP http/protobuf to <endpoint>/v1/traces', async () => {
    const received: { url: string | undefined; contentType: string | undefined; body: Buffer }[] =
      [];
    const collector = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push({
          url: req.url,
          contentType: req.headers['content-type'],
          body: Buffer.concat(chunks),
        });
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      });
    });
    collector.listen(0, '127.0.0.1');
    await once(collector, 'listening');
    const endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
    try {
      telemetry = startTelemetry({
        serviceName: 'inventory',
        env: { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint },
      });
      expect(telemetry.exportUrl).toBe(`${endpoint}/v1/traces`);
      await withSpan('reserve stock for order-123', () => undefined);
      await telemetry.forceFlush();
    } finally {
      collector.close();
    }
    expect(received).toHaveLength(1);
    expect(received[0]?.url).toBe('/v1/traces');
    expect(received[0]?.contentType).toBe('application/x-protobuf');
    // Protobuf keeps strings as UTF-8 bytes: the span and service names are in the payload.
    expect(received[0]?.body.includes('reserve stock for order-123')).toBe(true);
    expect(received[0]?.body.includes('inventory')).toBe(true);
  });
});
