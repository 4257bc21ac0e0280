import { ApiKey } from '../protocol/index.ts';
import type { InitProducerIdResponse } from '../protocol/index.ts';
import { defineApi } from './types.ts';
import type { RequestContext } from './types.ts';
import { Op, Resource, authorize, authorizeAny, authorizeCluster } from '../acl/authorize.ts';
import { ErrorCode } from '../errors/index.ts';
import { fencedFor } from './txn-errors.ts';

/**
 * InitProducerId for idempotent (non-transactional) producers: a fresh
 * producer id with epoch 0, persisted so ids are never reused. From v3 a
 * producer that re-initialises with the id/epoch it holds (librdkafka's epoch
 * bump after an unrecoverable sequence) gets the same id with epoch + 1 when
 * this broker issued that pair, else a new id.
 *
 * With a transactionalId the transaction coordinator answers: the id's producer
 * id with its epoch bumped (fencing any older instance, whose open transaction
 * is aborted), or INVALID_TRANSACTION_TIMEOUT for a timeout over
 * transaction.max.timeout.ms. PRODUCER_FENCED exists from v4; older versions
 * get INVALID_PRODUCER_EPOCH instead.
 *
 * Advertised from v0: librdkafka enables idempotence only if InitProducerId's
 * range overlaps its own 0-4; kafkajs uses 0-1, @platformatic/kafka 3-5.
 */
export const initProducerIdApi = defineApi({
  apiKey: ApiKey.InitProducerId,
  minVersion: 0,
  maxVersion: 5,
  handle(ctx: RequestContext, request): InitProducerIdResponse {
    const broker = ctx.broker;
    if (
      request.transactionalId !== null &&
      !authorize(ctx, Op.WRITE, Resource.TRANSACTIONAL_ID, request.transactionalId)
    )
      return response(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, -1, -1);
    // An idempotent producer needs IDEMPOTENT_WRITE on the cluster or WRITE on some topic (KIP-679).
    if (
      request.transactionalId === null &&
      !authorizeCluster(ctx, Op.IDEMPOTENT_WRITE, { logIfDenied: false }) &&
      !authorizeAny(ctx, Op.WRITE, Resource.TOPIC)
    ) {
      authorizeCluster(ctx, Op.IDEMPOTENT_WRITE);
      return response(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, -1, -1);
    }
    if (request.transactionalId !== null) {
      const heldId = Number(request.producerId ?? -1n);
      const granted = broker.transactions.initProducerId(
        request.transactionalId,
        request.transactionTimeoutMs,
        heldId >= 0 ? { producerId: heldId, epoch: request.producerEpoch ?? -1 } : null,
      );
      broker.logger.debug(
        { conn: ctx.connection.id, transactionalId: request.transactionalId, ...granted },
        'transactional producer initialised',
      );
      return response(
        fencedFor(granted.errorCode, ctx.apiVersion, 4),
        granted.producerId,
        granted.producerEpoch,
      );
    }
    const ids = broker.producers.ids;
    const heldId = request.producerId ?? -1n;
    const heldEpoch = request.producerEpoch ?? -1;
    const granted =
      ctx.apiVersion >= 3 && heldId >= 0n && heldEpoch >= 0
        ? ids.reinitialise(Number(heldId), heldEpoch)
        : ids.allocate();
    broker.logger.debug(
      { conn: ctx.connection.id, clientId: ctx.clientId, ...granted },
      'producer id granted',
    );
    return response(0, granted.producerId, granted.epoch);
  },
  errorResponse(_request, _version, errorCode) {
    return response(errorCode, -1, -1);
  },
});

function response(errorCode: number, producerId: number, epoch: number): InitProducerIdResponse {
  return { throttleTimeMs: 0, errorCode, producerId: BigInt(producerId), producerEpoch: epoch };
}
