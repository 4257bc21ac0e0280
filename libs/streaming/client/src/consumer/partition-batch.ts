import { context as otelContext } from '@opentelemetry/api';
import { deadLetterTopicName } from '@retail-streams/contracts';
import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import type { Logger } from '../logger.ts';
import type { EventProducer } from '../producer/event-producer.ts';
import { headersToStrings, startProcessSpan } from '../tracing/record-tracing.ts';
import type { ConsumerMetrics } from './consumer-metrics.ts';
import type { BatchItem, RecordContext } from './consumer-runner.ts';
import { deadLetterRecord } from './dead-letter.ts';
import { describeFailure, type FailureDescription } from './handler-errors.ts';
import type { Heartbeats } from './heartbeats.ts';
import { retryDelayMs, type RetryPolicy } from './retry-policy.ts';

/** A topic's handler as the runner holds it: records in, all applied or an error out. */
export type Subscription = {
  topic: string;
  /** Turns the record's value into what the handler takes; throws ContractError for poison. */
  decode(value: Buffer | null): unknown;
} & (
  | {
      batched: true;
      /** Runs the batch in a `process` span of its own that links to each record's (see BatchCombiner). */
      handle(items: readonly BatchItem<unknown>[]): Promise<void>;
    }
  | { batched: false; handleOne(item: BatchItem<unknown>): Promise<void> }
);

export interface PartitionBatchOptions {
  payload: EachBatchPayload;
  subscription: Subscription;
  heartbeats: Heartbeats;
  groupId: string;
  retry: RetryPolicy;
  maxBatchSize: number;
  producer: EventProducer;
  metrics: ConsumerMetrics;
  logger: Logger;
}

/** A fetched record with what the runner knows about it before the handler sees it. */
interface Incoming {
  message: KafkaMessage;
  position: Omit<RecordContext, 'attempt' | 'trace'>;
}

type Outcome = { ok: true } | { ok: false; failure: FailureDescription; attempts: number };

/**
 * What happens to one fetched batch (the records of one partition), in offset order:
 *
 * 1. It is cut into sub-batches of at most `maxBatchSize` records.
 * 2. Records that do not decode (poison) go to the dead-letter topic at once; the others go to the
 *    handler together (a batch handler) or one by one (a per-record handler).
 * 3. A failing handler is retried with backoff: `unavailable` failures (the database is away) for
 *    as long as they last, `transient` ones up to `maxAttempts`; `poison` and `bug` failures are not
 *    retried. Heartbeats continue throughout, so the member keeps its partitions.
 * 4. A batch that cannot succeed is handed over again one record at a time: the record that fails
 *    goes to the dead-letter topic alone and its batch-mates are applied. This is why a batch handler
 *    must apply all of its records or none (one transaction).
 * 5. An offset is resolved only once its record is applied or dead-lettered: a sub-batch's last
 *    offset after the sub-batch, each record's after itself when they go one by one.
 *
 * It stops early, leaving the rest for redelivery, when the consumer stops, when the partition was
 * moved by a seek, or when a heartbeat says the group is rebalancing (that error is rethrown so the
 * client rejoins at once).
 */
export class PartitionBatch {
  readonly #o: PartitionBatchOptions;

  constructor(options: PartitionBatchOptions) {
    this.#o = options;
  }

