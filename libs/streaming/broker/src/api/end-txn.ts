import { ApiKey } from '../protocol/index.ts';
import { ErrorCode as E } from '../errors/index.ts';
import { Op, Resource, authorize } from '../acl/authorize.ts';
import { fencedFor } from './txn-errors.ts';
import { defineApi } from './types.ts';

/**
 * EndTxn: commit or abort. Answered once the outcome is durable; the markers are written before the
 * answer too unless a partition cannot be written, in which case they follow when it can.
 * v5 (KIP-890 part 2, an epoch bump per transaction) is not advertised: Kafka marks it unstable.
 */
export const endTxnApi = defineApi({
  apiKey: ApiKey.EndTxn,
  minVersion: 0,
  maxVersion: 4,
  handle(ctx, request) {
    const answer = (errorCode: number) => ({ throttleTimeMs: 0, errorCode });
    if (!authorize(ctx, Op.WRITE, Resource.TRANSACTIONAL_ID, request.transactionalId))
      return answer(E.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
    const code = ctx.broker.transactions.endTxn(
      request.transactionalId,
      Number(request.producerId),
      request.producerEpoch,
      request.committed,
    );
    return answer(fencedFor(code, ctx.apiVersion, 2));
  },
  errorResponse(_request, _version, errorCode) {
    return { throttleTimeMs: 0, errorCode };
  },
});
