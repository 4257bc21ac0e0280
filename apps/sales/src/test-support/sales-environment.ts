import { decodeEvent, type EventOf, type EventTopic } from '@retail-streams/contracts';
import { createLogger } from '@retail-streams/service-kit';
import { startTestPostgres } from '@retail-streams/service-kit/testing';
import { startStreamingFixture } from '@retail-streams/streaming-client/testing';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import pg from 'pg';
import { loadSalesConfig, type SalesConfig } from '../config.ts';
import { startSales, type RunningSales } from '../start-sales.ts';

export interface TestSales extends RunningSales {
  databaseUrl: string;
  /** Runs SQL against the service's database, to look at what it stored. */
  sql<Row extends Record<string, unknown>>(text: string, values?: unknown[]): Promise<Row[]>;
}

/**
 * What a sales test file starts once: a real embedded broker with the registry's topics and a real
 * PostgreSQL server, plus a connection acting as the other services (publishing their events).
 * Each started sales instance gets a database of its own.
 */
export async function startSalesEnvironment() {
  const [streamingFixture, postgres] = await Promise.all([
    startStreamingFixture('sales-test'),
    startTestPostgres(),
  ]);
  const { broker, streaming } = streamingFixture;
  const started: TestSales[] = [];
  const recorders: TopicRecorder<EventTopic>[] = [];
  let databases = 0;

  return {
    broker,
    postgres,
    /** The test's own producer: it plays inventory. */
    producer: streaming.producer,

    /** Starts sales in-process on a free port; `database` reuses one (a restart). */
    async startSales(
      overrides: Partial<SalesConfig> = {},
      database = `sales_${++databases}`,
    ): Promise<TestSales> {
      const databaseUrl = await postgres.createDatabase(database);
      const config = {
        ...loadSalesConfig({
          DATABASE_URL: databaseUrl,
          KAFKA_BROKERS: broker.bootstrap,
          PORT: '0',
        }),
        ...overrides,
      };
      const logger = createLogger('sales', { level: process.env['TEST_LOG_LEVEL'] ?? 'silent' });
      const sales = await startSales(config, logger);
      const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
      const instance: TestSales = {
        ...sales,
        databaseUrl,
        async sql<Row extends Record<string, unknown>>(text: string, values: unknown[] = []) {
          return (await pool.query<Row>(text, values)).rows;
        },
        async stop() {
          await sales.stop();
          await pool.end().catch(() => undefined);
        },
      };
      started.push(instance);
      return instance;
    },

    /** Records every event on a topic from the beginning, for tests to wait on. */
    async recordTopic<T extends EventTopic>(topic: T): Promise<TopicRecorder<T>> {
      const recorder = await recordTopic(broker.bootstrap, topic);
      recorders.push(recorder as unknown as TopicRecorder<EventTopic>);
      return recorder;
    },

    async stop() {
      await Promise.allSettled(started.map((sales) => sales.stop()));
      await Promise.allSettled(recorders.map((recorder) => recorder.stop()));
      await streamingFixture.stop().catch(() => undefined);
      await postgres.stop().catch(() => undefined);
    },
  };
}

export type SalesEnvironment = Awaited<ReturnType<typeof startSalesEnvironment>>;

export interface TopicRecorder<T extends EventTopic> {
  readonly events: EventOf<T>[];
  /** The record key each event arrived with, by event id. */
  readonly keys: Map<string, string | null>;
  /** Resolves with the first recorded event that matches, failing after a timeout with `what`. */
  waitFor(what: string, match: (event: EventOf<T>) => boolean): Promise<EventOf<T>>;
  stop(): Promise<void>;
}

async function recordTopic<T extends EventTopic>(
  bootstrap: string,
  topic: T,
): Promise<TopicRecorder<T>> {
  const kafka = new Kafka({
    brokers: [bootstrap],
    clientId: 'recorder',
    logLevel: logLevel.NOTHING,
  });
  const consumer: Consumer = kafka.consumer({
    groupId: `recorder-${Math.random().toString(36).slice(2)}`,
    maxWaitTimeInMs: 100,
  });
  const events: EventOf<T>[] = [];
  const keys = new Map<string, string | null>();
  await consumer.connect();
  await consumer.subscribe({ topic: topic.name, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const event = decodeEvent(topic, message.value);
      keys.set(event.id, message.key?.toString() ?? null);
      events.push(event);
    },
  });
  return {
    events,
    keys,
    async waitFor(what, match) {
      let found: EventOf<T> | undefined;
      await eventually(what, () => {
        found = events.find(match);
        return found !== undefined;
      });
      return found as EventOf<T>;
    },
    stop: () => consumer.disconnect(),
  };
}

/** Polls until `check` holds, failing with `what` (and the last value seen) after the timeout. */
export async function eventually<T>(
  what: string,
  check: () => T | Promise<T>,
  timeoutMs = 20_000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: T;
  for (;;) {
    last = await check();
    if (last) return last as NonNullable<T>;
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
