import { ApiKey } from '../protocol/index.ts';
import type { DescribeTransactionsResponse } from '../protocol/index.ts';
import { ErrorCode as E } from '../errors/index.ts';
import { Op, Resource, authorize } from '../acl/authorize.ts';
import type { TxnMetadata } from '../txn/index.ts';
import { defineApi } from './types.ts';
import type { RequestContext } from './types.ts';

type Described = DescribeTransactionsResponse['transactionStates'][number];

function empty(transactionalId: string, errorCode: number): Described {
  return {
    errorCode,
    transactionalId,
    transactionState: '',
    transactionTimeoutMs: 0,
    transactionStartTimeMs: -1n,
    producerId: -1n,
    producerEpoch: -1,
    topics: [],
  };
}

/** The partitions of the open transaction, as Kafka lists them: only topics the principal may DESCRIBE. */
function topicsOf(ctx: RequestContext, txn: TxnMetadata): Described['topics'] {
  const topics: Described['topics'] = [];
  for (const [topic, partitions] of txn.partitions)
    if (authorize(ctx, Op.DESCRIBE, Resource.TOPIC, topic, { logIfDenied: false }))
      topics.push({ topic, partitions: [...partitions].sort((a, b) => a - b) });
  // Offsets committed in a transaction go to the offsets topic's partition, as in Kafka.
  if (txn.groups.size > 0) topics.push({ topic: '__consumer_offsets', partitions: [0] });
  return topics;
}

/** DescribeTransactions: state, producer, timeout, start time and partitions of each transactional id. */
export const describeTransactionsApi = defineApi({
  apiKey: ApiKey.DescribeTransactions,
  minVersion: 0,
  maxVersion: 0,
  handle(ctx, request) {
    const transactionStates = request.transactionalIds.map((id): Described => {
      if (!authorize(ctx, Op.DESCRIBE, Resource.TRANSACTIONAL_ID, id))
        return empty(id, E.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
      const txn = ctx.broker.transactions.describe(id);
      if (!txn) return empty(id, E.TRANSACTIONAL_ID_NOT_FOUND);
      return {
        errorCode: E.NONE,
        transactionalId: id,
        transactionState: txn.state,
        transactionTimeoutMs: txn.timeoutMs,
        transactionStartTimeMs: BigInt(txn.startTimestamp),
        producerId: BigInt(txn.producerId),
        producerEpoch: txn.producerEpoch,
        topics: topicsOf(ctx, txn),
      };
    });
    return { throttleTimeMs: 0, transactionStates };
  },
  errorResponse(request, _version, errorCode) {
    return {
      throttleTimeMs: 0,
      transactionStates: request.transactionalIds.map((id) => empty(id, errorCode)),
    };
  },
});
