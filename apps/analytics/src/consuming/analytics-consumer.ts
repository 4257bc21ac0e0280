import { accessLogLine, topics } from '@retail-streams/contracts';
import {
  NonRetriableError,
  type BatchItem,
  type ConsumerRunner,
  type Streaming,
} from '@retail-streams/streaming-client';
import { spanContextOf } from '@retail-streams/service-kit';
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
  /** Waited on before each batch is processed: a replay's rate limit (see ReplayRateLimit). */
  throttle?: (records: number) => Promise<void>;
}

/**
 * One consumer group feeding the pipeline, a fetched batch at a time (one group commit per batch, or
 * fewer). Events that break their contract never reach it: the runner dead-letters them to
 * `<topic>.dlq.<group>` and moves on; an access log line that is not valid fails its batch, which the
 * runner then hands over line by line, so only that line is dead-lettered. Failures of the pipeline
 * itself (a database outage) are retried for as long as they last rather than dead-lettered: they
 * say nothing about the record, and a dead-lettered record would be missing from every aggregate.
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
    // Partitions in parallel: their batches meet in one group commit (see AnalyticsPipeline).
    partitionsConsumedConcurrently: 8,
    maxBatchSize: 1_000,
    // A read model on no order's path, whose latencies are all in event time: a tenth of a second
    // between busy fetches lets each fetch, and the group commit (with its checkpoint) each batch
    // costs, carry ten times the records the services' default 10 ms would.
    lingerMs: 100,
    retry: { maxAttempts: 100, initialDelayMs: 100, maxDelayMs: 5_000 },
  });
  const feed = async (items: readonly BatchItem<unknown>[]) => {
    await options.throttle?.(items.length);
    await pipeline.handleBatch(
      items.map(({ event, context }) => ({
        topic: context.topic,
        partition: context.partition,
        offset: context.offset,
        key: context.key,
        value: event,
        trace: spanContextOf(context.trace),
      })),
    );
  };
  if (wanted.has(topics.stockLevel.name)) runner.onBatch(topics.stockLevel, feed);
  if (wanted.has(topics.orderPlaced.name)) runner.onBatch(topics.orderPlaced, feed);
  if (wanted.has(topics.reservationResult.name)) runner.onBatch(topics.reservationResult, feed);
  if (wanted.has(topics.lowStock.name)) runner.onBatch(topics.lowStock, feed);
  if (wanted.has(topics.purchaseOrder.name)) runner.onBatch(topics.purchaseOrder, feed);
  if (wanted.has(topics.goodsReceived.name)) runner.onBatch(topics.goodsReceived, feed);
  if (wanted.has(topics.accessLog.name)) {
    runner.onRawBatch(topics.accessLog, (items) =>
      feed(items.map((item) => ({ ...item, event: parseAccessLogLine(item.event) }))),
    );
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
