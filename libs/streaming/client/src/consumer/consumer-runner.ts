import {
  decodeEvent,
  deadLetterTopicName,
  type EventOf,
  type EventTopic,
  type RawTopic,
} from '@retail-streams/contracts';
import type { Context } from '@opentelemetry/api';
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { Logger } from '../logger.ts';
import type { EventProducer } from '../producer/event-producer.ts';
import { withBatchProcessSpan, type RecordHeaders } from '../tracing/record-tracing.ts';
import { clusterReplicationFactor } from '../provisioning/replication-factor.ts';
import { BatchCombiner } from './batch-combiner.ts';
import { ConsumerMetrics } from './consumer-metrics.ts';
import { PartitionBatch, type Subscription } from './partition-batch.ts';
import { FetchLinger } from './fetch-linger.ts';
import { Heartbeats } from './heartbeats.ts';
import { OffsetCommits } from './offset-commits.ts';
import { defaultRetryPolicy, type RetryPolicy } from './retry-policy.ts';

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
  /**
   * The record's own trace (its consumer span, a child of the producer's): what the effects of this
   * record are written under. A per-record handler already runs inside it; a batch handler passes it
   * to `writeToOutbox(..., { trace })` for the events each record causes.
   */
  trace: Context;
}

export type EventHandler<T extends EventTopic> = (
  event: EventOf<T>,
  context: RecordContext,
) => Promise<void>;
export type RawHandler = (value: string, context: RecordContext) => Promise<void>;

/** One record of a batch: its decoded event (or raw line) and where it came from. */
export interface BatchItem<V> {
  event: V;
  context: RecordContext;
}

/**
 * Handles records together: those of one partition in offset order, or, when partitions are
 * consumed concurrently, the batches of several partitions handed over at once (see BatchCombiner),
 * one partition's after another's. It must apply the effects of all of them or of none (one
 * database transaction): when it fails, the runner retries each partition's batch, and when one
 * cannot succeed it hands its records over again one at a time, to find the one that fails and
 * dead-letter only that.
 */
export type EventBatchHandler<T extends EventTopic> = (
  items: readonly BatchItem<EventOf<T>>[],
) => Promise<void>;
export type RawBatchHandler = (items: readonly BatchItem<string>[]) => Promise<void>;

export interface ConsumerRunnerOptions {
  groupId: string;
  logger: Logger;
  retry?: Partial<RetryPolicy>;
  /** Where a new group starts: the beginning of each topic (default) or only new records. */
  fromBeginning?: boolean;
  /** Partitions processed in parallel by this instance; records of one partition stay in order. */
  partitionsConsumedConcurrently?: number;
  /** The most records a batch handler gets at once (a fetch may hold more); default 200. */
  maxBatchSize?: number;
  sessionTimeoutMs?: number;
  /** How often the member tells the coordinator it is alive, also while a handler runs; default 1 s. */
  heartbeatIntervalMs?: number;
  /**
   * While records keep coming, the least time between the starts of two fetches, so a busy consumer
   * handles them a few per batch instead of one by one (see FetchLinger); default 10 ms, 0 is off.
   * It grows with the rate records come at, up to `maxLingerMs` (default 50 ms, or `lingerMs` if
   * that is more).
   */
  lingerMs?: number;
  maxLingerMs?: number;
  /**
   * About the most time between handling a record and committing its offset while the member runs
   * (Kafka's auto.commit.interval.ms); default 250 ms. Short enough that the committed lag people
   * watch (the dashboard, the bench, kafka-consumer-groups) stays close to what is really unhandled:
   * with 1 s, analytics' lag at 500 orders/s swung between ~700 and ~3,500 records. Long enough that
   * a busy member commits a few times a second, not after every fetched partition.
   */
  commitIntervalMs?: number;
}

