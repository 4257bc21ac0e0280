import { randomUUID } from 'node:crypto';
import type { Consumer, KafkaMessage } from 'kafkajs';
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
  onRecord: (record: ReadRecord) => void | Promise<void>;
  onAssigned?: (partitions: number[]) => void;
}

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
  const groupId = options.groupId ?? `${THROWAWAY_GROUP_PREFIX}${randomUUID()}`;
  const commit = options.commit === true && options.groupId !== undefined;
  const scope = options.partitions ? new Set(options.partitions) : null;
  const positions = new Map<number, bigint>(options.startAt ?? []);
  let count = 0;
  let stopReason: StopReason | null = null;
  let failure: unknown = null;
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const stop = (reason: StopReason) => {
    if (stopReason === null) stopReason = reason;
    finish();
  };

  // Once the group assigned partitions, only those count for "end reached": in a shared group the
  // other members read the rest.
  let assigned: Set<number> | null = null;
  const endReached = () => {
    if (!options.endAt) return false;
    for (const [partition, end] of options.endAt) {
      if (scope && !scope.has(partition)) continue;
      if (assigned && !assigned.has(partition)) continue;
      if ((positions.get(partition) ?? -1n) < end) return false;
    }
    return true;
  };
  if (options.maxMessages === 0) return { count: 0, reason: 'max-messages' };
  if (endReached()) return { count: 0, reason: 'end' };
  if (options.signal?.aborted) return { count: 0, reason: 'signal' };

  const consumer: Consumer = client.kafka.consumer({
    groupId,
    allowAutoTopicCreation: false,
    maxWaitTimeInMs: 250,
    retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 2000 },
  });
  consumer.on(consumer.events.CRASH, (event) => {
    if (!event.payload.restart) {
      failure = event.payload.error;
      finish();
    }
  });
  // Also advances over batches that held nothing to hand out (compacted gaps, control records).
  consumer.on(consumer.events.END_BATCH_PROCESS, (event) => {
    const { partition, lastOffset } = event.payload;
    if (stopReason !== null || event.payload.topic !== topic) return;
    const next = BigInt(lastOffset) + 1n;
    if (next > (positions.get(partition) ?? -1n)) positions.set(partition, next);
    if (endReached()) stop('end');
  });
  consumer.on(consumer.events.GROUP_JOIN, (event) => {
    const all = event.payload.memberAssignment[topic] ?? [];
    // Partitions outside --partition are paused rather than fetched and dropped.
    const outside = scope ? all.filter((p) => !scope.has(p)) : [];
    if (outside.length > 0) consumer.pause([{ topic, partitions: outside }]);
    assigned = new Set(all);
    options.onAssigned?.(all.filter((p) => !scope || scope.has(p)));
    if (endReached()) stop('end');
  });

  const onAbort = () => stop('signal');
  options.signal?.addEventListener('abort', onAbort, { once: true });
  let idleTimer: NodeJS.Timeout | null = null;
  const armIdle = () => {
    if (options.idleTimeoutMs === undefined) return;
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = setTimeout(() => stop('idle'), options.idleTimeoutMs);
  };

  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: options.fromBeginning });
    await consumer.run({
      autoCommit: commit,
      eachBatchAutoResolve: false,
      eachBatch: async ({
        batch,
        resolveOffset,
        heartbeat,
        commitOffsetsIfNecessary,
        isRunning,
        isStale,
      }) => {
        if (scope && !scope.has(batch.partition)) return;
        for (const message of batch.messages) {
          if (stopReason !== null || !isRunning() || isStale()) break;
          const offset = BigInt(message.offset);
          const end = options.endAt?.get(batch.partition);
          if (end !== undefined && offset >= end) {
            positions.set(batch.partition, end);
            break;
          }
          await options.onRecord({ ...message, topic, partition: batch.partition });
          resolveOffset(message.offset);
          positions.set(batch.partition, offset + 1n);
          count += 1;
          armIdle();
          if (options.maxMessages !== undefined && count >= options.maxMessages) {
            stop('max-messages');
            break;
          }
        }
        if (endReached()) stop('end');
        if (commit) await commitOffsetsIfNecessary();
        await heartbeat();
      },
    });
    // run() resolves after the group is joined and synced, so the assignment exists: the explicit
    // start offsets apply now.
    for (const [partition, offset] of options.seekTo ?? []) {
      consumer.seek({ topic, partition, offset: String(offset) });
    }
    armIdle();
    await finished;
    if (failure) throw failure;
    return { count, reason: stopReason ?? 'signal' };
  } catch (err) {
    throw err instanceof CliError ? err : translateKafkaError(err, client.bootstrap, topic);
  } finally {
    if (idleTimer) clearTimeout(idleTimer);
    options.signal?.removeEventListener('abort', onAbort);
    // Leaves the group; with autoCommit on, kafkajs commits the resolved offsets first.
    await consumer.disconnect().catch(() => undefined);
  }
}
