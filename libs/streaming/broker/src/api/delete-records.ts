import type { DeleteRecordsRequest, DeleteRecordsResponse } from '../protocol/index.ts';
import { Err, toKafkaError } from './error-codes.ts';
import { defineApi } from './types.ts';

type TopicOut = DeleteRecordsResponse['topics'][number];
type PartitionOut = TopicOut['partitions'][number];

/** DeleteRecords: moves the log start offset forward; offset -1 means "up to the high watermark". */
export const deleteRecordsApi = defineApi<DeleteRecordsRequest, DeleteRecordsResponse>({
  apiKey: 21,
  name: 'DeleteRecords',
  minVersion: 0,
  maxVersion: 2,
  handle(ctx, request) {
    const broker = ctx.broker;
    const topics = request.topics.map((t) => {
      const partitions = t.partitions.map((p): PartitionOut => {
        const log = broker.logs.partition(t.name, p.partitionIndex);
        if (!log)
          return {
            partitionIndex: p.partitionIndex,
            lowWatermark: -1n,
            errorCode: Err.UNKNOWN_TOPIC_OR_PARTITION,
          } as PartitionOut;
        const requested = Number(p.offset);
        const target = requested === -1 ? log.highWatermark : requested;
        if (target < 0 || target > log.highWatermark) {
          return {
            partitionIndex: p.partitionIndex,
            lowWatermark: BigInt(log.logStartOffset),
            errorCode: Err.OFFSET_OUT_OF_RANGE,
          } as PartitionOut;
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
          } as PartitionOut;
        } catch (err) {
          const { code } = toKafkaError(err);
          if (code === Err.UNKNOWN_SERVER_ERROR)
            broker.logger.error({ err, topic: t.name }, 'DeleteRecords failed');
          return {
            partitionIndex: p.partitionIndex,
            lowWatermark: -1n,
            errorCode: code,
          } as PartitionOut;
        }
      });
      return { name: t.name, partitions } as TopicOut;
    });
    return { throttleTimeMs: 0, topics } as DeleteRecordsResponse;
  },
  errorResponse(request, _version, errorCode) {
    return {
      throttleTimeMs: 0,
      topics: request.topics.map(
        (t) =>
          ({
            name: t.name,
            partitions: t.partitions.map(
              (p) =>
                ({
                  partitionIndex: p.partitionIndex,
                  lowWatermark: -1n,
                  errorCode,
                }) as PartitionOut,
            ),
          }) as TopicOut,
      ),
    } as DeleteRecordsResponse;
  },
});
