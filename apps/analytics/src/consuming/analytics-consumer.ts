import { accessLogLine, topics } from '@retail-streams/contracts';
import {
  NonRetriableError,
  type ConsumerRunner,
  type RecordContext,
  type Streaming,
} from '@retail-streams/streaming-client';
import type { AnalyticsPipeline } from '../processing/analytics-pipeline.ts';

/** Every registry topic analytics reads: all of them (pub/sub beside the services' queues). */
export const analyticsTopics = [
  topics.stockLevel,
  topics.orderPlaced,
  topics.reservationResult,
  topics.lowStock,
  topics.purchaseOrder,
  topics.goodsReceived,
  topics.accessLog,
] as const;

export const analyticsTopicNames: readonly string[] = analyticsTopics.map((topic) => topic.name);

export interface AnalyticsConsumerOptions {
  groupId: string;
  /** Subscribe to these topics only (a replay reads the stock table first); default: all. */
  topicNames?: readonly string[];
}

/**
 * One consumer group feeding the pipeline. Events that break their contract never reach it: the
 * runner dead-letters them to `<topic>.dlq.<group>` and moves on. Failures of the pipeline itself
 * (a database outage) are retried for a long time rather than dead-lettered: they say nothing about the
 * record, and a dead-lettered record would be missing from every aggregate.
 */
export function createAnalyticsConsumer(
  streaming: Streaming,
  pipeline: AnalyticsPipeline,
  options: AnalyticsConsumerOptions,
): ConsumerRunner {
  const wanted = new Set(options.topicNames ?? analyticsTopicNames);
  const runner = streaming.consumer({
    groupId: options.groupId,
    fromBeginning: true,
    // Partitions in parallel: their records meet in one group commit (see AnalyticsPipeline).
    partitionsConsumedConcurrently: 8,
    retry: { maxAttempts: 100, initialDelayMs: 100, maxDelayMs: 5_000 },
  });
  const feed = async (value: unknown, context: RecordContext) => {
    await pipeline.handle({
      topic: context.topic,
      partition: context.partition,
      offset: context.offset,
      key: context.key,
      value,
    });
  };
  if (wanted.has(topics.stockLevel.name)) runner.on(topics.stockLevel, feed);
  if (wanted.has(topics.orderPlaced.name)) runner.on(topics.orderPlaced, feed);
  if (wanted.has(topics.reservationResult.name)) runner.on(topics.reservationResult, feed);
  if (wanted.has(topics.lowStock.name)) runner.on(topics.lowStock, feed);
  if (wanted.has(topics.purchaseOrder.name)) runner.on(topics.purchaseOrder, feed);
  if (wanted.has(topics.goodsReceived.name)) runner.on(topics.goodsReceived, feed);
  if (wanted.has(topics.accessLog.name)) {
    runner.onRaw(topics.accessLog, async (line, context) => {
      await feed(parseAccessLogLine(line), context);
    });
  }
  return runner;
}

/** Access log lines are raw JSON lines (the file connector ships them as they are), not envelopes. */
export function parseAccessLogLine(line: string) {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    throw new NonRetriableError('INVALID_ACCESS_LOG_LINE', 'an access log line is not JSON');
  }
  const parsed = accessLogLine.safeParse(json);
  if (!parsed.success) {
    throw new NonRetriableError(
      'INVALID_ACCESS_LOG_LINE',
      `an access log line does not match the contract: ${parsed.error.issues
        .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
        .join('; ')}`,
    );
  }
  return parsed.data;
}
