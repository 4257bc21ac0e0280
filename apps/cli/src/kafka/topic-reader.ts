import { randomUUID } from 'node:crypto';
import type { Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import { CliError } from '../errors.ts';
import type { Client } from './client.ts';
import { translateKafkaError } from './translate-error.ts';

/** Private reader groups: never commit, hidden from `groups --list` unless --all. */
export const THROWAWAY_GROUP_PREFIX = 'streaming-cli-tmp-';

export type ReadRecord = KafkaMessage & {
  topic: string;
  partition: number;
};

export interface ReadOptions {
  client: Client;
  topic: string;
  /**
   * The consumer group. Without one, a private throwaway group is used and nothing is committed:
   * kafkajs has no group-less "assign" mode, and a group that never commits leaves nothing behind
   * (brokers forget empty groups without offsets, which is also what Kafka's console consumer does).
   */
  groupId?: string;
  /** Where a partition without a committed offset (or without a group) starts. */
  fromBeginning: boolean;
  /** Partitions to read; others are paused. Default: all. */
  partitions?: readonly number[];
  /** Start offsets to seek to once assigned. */
  seekTo?: ReadonlyMap<number, bigint>;
  /**
   * Stop once every read partition's position reaches this (exclusive) offset. `startAt` must then
   * give each partition's first position, so that partitions with nothing to read count as done.
   */
  endAt?: ReadonlyMap<number, bigint>;
  startAt?: ReadonlyMap<number, bigint>;
  maxMessages?: number;
  /** Stop when nothing arrived for this long (ms). */
  idleTimeoutMs?: number;
  signal?: AbortSignal;
  /** Commit what was processed (only with a real group). */
  commit?: boolean;
  /**
   * read_committed (default, kafkajs' default) skips aborted transactions and waits at an open
   * one; read_uncommitted shows every record, aborted and open transactions included.
   */
  isolationLevel?: IsolationLevel;
  onRecord: (record: ReadRecord) => void | Promise<void>;
  onAssigned?: (partitions: number[]) => void;
}

export const ISOLATION_LEVELS = ['read_committed', 'read_uncommitted'] as const;
export type IsolationLevel = (typeof ISOLATION_LEVELS)[number];

export type StopReason = 'max-messages' | 'end' | 'signal' | 'idle';

export interface ReadResult {
  count: number;
  reason: StopReason;
}

/**
 * Reads one topic with kafkajs until a stop condition: the shared engine of `consume`, the file
 * sink and the connectors' own bookkeeping reads. Processed records are resolved one by one, so a
 * group commits exactly what was handed to `onRecord` (also when stopping mid-batch).
 */
export async function readTopic(options: ReadOptions): Promise<ReadResult> {
  const { client, topic } = options;
  const read = new TopicRead(options);
  if (options.maxMessages === 0) return { count: 0, reason: 'max-messages' };
  if (read.endReached()) return { count: 0, reason: 'end' };
  if (options.signal?.aborted) return { count: 0, reason: 'signal' };

  const consumer: Consumer = client.kafka.consumer({
    groupId: options.groupId ?? `${THROWAWAY_GROUP_PREFIX}${randomUUID()}`,
    allowAutoTopicCreation: false,
    maxWaitTimeInMs: 250,
    readUncommitted: options.isolationLevel === 'read_uncommitted',
    retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 2000 },
  });
  read.watch(consumer);
  const onAbort = () => read.stop('signal');
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: options.fromBeginning });
    await consumer.run({
      autoCommit: read.commit,
      eachBatchAutoResolve: false,
      eachBatch: (payload) => read.handleBatch(payload),
    });
    // run() resolves after the group is joined and synced, so the assignment exists: the explicit
    // start offsets apply now.
    for (const [partition, offset] of options.seekTo ?? []) {
      consumer.seek({ topic, partition, offset: String(offset) });
    }
    return await read.result();
  } catch (err) {
    throw err instanceof CliError ? err : translateKafkaError(err, client.bootstrap, topic);
  } finally {
    read.dispose();
    options.signal?.removeEventListener('abort', onAbort);
    // Leaves the group; with autoCommit on, kafkajs commits the resolved offsets first.
    await consumer.disconnect().catch(() => undefined);
  }
}

/** One read's progress: positions per partition, records handed out, and why it stopped. */
class TopicRead {
  readonly commit: boolean;
  readonly #o: ReadOptions;
  readonly #scope: Set<number> | null;
  readonly #positions: Map<number, bigint>;
  /**
   * Once the group assigned partitions, only those count for "end reached": in a shared group the
   * other members read the rest.
   */
  #assigned: Set<number> | null = null;
  #count = 0;
  #stopReason: StopReason | null = null;
  #failure: unknown = null;
  #idleTimer: NodeJS.Timeout | null = null;
  #finish: () => void = () => undefined;
  readonly #finished = new Promise<void>((resolve) => (this.#finish = resolve));

