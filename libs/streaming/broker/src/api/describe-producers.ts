import { ApiKey } from '../protocol/index.ts';
import type { DescribeProducersResponse } from '../protocol/index.ts';
import { ErrorCode as E } from '../errors/index.ts';
import { Op, Resource, authorize } from '../acl/authorize.ts';
import { defineApi } from './types.ts';
import type { BrokerContext } from './types.ts';

type PartitionOut = DescribeProducersResponse['topics'][number]['partitions'][number];

function failed(
  partitionIndex: number,
  errorCode: number,
  errorMessage: string | null,
): PartitionOut {
  return { partitionIndex, errorCode, errorMessage, activeProducers: [] };
}

/** The producers a partition's state knows: epoch, last sequence and time, open transaction start. */
function describePartition(broker: BrokerContext, topic: string, partition: number): PartitionOut {
  const log = broker.logs.partition(topic, partition);
  if (!log) return failed(partition, E.UNKNOWN_TOPIC_OR_PARTITION, null);
  const state = broker.producers.stateFor(log);
  const activeProducers = [...state.allEntries()].map((entry) => {
    const last = entry.batches[entry.batches.length - 1];
    return {
      producerId: BigInt(entry.producerId),
      producerEpoch: entry.epoch,
      lastSequence: last ? last.lastSequence : -1,
      lastTimestamp: BigInt(last ? last.timestamp : -1),
      coordinatorEpoch:
        broker.transactions.transactionalIdOf(entry.producerId) === undefined ? -1 : 0,
      currentTxnStartOffset: BigInt(state.txns.openTxnStart(entry.producerId)),
    };
  });
  return { partitionIndex: partition, errorCode: E.NONE, errorMessage: null, activeProducers };
}

/** DescribeProducers (KIP-664): READ on the topic, as in Kafka. */
export const describeProducersApi = defineApi({
  apiKey: ApiKey.DescribeProducers,
  minVersion: 0,
  maxVersion: 0,
  handle(ctx, request) {
    const topics = request.topics.map((t) => {
      const allowed = authorize(ctx, Op.READ, Resource.TOPIC, t.name);
      return {
        name: t.name,
        partitions: t.partitionIndexes.map((p) =>
          allowed
            ? describePartition(ctx.broker, t.name, p)
            : failed(p, E.TOPIC_AUTHORIZATION_FAILED, null),
        ),
      };
    });
    return { throttleTimeMs: 0, topics };
  },
  errorResponse(request, _version, errorCode, message) {
    return {
      throttleTimeMs: 0,
      topics: request.topics.map((t) => ({
        name: t.name,
        partitions: t.partitionIndexes.map((p) => failed(p, errorCode, message)),
      })),
    };
  },
});
