import {
  decodeEvent,
  deadLetterTopicName,
  type EventOf,
  type EventTopic,
  type RawTopic,
} from '@retail-streams/contracts';
import type { Consumer, EachMessagePayload, Kafka } from 'kafkajs';
import type { Logger } from '../logger.ts';
import type { EventProducer } from '../producer/event-producer.ts';
import {
  headersToStrings,
  withProcessSpan,
  type RecordHeaders,
} from '../tracing/record-tracing.ts';
import { clusterReplicationFactor } from '../provisioning/replication-factor.ts';
import { ConsumerMetrics } from './consumer-metrics.ts';
import { deadLetterRecord } from './dead-letter.ts';
import { describeFailure, ShutdownInterruptedError } from './handler-errors.ts';
import { defaultRetryPolicy, retryDelayMs, sleep, type RetryPolicy } from './retry-policy.ts';

/** Where a record came from, for handlers that log, trace or deduplicate by position. */
export interface RecordContext {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  headers: RecordHeaders;
  /** 1 on the first delivery to the handler, 2 on the first retry, ... */
  attempt: number;
  groupId: string;
}

export type EventHandler<T extends EventTopic> = (
  event: EventOf<T>,
  context: RecordContext,
) => Promise<void>;
export type RawHandler = (value: string, context: RecordContext) => Promise<void>;

type Subscription =
  | {
      kind: 'events';
      topic: EventTopic;
      handler: (event: never, context: RecordContext) => Promise<void>;
    }
  | { kind: 'raw'; topic: RawTopic; handler: RawHandler };

export interface ConsumerRunnerOptions {
  groupId: string;
  logger: Logger;
  retry?: Partial<RetryPolicy>;
  /** Where a new group starts: the beginning of each topic (default) or only new records. */
  fromBeginning?: boolean;
  /** Partitions processed in parallel by this instance; records of one partition stay in order. */
  partitionsConsumedConcurrently?: number;
  sessionTimeoutMs?: number;
}

/**
 * Runs one consumer group: typed handlers per topic, bounded retries with backoff for failures worth
 * retrying, a dead-letter topic for poison and for records that exhaust their retries, and a graceful
 * stop that lets in-flight handlers finish and commits what they completed. Offsets are committed only
 * after a handler returns, so a crash means redelivery (handlers are idempotent through the inbox),
 * never loss.
 */
export class ConsumerRunner {
  readonly groupId: string;
  readonly metrics = new ConsumerMetrics();
  readonly #kafka: Kafka;
  readonly #producer: EventProducer;
  readonly #options: ConsumerRunnerOptions;
  readonly #retry: RetryPolicy;
  readonly #subscriptions = new Map<string, Subscription>();
  readonly #stopping = new AbortController();
  #consumer: Consumer | undefined;
  #running = false;
  #assignments: Record<string, number[]> = {};

  constructor(kafka: Kafka, producer: EventProducer, options: ConsumerRunnerOptions) {
    this.#kafka = kafka;
    this.#producer = producer;
    this.#options = options;
    this.groupId = options.groupId;
    this.#retry = { ...defaultRetryPolicy, ...options.retry };
  }

