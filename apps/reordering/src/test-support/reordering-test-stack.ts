import {
  createEvent,
  decodeEvent,
  topics,
  type EventOf,
  type EventTopic,
  type LowStockDetected,
} from '@retail-streams/contracts';
import { createLogger } from '@retail-streams/service-kit';
import { startTestPostgres } from '@retail-streams/service-kit/testing';
import { startStreamingFixture } from '@retail-streams/streaming-client/testing';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { reorderingConfigSchema } from '../config.ts';
import { startReordering, type RunningReordering } from '../start-reordering.ts';

export interface ServiceOptions {
  database: string;
  leadTimeMs: number;
  accessLogFile?: string;
}

/**
 * One real broker and one real PostgreSQL for a test file, and what its tests need around them:
 * starting the service in-process on a database of their own, publishing low-stock events as
 * inventory would, reading topics back, and querying the service's tables.
 */
export async function startReorderingTestStack() {
  const streamingFixture = await startStreamingFixture('reordering-test');
  const { broker, streaming } = streamingFixture;
  const postgres = await startTestPostgres();
  const kafka = new Kafka({
    brokers: [broker.bootstrap],
    clientId: 'reordering-test-reader',
    logLevel: logLevel.NOTHING,
  });
  const services = new Set<RunningReordering>();

  return {
    bootstrap: broker.bootstrap,

    async databaseUrl(name: string): Promise<string> {
      return postgres.createDatabase(name);
    },

    async startService(options: ServiceOptions): Promise<RunningReordering> {
      const config = reorderingConfigSchema.parse({
        PORT: '0',
        DATABASE_URL: await postgres.createDatabase(options.database),
        KAFKA_BROKERS: broker.bootstrap,
        SUPPLIER_LEAD_TIME_MS: String(options.leadTimeMs),
        ACCESS_LOG_FILE: options.accessLogFile,
      });
      const logger = createLogger('reordering', {
        level: process.env['TEST_LOG_LEVEL'] ?? 'silent',
      });
      const service = await startReordering(config, logger);
      services.add(service);
      return {
        ...service,
        stop: async () => {
          services.delete(service);
          await service.stop();
        },
      };
    },

    /** Publishes a LowStockDetected as inventory would; defaults make a plausible event. */
    async publishLowStock(
      input: { sku: string; id?: string; occurredAt?: Date } & Partial<LowStockDetected['data']>,
    ): Promise<LowStockDetected> {
      const event = createEvent(
        topics.lowStock,
        'LowStockDetected',
        {
          sku: input.sku,
          available: input.available ?? 3,
          reorderPoint: input.reorderPoint ?? 5,
          reorderQuantity: input.reorderQuantity ?? 40,
        },
        {
          source: 'inventory',
          correlationId: input.sku,
          id: input.id,
          occurredAt: input.occurredAt,
        },
      );
      await streaming.producer.publish(topics.lowStock, event);
      return event;
    },

    /** Publishes an already-built event again, as a redelivery or a producer retry would. */
    async republish(event: LowStockDetected): Promise<void> {
      await streaming.producer.publish(topics.lowStock, event);
    },

    /** Every event on a topic, from the beginning to the end it has now (deterministic counts). */
    readAll: <T extends EventTopic>(topic: T) => readWholeTopic(kafka, topic),

    /** SQL against a service database, outside the service (to inspect its state). */
    async sql<Row>(database: string, text: string, values: unknown[] = []): Promise<Row[]> {
      const client = new pg.Client({ connectionString: await postgres.createDatabase(database) });
      await client.connect();
      try {
        return (await client.query(text, values)).rows as Row[];
      } finally {
        await client.end();
      }
    },

    async stop(): Promise<void> {
      for (const service of services) await service.stop();
      await streamingFixture.stop();
      await postgres.stop();
    },
  };
}

export type ReorderingTestStack = Awaited<ReturnType<typeof startReorderingTestStack>>;

async function readWholeTopic<T extends EventTopic>(kafka: Kafka, topic: T): Promise<EventOf<T>[]> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic.name);
  await admin.disconnect();
  const pending = new Map(
    ends.filter((entry) => BigInt(entry.high) > 0n).map((e) => [e.partition, BigInt(e.high)]),
  );
  const events: EventOf<T>[] = [];
  if (pending.size === 0) return events;
  const consumer = kafka.consumer({
    groupId: `reader-${Math.random().toString(36).slice(2)}`,
    maxWaitTimeInMs: 100,
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: topic.name, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            const end = pending.get(partition);
            if (end === undefined || BigInt(message.offset) >= end) return;
            events.push(decodeEvent(topic, message.value));
            if (BigInt(message.offset) + 1n >= end) {
              pending.delete(partition);
              if (pending.size === 0) resolve();
            }
          },
        })
        .catch(reject);
    });
    return events;
  } finally {
    await consumer.disconnect();
  }
}

/** Polls until `check` returns a value, failing with `what` if it does not within the timeout. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await check();
    if (result !== undefined && result !== null && result !== false) return result;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
