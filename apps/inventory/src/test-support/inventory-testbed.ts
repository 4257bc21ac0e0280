import { topics, type EventOf, type EventTopic, type RawTopic } from '@retail-streams/contracts';
import { createLogger } from '@retail-streams/service-kit';
import { startTestPostgres } from '@retail-streams/service-kit/testing';
import type { RecordContext } from '@retail-streams/streaming-client';
import { startStreamingFixture } from '@retail-streams/streaming-client/testing';
import { inventoryConfigSchema, type InventoryConfig } from '../config.ts';
import { startInventory, type RunningInventory } from '../start-inventory.ts';

/** What inventory publishes, as the tap saw it. */
export interface TappedEvents {
  reservationResults: EventOf<typeof topics.reservationResult>[];
  stockLevels: EventOf<typeof topics.stockLevel>[];
  lowStock: EventOf<typeof topics.lowStock>[];
}

export interface DeadLetter {
  value: string;
  headers: Record<string, string>;
}

/**
 * One real broker, one real PostgreSQL and a tap on inventory's output topics: what an inventory
 * test file starts once (beforeAll). Inventory instances are started against it with
 * `startInventory(database)`; the test drives them with `publish` and HTTP, and reads what they
 * publish from `events`.
 */
export async function startInventoryTestbed() {
  const streamingFixture = await startStreamingFixture('inventory-test');
  const { broker, streaming } = streamingFixture;
  const postgres = await startTestPostgres();

  const events: TappedEvents = { reservationResults: [], stockLevels: [], lowStock: [] };
  const tap = streaming
    .consumer({ groupId: `inventory-test-tap-${process.pid}` })
    .on(topics.reservationResult, async (event) => void events.reservationResults.push(event))
    .on(topics.stockLevel, async (event) => void events.stockLevels.push(event))
    .on(topics.lowStock, async (event) => void events.lowStock.push(event));
  await tap.start();

  const running = new Set<RunningInventory>();
  const deadLetterTaps: DeadLetter[][] = [];

  return {
    broker,
    postgres,
    streaming,
    events,
    /** A plain kafkajs client for the test's own questions (DescribeGroups). */
    kafka: streamingFixture.kafka,

    config(databaseUrl: string, env: Record<string, string> = {}): InventoryConfig {
      return inventoryConfigSchema.parse({
        PORT: '0',
        DATABASE_URL: databaseUrl,
        KAFKA_BROKERS: broker.bootstrap,
        ...env,
      });
    },

    /** Starts inventory on a (fresh or existing) database of the test server. */
    async startInventory(database: string, env: Record<string, string> = {}) {
      const databaseUrl = await postgres.createDatabase(database);
      const logger = createLogger('inventory', {
        level: process.env['INVENTORY_TEST_LOG_LEVEL'] ?? 'silent',
      });
      const inventory = await startInventory(this.config(databaseUrl, env), logger);
      running.add(inventory);
      const stop = inventory.stop;
      inventory.stop = async () => {
        running.delete(inventory);
        await stop();
      };
      return Object.assign(inventory, { databaseUrl });
    },

    publish<T extends EventTopic>(topic: T, event: EventOf<T>) {
      return streaming.producer.publish(topic, event);
    },

    /** Sends raw bytes to a topic, as a broken producer would. */
    publishRaw(topicName: string, key: string, value: string) {
      return streaming.producer.sendRecords(topicName, [{ key, value }]);
    },

    /** Collects what lands in a dead-letter topic (which must exist: a runner creates its own). */
    async tapDeadLetters(topicName: string): Promise<DeadLetter[]> {
      const collected: DeadLetter[] = [];
      const topic: RawTopic = {
        kind: 'raw',
        name: topicName,
        description: 'dead letters under test',
        keyDescription: 'as the source',
        partitions: 1,
        cleanupPolicy: 'delete',
        producers: ['inventory'],
        consumers: [],
      };
      await streaming
        .consumer({ groupId: `inventory-test-dlq-${deadLetterTaps.length}-${process.pid}` })
        .onRaw(topic, async (value: string, context: RecordContext) => {
          collected.push({ value, headers: context.headers });
        })
        .start();
      deadLetterTaps.push(collected);
      return collected;
    },

    async stop() {
      for (const inventory of [...running]) await inventory.stop();
      await streamingFixture.stop();
      await postgres.stop();
    },
  };
}

export type InventoryTestbed = Awaited<ReturnType<typeof startInventoryTestbed>>;

/** Polls until `check` holds, failing with `what` (and the last value seen) after the timeout. */
export async function eventually<T>(
  what: string,
  check: () => T | Promise<T>,
  timeoutMs = 30_000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Reads one product over HTTP. */
export async function product(url: string, sku: string) {
  const response = await fetch(`${url}/products/${sku}`);
  if (response.status !== 200) throw new Error(`GET /products/${sku}: ${response.status}`);
  return (await response.json()) as { sku: string; available: number; unitPrice: number };
}