  /** Handles the events of a registry topic; events that do not match its schemas are dead-lettered. */
  on<T extends EventTopic>(topic: T, handler: EventHandler<T>): this {
    this.#subscribe({
      kind: 'events',
      topic,
      handler: handler as Subscription['handler'],
    } as Subscription);
    return this;
  }

  /** Handles raw lines (such as log lines) of a raw topic. */
  onRaw(topic: RawTopic, handler: RawHandler): this {
    this.#subscribe({ kind: 'raw', topic, handler });
    return this;
  }

  #subscribe(subscription: Subscription): void {
    if (this.#running) throw new Error('CONSUMER_ALREADY_RUNNING: subscribe before start()');
    this.#subscriptions.set(subscription.topic.name, subscription);
  }

  get running(): boolean {
    return this.#running;
  }

  /** The partitions this instance owns right now, per topic. */
  get assignments(): Readonly<Record<string, number[]>> {
    return this.#assignments;
  }

  async start(): Promise<void> {
    if (this.#subscriptions.size === 0)
      throw new Error('CONSUMER_NO_SUBSCRIPTIONS: call on() first');
    await this.#provisionDeadLetterTopics();
    const consumer = this.#kafka.consumer({
      groupId: this.groupId,
      sessionTimeout: this.#options.sessionTimeoutMs ?? 10_000,
      heartbeatInterval: 1_000,
      rebalanceTimeout: 30_000,
      // An idle long poll holds up stop() until it returns: keep it short so shutdown is prompt.
      maxWaitTimeInMs: 500,
      allowAutoTopicCreation: false,
    });
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      this.#assignments = event.payload.memberAssignment;
      this.#options.logger.info(
        { groupId: this.groupId, assignment: event.payload.memberAssignment },
        'joined consumer group',
      );
    });
    consumer.on(consumer.events.CRASH, (event) => {
      this.#options.logger.error(
        {
          groupId: this.groupId,
          error: event.payload.error.message,
          restart: event.payload.restart,
        },
        'consumer crashed',
      );
      if (!event.payload.restart) this.#running = false;
    });
    await consumer.connect();
    await consumer.subscribe({
      topics: [...this.#subscriptions.keys()],
      fromBeginning: this.#options.fromBeginning ?? true,
    });
    await consumer.run({
      autoCommitInterval: 1_000,
      partitionsConsumedConcurrently: this.#options.partitionsConsumedConcurrently ?? 1,
      eachMessage: (payload) => this.#handle(payload),
    });
    this.#consumer = consumer;
    this.#running = true;
  }

  /**
   * Stops fetching, lets the handlers in flight finish (a handler waiting to retry gives up at once and
   * its record is redelivered later) and commits the offsets of every record that completed.
   */
  async stop(): Promise<void> {
    if (!this.#consumer) return;
    this.#stopping.abort();
    const consumer = this.#consumer;
    this.#consumer = undefined;
    await consumer.disconnect();
    this.#running = false;
    this.#assignments = {};
  }

  async #provisionDeadLetterTopics(): Promise<void> {
    const admin = this.#kafka.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const missing = [...this.#subscriptions.keys()]
        .map((topic) => deadLetterTopicName(topic, this.groupId))
        .filter((topic) => !existing.has(topic));
      if (missing.length > 0) {
        const replicationFactor = await clusterReplicationFactor(admin);
        await admin.createTopics({
          waitForLeaders: true,
          topics: missing.map((topic) => ({ topic, numPartitions: 1, replicationFactor })),
        });
      }
    } finally {
      await admin.disconnect();
    }
  }

  async #handle({ topic, partition, message }: EachMessagePayload): Promise<void> {
    const subscription = this.#subscriptions.get(topic);
    if (!subscription) return;
    const headers = headersToStrings(message.headers);
    const key = message.key?.toString() ?? null;
    const base = { topic, partition, offset: message.offset, key, headers, groupId: this.groupId };

    for (let attempt = 1; ; attempt += 1) {
      const started = performance.now();
      try {
        await withProcessSpan(headers, { ...base, key: key ?? undefined }, () =>
          this.#dispatch(subscription, message.value, { ...base, attempt }),
        );
        this.metrics.recordProcessed(topic, performance.now() - started);
        return;
      } catch (error) {
        const failure = describeFailure(error);
        const exhausted = attempt >= this.#retry.maxAttempts;
        if (!failure.retriable || exhausted) {
          await this.#deadLetter({ ...base, value: message.value, attempts: attempt, failure });
          return;
        }
        this.metrics.recordRetry(topic);
        const delay = retryDelayMs(this.#retry, attempt);
        this.#options.logger.warn(
          {
            ...base,
            headers: undefined,
            attempt,
            delayMs: delay,
            code: failure.code,
            error: failure.message,
          },
          'handler failed; retrying',
        );
        await sleep(delay, this.#stopping.signal, () => new ShutdownInterruptedError());
      }
    }
  }

  #dispatch(
    subscription: Subscription,
    value: Buffer | null,
    context: RecordContext,
  ): Promise<void> {
    if (subscription.kind === 'raw')
      return subscription.handler(value?.toString('utf8') ?? '', context);
    const event = decodeEvent(subscription.topic, value);
    return (subscription.handler as (event: unknown, context: RecordContext) => Promise<void>)(
      event,
      context,
    );
  }

  async #deadLetter(input: {
    topic: string;
    partition: number;
    offset: string;
    key: string | null;
    headers: RecordHeaders;
    value: Buffer | null;
    attempts: number;
    failure: { code: string; message: string };
  }): Promise<void> {
    const { topic, record } = deadLetterRecord({
      ...input,
      groupId: this.groupId,
      errorCode: input.failure.code,
      errorMessage: input.failure.message,
    });
    // If this send fails the handler throws, the offset is not committed and the record comes back:
    // a record is never skipped without landing in the dead-letter topic.
    await this.#producer.sendRecords(topic, [record]);
    this.metrics.recordDeadLetter(input.topic);
    this.#options.logger.error(
      {
        topic: input.topic,
        partition: input.partition,
        offset: input.offset,
        deadLetterTopic: topic,
        attempts: input.attempts,
        code: input.failure.code,
        error: input.failure.message,
      },
      'record sent to the dead-letter topic',
    );
  }
}
