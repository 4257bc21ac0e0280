import { ApiKey } from '../protocol/index.ts';
import type { ListTransactionsResponse } from '../protocol/index.ts';
import { Op, Resource, authorize } from '../acl/authorize.ts';
import { TXN_STATES } from '../txn/index.ts';
import { defineApi } from './types.ts';

type Listed = ListTransactionsResponse['transactionStates'][number];

/**
 * ListTransactions: the transactional ids the principal may DESCRIBE, filtered by state, producer id
 * and (v1) by running for longer than a duration. Unknown state names come back in
 * unknownStateFilters, as in Kafka.
 */
export const listTransactionsApi = defineApi({
  apiKey: ApiKey.ListTransactions,
  minVersion: 0,
  maxVersion: 1,
  handle(ctx, request) {
    const known = new Set<string>(TXN_STATES);
    const states = new Set(request.stateFilters);
    const producerIds = new Set(request.producerIdFilters.map(Number));
    const minDuration = Number(request.durationFilter ?? -1n);
    const now = ctx.broker.now();
    const transactionStates: Listed[] = [];
    for (const txn of ctx.broker.transactions.transactions()) {
      if (states.size > 0 && !states.has(txn.state)) continue;
      if (producerIds.size > 0 && !producerIds.has(txn.producerId)) continue;
      if (minDuration >= 0 && (txn.state !== 'Ongoing' || now - txn.startTimestamp < minDuration))
        continue;
      if (
        !authorize(ctx, Op.DESCRIBE, Resource.TRANSACTIONAL_ID, txn.transactionalId, {
          logIfDenied: false,
        })
      )
        continue;
      transactionStates.push({
        transactionalId: txn.transactionalId,
        producerId: BigInt(txn.producerId),
        transactionState: txn.state,
      });
    }
    return {
      throttleTimeMs: 0,
      errorCode: 0,
      unknownStateFilters: request.stateFilters.filter((s) => !known.has(s)),
      transactionStates,
    };
  },
  errorResponse(_request, _version, errorCode) {
    return { throttleTimeMs: 0, errorCode, unknownStateFilters: [], transactionStates: [] };
  },
});
