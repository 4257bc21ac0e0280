import { encodeEvent, keyOf, type EventOf, type EventTopic } from '@retail-streams/contracts';
import { createLogger } from '@retail-streams/service-kit';
import { startTestPostgres, type TestPostgres } from '@retail-streams/service-kit/testing';
import type { RunningBroker } from '@retail-streams/streaming-broker';
import type { Streaming } from '@retail-streams/streaming-client';
import { startStreamingFixture } from '@retail-streams/streaming-client/testing';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { loadAnalyticsConfig } from '../config.ts';
import { startAnalytics, type RunningAnalytics } from '../start-analytics.ts';
import type { AnalyticsSummary } from '../summary/summary-types.ts';

/**
 * What an analytics test file starts from: one real broker and one real PostgreSQL, a streaming
 * connection to publish with, and a way to start the service in-process on a database of its own.
 */
export interface AnalyticsEnvironment {
  broker: RunningBroker;
  postgres: TestPostgres;
  streaming: Streaming;
  /** A plain kafkajs client for the test's own questions (DescribeGroups). */
  kafka: Kafka;
  startAnalytics(database: string, env?: Record<string, string>): Promise<RunningAnalytics>;
  /** Publishes events to one partition (tests choose partitions to script per-partition order). */
  publish<T extends EventTopic>(topic: T, events: EventOf<T>[], partition?: number): Promise<void>;
  publishRaw(topic: string, values: string[], partition?: number): Promise<void>;
  readTopic(topic: string, count: number): Promise<KafkaMessage[]>;
  stop(): Promise<void>;
}

export async function startAnalyticsEnvironment(): Promise<AnalyticsEnvironment> {
  const streamingFixture = await startStreamingFixture('analytics-test');
  const { broker, streaming } = streamingFixture;
  const postgres = await startTestPostgres();
  const logger = createLogger('analytics', { level: process.env['TEST_LOG_LEVEL'] ?? 'silent' });
  return {
    broker,
    postgres,
    streaming,
    kafka: streamingFixture.kafka,
    async startAnalytics(database, env = {}) {
      const databaseUrl = await postgres.createDatabase(database);
      const config = loadAnalyticsConfig({
        PORT: '0',
        DATABASE_URL: databaseUrl,
        KAFKA_BROKERS: broker.bootstrap,
        SSE_THROTTLE_MS: '50',
        ...env,
      });
      return startAnalytics(config, logger);
    },
    async publish(topic, events, partition) {
      await streaming.producer.sendRecords(
        topic.name,
        events.map((event) => ({
          key: keyOf(topic, event),
          value: encodeEvent(event),
          partition,
        })),
      );
    },
    async publishRaw(topic, values, partition) {
      await streaming.producer.sendRecords(
        topic,
        values.map((value) => ({ key: null, value, partition })),
      );
    },
    readTopic: streamingFixture.readTopic,
    async stop() {
      await streamingFixture.stop();
      await postgres.stop();
    },
  };
}

/** Polls until `check` passes, failing with `what` (and the last value seen) after the timeout. */
export async function eventually<T>(
  what: string,
  read: () => Promise<T>,
  check: (value: T) => boolean,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await read();
    if (check(last)) return last;
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for: ${what}; last value: ${JSON.stringify(last)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function getSummary(url: string): Promise<AnalyticsSummary> {
  const response = await fetch(`${url}/api/summary`);
  if (response.status !== 200) throw new Error(`GET /api/summary answered ${response.status}`);
  return (await response.json()) as AnalyticsSummary;
}

/** The part of a summary that depends only on the topics (what a replay must reproduce). */
export function aggregatesOf(summary: AnalyticsSummary) {
  const { generatedAt: _generatedAt, processing: _processing, ...aggregates } = summary;
  return aggregates;
}
