import { ApiKey } from '../protocol/index.ts';
import type { DeleteRecordsResponse } from '../protocol/index.ts';
import { ErrorCode, toKafkaError } from '../errors/index.ts';
import { defineApi } from './types.ts';
import { Op, Resource, authorize } from '../acl/authorize.ts';

type TopicOut = DeleteRecordsResponse['topics'][number];
type PartitionOut = TopicOut['partitions'][number];

/** DeleteRecords: moves the log start offset forward; offset -1 means "up to the high watermark". */
export const deleteRecordsApi = defineApi({
  apiKey: ApiKey.DeleteRecords,
  minVersion: 0,
  maxVersion: 2,
  handle(ctx, request) {
    const broker = ctx.broker;
    const topics = request.topics.map((t) => {
      // DELETE on each topic.
      const allowed = authorize(ctx, Op.DELETE, Resource.TOPIC, t.name);
      const partitions = t.partitions.map((p): PartitionOut => {
        if (!allowed)
          return {
            partitionIndex: p.partitionIndex,
            lowWatermark: -1n,
            errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
          };
        const log = broker.logs.partition(t.name, p.partitionIndex);
        if (!log)
          return {
            partitionIndex: p.partitionIndex,
            lowWatermark: -1n,
            errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
          };
        const requested = Number(p.offset);
        const target = requested === -1 ? log.highWatermark : requested;
        if (target < 0 || target > log.highWatermark) {
          return {
            partitionIndex: p.partitionIndex,
            lowWatermark: BigInt(log.logStartOffset),
            errorCode: ErrorCode.OFFSET_OUT_OF_RANGE,
          };
        }
        try {
          const low = log.deleteRecordsBefore(target);
          broker.logger.info(
            { topic: t.name, partition: p.partitionIndex, logStartOffset: low },
            'deleted records',
          );
          return {
            partitionIndex: p.partitionIndex,
            lowWatermark: BigInt(low),
            errorCode: 0,
          };
        } catch (err) {
          const { code } = toKafkaError(err);
          if (code === ErrorCode.UNKNOWN_SERVER_ERROR)
            broker.logger.error({ err, topic: t.name }, 'DeleteRecords failed');
          return {
            partitionIndex: p.partitionIndex,
            lowWatermark: -1n,
            errorCode: code,
          };
        }
      });
      return { name: t.name, partitions };
    });
    return { throttleTimeMs: 0, topics };
  },
  errorResponse(request, _version, errorCode) {
    return {
      throttleTimeMs: 0,
      topics: request.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({
          partitionIndex: p.partitionIndex,
          lowWatermark: -1n,
          errorCode,
        })),
      })),
    };
  },
});
