import type { InitProducerIdRequest, InitProducerIdResponse } from '../protocol/index.ts';
import { defineApi } from './types.ts';
import type { RequestContext } from './types.ts';

/** Kafka error code for a transactional id this broker will not serve (no transaction coordinator). */
export const TRANSACTIONAL_ID_AUTHORIZATION_FAILED = 53;

/**
 * InitProducerId for idempotent (non-transactional) producers: a fresh
 * producer id with epoch 0, persisted so ids are never reused. From v3 a
 * producer that re-initialises with the id/epoch it holds (librdkafka's epoch
 * bump after an unrecoverable sequence) gets the same id with epoch + 1 when
 * this broker issued that pair, else a new id.
 *
 * Transactions are not implemented: a non-null transactionalId is answered
 * with TRANSACTIONAL_ID_AUTHORIZATION_FAILED, which every client treats as
 * fatal and reports by name ("Transactional Id authorization failed"), rather
 * than a retriable code such as COORDINATOR_NOT_AVAILABLE that would leave the
 * client retrying until its timeout.
 *
 * Advertised from v0: librdkafka enables idempotence only if InitProducerId's
 * range overlaps its own 0-4; kafkajs uses 0-1, @platformatic/kafka 3-5.
 */
export const initProducerIdApi = defineApi<InitProducerIdRequest, InitProducerIdResponse>({
  apiKey: 22,
  name: 'InitProducerId',
  minVersion: 0,
  maxVersion: 5,
  handle(ctx: RequestContext, request): InitProducerIdResponse {
    const broker = ctx.broker;
    if (request.transactionalId !== null) {
      broker.logger.info(
        { conn: ctx.connectionId, transactionalId: request.transactionalId },
        'InitProducerId for a transactional producer refused: transactions are not supported',
      );
      return response(TRANSACTIONAL_ID_AUTHORIZATION_FAILED, -1, -1);
    }
    const ids = broker.producers.ids;
    const heldId = request.producerId ?? -1n;
    const heldEpoch = request.producerEpoch ?? -1;
    const granted =
      ctx.apiVersion >= 3 && heldId >= 0n && heldEpoch >= 0
        ? ids.reinitialise(Number(heldId), heldEpoch)
        : ids.allocate();
    broker.logger.debug(
      { conn: ctx.connectionId, clientId: ctx.clientId, ...granted },
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
