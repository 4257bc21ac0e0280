import { randomUUID } from 'node:crypto';
import { trace } from '@opentelemetry/api';
import { createEvent, topics } from '@retail-streams/contracts';
import { startTelemetry, type Telemetry } from '@retail-streams/service-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeToOutbox } from '../outbox/outbox-writer.ts';
import { startOutboxDatabase } from '../test-support/outbox-database.ts';
import { eventually, startStreamingFixture } from '../test-support/streaming-fixture.ts';

let telemetry: Telemetry;
let streaming: Awaited<ReturnType<typeof startStreamingFixture>>;
let database: Awaited<ReturnType<typeof startOutboxDatabase>>;

beforeAll(async () => {
  telemetry = startTelemetry({ serviceName: 'tracing-test', env: {} });
  [streaming, database] = await Promise.all([startStreamingFixture(), startOutboxDatabase()]);
});
afterAll(async () => {
  await Promise.all([streaming?.stop(), database?.stop()]);
  await telemetry?.shutdown();
});

function order(orderId: string) {
  return createEvent(
    topics.orderPlaced,
    'OrderPlaced',
    { orderId, customerId: 'c-1', lines: [{ sku: 'SKU-1', quantity: 1 }], mode: 'async' },
    { source: 'test', correlationId: orderId },
  );
}

/** Starts a consumer that remembers the trace id its handler ran under, per order id. */
async function traceIdsSeenByConsumer() {
  const seen = new Map<string, string>();
  const runner = streaming.streaming
    .consumer({ groupId: `tracing-${randomUUID().slice(0, 8)}` })
    .on(topics.orderPlaced, async (event) => {
      const traceId = trace.getActiveSpan()?.spanContext().traceId;
      if (traceId) seen.set(event.data.orderId, traceId);
    });
  await runner.start();
  return { seen, runner };
}

describe('trace context across a topic', () => {
  it('continues the producer trace in the consumer handler', async () => {
    const { seen, runner } = await traceIdsSeenByConsumer();
    try {
      const orderId = randomUUID();
      const producerTraceId = await telemetry.tracer.startActiveSpan(
        'POST /orders',
        async (span) => {
          await streaming.streaming.producer.publish(topics.orderPlaced, order(orderId));
          span.end();
          return span.spanContext().traceId;
        },
      );
      await eventually('the consumer to handle the order', () => seen.has(orderId));
      expect(seen.get(orderId)).toBe(producerTraceId);
    } finally {
      await runner.stop();
    }
  });

  it('carries the request trace through the outbox and the relay', async () => {
    const { seen, runner } = await traceIdsSeenByConsumer();
    const relay = streaming.streaming.outboxRelay({
      db: database.prisma,
      databaseUrl: database.databaseUrl,
    });
    await relay.start();
    try {
      const orderId = randomUUID();
      const requestTraceId = await telemetry.tracer.startActiveSpan(
        'POST /orders',
        async (span) => {
          await database.prisma.$transaction((tx) =>
            writeToOutbox(tx, topics.orderPlaced, [order(orderId)]),
          );
          span.end();
          return span.spanContext().traceId;
        },
      );
      await eventually('the consumer to handle the order', () => seen.has(orderId));
      expect(seen.get(orderId)).toBe(requestTraceId);
      const relaySpan = telemetry.spans
        .getFinishedSpans()
        .find(
          (span) =>
            span.name.endsWith('(outbox)') &&
            span.links.some((link) => link.context.traceId === requestTraceId),
        );
      expect(relaySpan, 'the relay span links to the request trace').toBeDefined();
    } finally {
      await relay.stop();
      await runner.stop();
    }
  });
});
