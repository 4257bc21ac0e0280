import { ApiKey } from '../protocol/index.ts';
import { ErrorCode as E } from '../errors/index.ts';
import { Op, Resource, authorize } from '../acl/authorize.ts';
import { fencedFor } from './txn-errors.ts';
import { defineApi } from './types.ts';

/** AddOffsetsToTxn: the transaction will commit offsets of a consumer group (sendOffsetsToTransaction). */
export const addOffsetsToTxnApi = defineApi({
  apiKey: ApiKey.AddOffsetsToTxn,
  minVersion: 0,
  maxVersion: 4,
  handle(ctx, request) {
    const answer = (errorCode: number) => ({ throttleTimeMs: 0, errorCode });
    if (!authorize(ctx, Op.WRITE, Resource.TRANSACTIONAL_ID, request.transactionalId))
      return answer(E.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
    if (!authorize(ctx, Op.READ, Resource.GROUP, request.groupId))
      return answer(E.GROUP_AUTHORIZATION_FAILED);
    if (!request.groupId) return answer(E.INVALID_GROUP_ID);
    const code = ctx.broker.transactions.addOffsets(
      request.transactionalId,
      Number(request.producerId),
      request.producerEpoch,
      request.groupId,
    );
    return answer(fencedFor(code, ctx.apiVersion, 2));
  },
  errorResponse(_request, _version, errorCode) {
    return { throttleTimeMs: 0, errorCode };
  },
});