/**
 * Runs one consumer group: typed handlers per topic (one record at a time, or a batch at a time),
 * retries with backoff for failures worth retrying, a dead-letter topic for poison and for records
 * that exhaust their retries, and a graceful stop that lets in-flight handlers finish and commits
 * what they completed. Offsets are resolved only after a handler returned, record by record, so a
 * crash means redelivery (handlers are idempotent through the inbox), never loss.
 *
 * The member keeps its place in the group while it works, however long: heartbeats go on between
 * records and during retries (a database outage can last minutes), so a slow partition never makes
 * the coordinator evict the member and rebalance the whole group. See `PartitionBatch` for what
 * happens to one fetched batch.
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
  readonly #linger: FetchLinger;
  #commits: OffsetCommits | undefined;
  #consumer: Consumer | undefined;
  #running = false;
  #assignments: Record<string, number[]> = {};

  constructor(kafka: Kafka, producer: EventProducer, options: ConsumerRunnerOptions) {
    this.#kafka = kafka;
    this.#producer = producer;
    this.#options = options;
    this.groupId = options.groupId;
    this.#retry = { ...defaultRetryPolicy, ...options.retry };
    this.#linger = new FetchLinger(
      { minMs: options.lingerMs ?? 10, maxMs: options.maxLingerMs ?? 50 },
      this.#stopping.signal,
    );
  }

  /** Handles the events of a registry topic one at a time; events that do not match its schemas are dead-lettered. */
  on<T extends EventTopic>(topic: T, handler: EventHandler<T>): this {
    const decode = (value: Buffer | null) => decodeEvent(topic, value);
    return this.#subscribe({
      topic: topic.name,
      decode,
      handleOne: (item) => handler(item.event as EventOf<T>, item.context),
      batched: false,
    });
  }

  /** Handles the events of a registry topic a batch at a time (see `EventBatchHandler`). */
  onBatch<T extends EventTopic>(topic: T, handler: EventBatchHandler<T>): this {
    return this.#subscribeBatched(
      topic.name,
      (value) => decodeEvent(topic, value),
      (items) => handler(items as readonly BatchItem<EventOf<T>>[]),
    );
  }

  /** Handles raw lines (such as log lines) of a raw topic, one at a time. */
  onRaw(topic: RawTopic, handler: RawHandler): this {
    return this.#subscribe({
      topic: topic.name,
      decode: rawLine,
      handleOne: (item) => handler(item.event as string, item.context),
      batched: false,
    });
  }

  /** Handles raw lines of a raw topic a batch at a time. */
  onRawBatch(topic: RawTopic, handler: RawBatchHandler): this {
    return this.#subscribeBatched(topic.name, rawLine, (items) =>
      handler(items as readonly BatchItem<string>[]),
    );
  }

  #subscribe(subscription: Subscription): this {
    if (this.#running) throw new Error('CONSUMER_ALREADY_RUNNING: subscribe before start()');
    this.#subscriptions.set(subscription.topic, subscription);
    return this;
  }

  /**
   * A topic's batch handler behind a BatchCombiner, so partitions handled concurrently share its
   * transactions, each call in a `process` span that links to every record it carries.
   */
  #subscribeBatched(
    topic: string,
    decode: (value: Buffer | null) => unknown,
    handle: (items: readonly BatchItem<unknown>[]) => Promise<void>,
  ): this {
    const combiner = new BatchCombiner((items) =>
      withBatchProcessSpan(
        items.map((item) => item.context.trace),
        { topic, partition: onlyPartition(items), groupId: this.groupId },
        () => handle(items),
      ),
    );
    return this.#subscribe({
      topic,
      decode,
      handle: (items) => combiner.handle(items),
      batched: true,
    });
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
      heartbeatInterval: this.#heartbeatIntervalMs,
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
    consumer.on(consumer.events.FETCH_START, () => this.#linger.fetchStarted());
    consumer.on(consumer.events.CRASH, (event) => {
      this.#commits?.forget();
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
    this.#commits = new OffsetCommits({
      groupId: this.groupId,
      intervalMs: this.#commitIntervalMs,
      logger: this.#options.logger,
    });
    await consumer.subscribe({
      topics: [...this.#subscriptions.keys()],
      fromBeginning: this.#options.fromBeginning ?? true,
    });
    await consumer.run({
      // Committed by OffsetCommits instead: kafkajs would commit after every partition's batch.
      autoCommit: false,
      autoCommitInterval: this.#commitIntervalMs,
      partitionsConsumedConcurrently: this.#options.partitionsConsumedConcurrently ?? 1,
      // Offsets are resolved record by record (or batch by batch) as handlers finish, never ahead.
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.#handleBatch(payload),
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
    // What finished before the stop; a batch still in flight commits its own at its end (it sees
    // the stop), before kafkajs lets the member leave the group.
    await this.#commits?.commitAll();
    await consumer.disconnect();
    this.#commits?.dispose();
    this.#running = false;
    this.#assignments = {};
  }

  get #commitIntervalMs(): number {
    return this.#options.commitIntervalMs ?? 250;
  }

  get #heartbeatIntervalMs(): number {
    return this.#options.heartbeatIntervalMs ?? 1_000;
  }

  async #handleBatch(payload: EachBatchPayload): Promise<void> {
    const subscription = this.#subscriptions.get(payload.batch.topic);
    // A batch fetched as the runner stops is left for the next member, unresolved.
    if (!subscription || this.#stopping.signal.aborted) return;
    this.#commits?.track(payload);
    const heartbeats = new Heartbeats(
      payload.heartbeat,
      this.#heartbeatIntervalMs,
      this.#stopping.signal,
    );
    try {
      await new PartitionBatch({
        payload,
        subscription,
        heartbeats,
        groupId: this.groupId,
        retry: this.#retry,
        maxBatchSize: this.#options.maxBatchSize ?? 200,
        producer: this.#producer,
        metrics: this.metrics,
        logger: this.#options.logger,
      }).process();
    } finally {
      heartbeats.dispose();
    }
    if (this.#stopping.signal.aborted) await this.#commits?.commitAll();
    await this.#linger.afterBatch(payload.batch.messages.length);
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
}

/** The partition every item comes from, or undefined for items of several. */
function onlyPartition(items: readonly BatchItem<unknown>[]): number | undefined {
  const partition = items[0]?.context.partition;
  return items.every((item) => item.context.partition === partition) ? partition : undefined;
}

function rawLine(value: Buffer | null): string {
  return value?.toString('utf8') ?? '';
}
