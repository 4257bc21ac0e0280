import { ApiKey } from '../protocol/index.ts';
import type { ListOffsetsResponse } from '../protocol/index.ts';
import type { PartitionLog } from '../storage/index.ts';
import { ErrorCode, toKafkaError } from '../errors/index.ts';
import { defineApi } from './types.ts';
import { Op, Resource, authorize } from '../acl/authorize.ts';

type TopicOut = ListOffsetsResponse['topics'][number];
type PartitionOut = TopicOut['partitions'][number];

/** Special timestamps of ListOffsets. */
export const LATEST = -1;
export const EARLIEST = -2;
export const MAX_TIMESTAMP = -3;
export const EARLIEST_LOCAL = -4;

function partitionOut(
  version: number,
  partitionIndex: number,
  errorCode: number,
  offset: number,
  timestamp: number,
): PartitionOut {
  return {
    partitionIndex,
    errorCode,
    // v0 answers with a list of offsets; v1+ with one offset and its timestamp.
    oldStyleOffsets: version === 0 && offset >= 0 ? [BigInt(offset)] : [],
    timestamp: version === 0 ? -1n : BigInt(timestamp),
    offset: version === 0 ? -1n : BigInt(offset),
    // Not ignorable before v4: older versions must carry the default.
    leaderEpoch: version >= 4 && errorCode === 0 && offset >= 0 ? 0 : -1,
  };
}

function lookup(
  log: PartitionLog,
  ts: number,
  latest: () => number,
): { offset: number; timestamp: number } {
  switch (ts) {
    case LATEST:
      return { offset: latest(), timestamp: -1 };
    case EARLIEST:
    case EARLIEST_LOCAL:
      return { offset: log.logStartOffset, timestamp: -1 };
    case MAX_TIMESTAMP:
      return log.maxTimestampRecord() ?? { offset: -1, timestamp: -1 };
    default: {
      if (ts < 0) throw new RangeError(`unsupported special timestamp ${ts}`);
      return log.offsetForTimestamp(ts) ?? { offset: -1, timestamp: -1 };
    }
  }
}

export const listOffsetsApi = defineApi({
  apiKey: ApiKey.ListOffsets,
  minVersion: 0,
  // v7 adds MAX_TIMESTAMP (-3), v8 EARLIEST_LOCAL (-4, = earliest without tiered storage).
  maxVersion: 8,
  handle(ctx, request) {
    const broker = ctx.broker;
    const version = ctx.apiVersion;
    const topics: TopicOut[] = request.topics.map((topic) => {
      if (!authorize(ctx, Op.DESCRIBE, Resource.TOPIC, topic.name))
        return {
          name: topic.name,
          partitions: topic.partitions.map((p) =>
            partitionOut(version, p.partitionIndex, ErrorCode.TOPIC_AUTHORIZATION_FAILED, -1, -1),
          ),
        };
      const partitions = topic.partitions.map((p) => {
        const log = broker.logs.partition(topic.name, p.partitionIndex);
        if (!log)
          return partitionOut(
            version,
            p.partitionIndex,
            ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
            -1,
            -1,
          );
        const ts = Number(p.timestamp);
        if (
          ts < EARLIEST_LOCAL ||
          (ts === MAX_TIMESTAMP && version < 7) ||
          (ts === EARLIEST_LOCAL && version < 8)
        ) {
          return partitionOut(version, p.partitionIndex, ErrorCode.UNSUPPORTED_VERSION, -1, -1);
        }
        try {
          // read_committed (isolation level 1, v2+) asks for the last stable offset as "latest".
          const readCommitted = (request.isolationLevel ?? 0) === 1;
          const found = lookup(log, ts, () =>
            readCommitted ? broker.producers.lastStableOffset(log) : log.highWatermark,
          );
          return partitionOut(version, p.partitionIndex, 0, found.offset, found.timestamp);
        } catch (err) {
          const { code } = toKafkaError(err);
          if (code === ErrorCode.UNKNOWN_SERVER_ERROR)
            broker.logger.error({ err, topic: topic.name }, 'ListOffsets failed');
          return partitionOut(version, p.partitionIndex, code, -1, -1);
        }
      });
      return { name: topic.name, partitions };
    });
    return { throttleTimeMs: 0, topics };
  },
  errorResponse(request, version, errorCode) {
    return {
      throttleTimeMs: 0,
      topics: request.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) =>
          partitionOut(version, p.partitionIndex, errorCode, -1, -1),
        ),
      })),
    };
  },
});