  constructor(options: ReadOptions) {
    this.#o = options;
    this.commit = options.commit === true && options.groupId !== undefined;
    this.#scope = options.partitions ? new Set(options.partitions) : null;
    this.#positions = new Map(options.startAt ?? []);
  }

  endReached(): boolean {
    if (!this.#o.endAt) return false;
    for (const [partition, end] of this.#o.endAt) {
      if (this.#scope && !this.#scope.has(partition)) continue;
      if (this.#assigned && !this.#assigned.has(partition)) continue;
      if ((this.#positions.get(partition) ?? -1n) < end) return false;
    }
    return true;
  }

  stop(reason: StopReason): void {
    if (this.#stopReason === null) this.#stopReason = reason;
    this.#finish();
  }

  /** Follows the consumer's crashes, assignments and batch ends. */
  watch(consumer: Consumer): void {
    const { topic } = this.#o;
    consumer.on(consumer.events.CRASH, (event) => {
      if (!event.payload.restart) {
        this.#failure = event.payload.error;
        this.#finish();
      }
    });
    // Also advances over batches that held nothing to hand out (compacted gaps, control records).
    consumer.on(consumer.events.END_BATCH_PROCESS, (event) => {
      const { partition, lastOffset } = event.payload;
      if (this.#stopReason !== null || event.payload.topic !== topic) return;
      this.#advance(partition, BigInt(lastOffset) + 1n);
      if (this.endReached()) this.stop('end');
    });
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      const all = event.payload.memberAssignment[topic] ?? [];
      // Partitions outside --partition are paused rather than fetched and dropped.
      const scope = this.#scope;
      const outside = scope ? all.filter((p) => !scope.has(p)) : [];
      if (outside.length > 0) consumer.pause([{ topic, partitions: outside }]);
      this.#assigned = new Set(all);
      this.#o.onAssigned?.(all.filter((p) => !scope || scope.has(p)));
      if (this.endReached()) this.stop('end');
    });
  }

  async handleBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale } =
      payload;
    if (this.#scope && !this.#scope.has(batch.partition)) return;
    for (const message of batch.messages) {
      if (this.#stopReason !== null || !isRunning() || isStale()) break;
      const outcome = await this.#handOut(batch.partition, message);
      if (outcome === 'not-handled') break;
      resolveOffset(message.offset);
      if (outcome === 'last') break;
    }
    if (this.endReached()) this.stop('end');
    if (this.commit) await commitOffsetsIfNecessary();
    await heartbeat();
  }

  /** Waits for a stop condition; the read's failure, if any, is thrown. */
  async result(): Promise<ReadResult> {
    this.#armIdle();
    await this.#finished;
    if (this.#failure) throw this.#failure;
    return { count: this.#count, reason: this.#stopReason ?? 'signal' };
  }

  dispose(): void {
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
  }

  /**
   * Hands one record to onRecord. 'not-handled': the read stops before it (past the end, or
   * onRecord failed), so it is not resolved; 'last': it was handled and the read stops after it.
   */
  async #handOut(
    partition: number,
    message: KafkaMessage,
  ): Promise<'next' | 'last' | 'not-handled'> {
    const offset = BigInt(message.offset);
    const end = this.#o.endAt?.get(partition);
    if (end !== undefined && offset >= end) {
      this.#positions.set(partition, end);
      return 'not-handled';
    }
    try {
      await this.#o.onRecord({ ...message, topic: this.#o.topic, partition });
    } catch (err) {
      // The record could not be handled (a file sink's converter refused it): stop without
      // resolving it, so a group's committed offset stays before it.
      this.#failure = err;
      this.stop('signal');
      return 'not-handled';
    }
    this.#positions.set(partition, offset + 1n);
    this.#count += 1;
    this.#armIdle();
    const max = this.#o.maxMessages;
    if (max !== undefined && this.#count >= max) {
      this.stop('max-messages');
      return 'last';
    }
    return 'next';
  }

  #advance(partition: number, next: bigint): void {
    if (next > (this.#positions.get(partition) ?? -1n)) this.#positions.set(partition, next);
  }

  #armIdle(): void {
    if (this.#o.idleTimeoutMs === undefined) return;
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => this.stop('idle'), this.#o.idleTimeoutMs);
  }
}