  async process(): Promise<void> {
    const { batch } = this.#o.payload;
    const records = batch.messages.map((message) => this.#incoming(message));
    for (let start = 0; start < records.length; start += this.#o.maxBatchSize) {
      if (!this.#mayContinue()) return;
      const chunk = records.slice(start, start + this.#o.maxBatchSize);
      if (this.#o.subscription.batched) await this.#processTogether(chunk);
      else await this.#processOneByOne(chunk);
      await this.#o.payload.commitOffsetsIfNecessary();
    }
  }

  #incoming(message: KafkaMessage): Incoming {
    const { topic, partition } = this.#o.payload.batch;
    return {
      message,
      position: {
        topic,
        partition,
        offset: message.offset,
        key: message.key?.toString() ?? null,
        headers: headersToStrings(message.headers),
        groupId: this.#o.groupId,
      },
    };
  }

  #mayContinue(): boolean {
    this.#o.heartbeats.check();
    return this.#o.payload.isRunning() && !this.#o.payload.isStale();
  }

  async #processTogether(chunk: readonly Incoming[]): Promise<void> {
    const decoded: { record: Incoming; event: unknown }[] = [];
    const poison: { record: Incoming; failure: FailureDescription }[] = [];
    for (const record of chunk) {
      try {
        decoded.push({ record, event: this.#o.subscription.decode(record.message.value) });
      } catch (error) {
        poison.push({ record, failure: describeFailure(error) });
      }
    }
    if (poison.length > 0) {
      await this.#deadLetter(poison.map((entry) => ({ ...entry, attempts: 1 })));
    }
    const [only] = decoded;
    if (only) {
      const outcome = await this.#attempt(decoded);
      if (!outcome.ok && decoded.length === 1) {
        await this.#deadLetter([{ record: only.record, ...outcome }]);
      } else if (!outcome.ok) {
        this.#o.logger.warn(
          {
            topic: this.#o.subscription.topic,
            partition: this.#o.payload.batch.partition,
            records: decoded.length,
            code: outcome.failure.code,
            error: outcome.failure.message,
          },
          'batch failed; handling its records one at a time to find the one that fails',
        );
        for (const entry of decoded) {
          if (!this.#mayContinue()) return;
          await this.#processAlone(entry.record, entry.event);
        }
      }
    }
    const last = chunk.at(-1);
    if (last) this.#resolve(last);
  }

  async #processOneByOne(chunk: readonly Incoming[]): Promise<void> {
    for (const record of chunk) {
      if (!this.#mayContinue()) return;
      let event: unknown;
      try {
        event = this.#o.subscription.decode(record.message.value);
      } catch (error) {
        await this.#deadLetter([{ record, failure: describeFailure(error), attempts: 1 }]);
        this.#resolve(record);
        continue;
      }
      await this.#processAlone(record, event);
    }
  }

  async #processAlone(record: Incoming, event: unknown): Promise<void> {
    const outcome = await this.#attempt([{ record, event }]);
    if (!outcome.ok) await this.#deadLetter([{ record, ...outcome }]);
    this.#resolve(record);
  }

  #resolve(record: Incoming): void {
    this.#o.payload.resolveOffset(record.message.offset);
  }

  /** Runs the handler on `entries` until it succeeds or the failure says to stop trying. */
  async #attempt(entries: readonly { record: Incoming; event: unknown }[]): Promise<Outcome> {
    const { subscription, retry, metrics, heartbeats } = this.#o;
    for (let attempt = 1; ; attempt += 1) {
      heartbeats.check();
      const traced = entries.map(({ record, event }) => ({
        record,
        event,
        span: startProcessSpan(record.position.headers, {
          ...record.position,
          key: record.position.key ?? undefined,
        }),
      }));
      const items = traced.map(({ record, event, span }) => ({
        event,
        context: { ...record.position, attempt, trace: span.context },
      }));
      const started = performance.now();
      try {
        if (subscription.batched) {
          await subscription.handle(items);
        } else {
          // A per-record handler runs inside its record's span, so what it writes carries the trace.
          for (const item of items) {
            await otelContext.with(item.context.trace, () => subscription.handleOne(item));
          }
        }
        for (const { span } of traced) span.end();
        const duration = performance.now() - started;
        for (const _ of items) metrics.recordProcessed(subscription.topic, duration);
        return { ok: true };
      } catch (error) {
        for (const { span } of traced) span.end(error);
        const failure = describeFailure(error);
        const exhausted = failure.kind === 'transient' && attempt >= retry.maxAttempts;
        if (!failure.retriable || exhausted) return { ok: false, failure, attempts: attempt };
        metrics.recordRetry(subscription.topic);
        const delayMs = retryDelayMs(retry, attempt);
        const first = entries[0]?.record.position;
        this.#o.logger.warn(
          {
            topic: subscription.topic,
            partition: first?.partition,
            offset: first?.offset,
            records: entries.length,
            attempt,
            delayMs,
            kind: failure.kind,
            code: failure.code,
            error: failure.message,
          },
          failure.kind === 'unavailable'
            ? 'a dependency is unavailable; retrying until it is back'
            : 'handler failed; retrying',
        );
        await heartbeats.sleep(delayMs);
      }
    }
  }

  /**
   * Sends records to the dead-letter topic, as they were, with what went wrong. If this send fails
   * the error leaves the batch, their offsets are not resolved and they come back: a record is never
   * skipped without landing in the dead-letter topic.
   */
  async #deadLetter(
    entries: readonly { record: Incoming; failure: FailureDescription; attempts: number }[],
  ): Promise<void> {
    const deadLetterTopic = deadLetterTopicName(this.#o.subscription.topic, this.#o.groupId);
    await this.#o.producer.sendRecords(
      deadLetterTopic,
      entries.map(
        ({ record, failure, attempts }) =>
          deadLetterRecord({
            ...record.position,
            value: record.message.value,
            attempts,
            errorCode: failure.code,
            errorMessage: failure.message,
          }).record,
      ),
    );
    for (const { record, failure, attempts } of entries) {
      this.#o.metrics.recordDeadLetter(record.position.topic);
      this.#o.logger.error(
        {
          topic: record.position.topic,
          partition: record.position.partition,
          offset: record.position.offset,
          deadLetterTopic,
          attempts,
          kind: failure.kind,
          code: failure.code,
          error: failure.message,
        },
        'record sent to the dead-letter topic',
      );
    }
  }
}
