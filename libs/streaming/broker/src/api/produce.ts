import { ApiKey } from '../protocol/index.ts';
import type { ProduceRequest, ProduceResponse } from '../protocol/index.ts';
import { compacts, requireRecordKeys } from '../storage/compaction/index.ts';
import { lookupTopic } from './auto-create.ts';
import { ErrorCode, KafkaError, toKafkaError } from '../errors/index.ts';
import { checkRecordTimestamps } from '../storage/timestamp-bounds.ts';
import { isLegacyMessageSet, upConvert } from '../storage/message-conversion.ts';
import type { TopicConfig } from '../storage/index.ts';
import { isInternalTopic } from './internal-topics.ts';
import { defineApi } from './types.ts';
import { Op, Resource, authorize, mayCreateTopic } from '../acl/authorize.ts';
import type { RequestContext } from './types.ts';
import type { PartitionLog } from '../storage/index.ts';

type TopicOut = ProduceResponse['responses'][number];
type PartitionOut = TopicOut['partitionResponses'][number];

function partitionResult(
  index: number,
  errorCode: number,
  baseOffset: bigint,
  logStartOffset: bigint,
  logAppendTimeMs: bigint,
  errorMessage: string | null,
): PartitionOut {
  return {
    index,
    errorCode,
    baseOffset,
    logAppendTimeMs,
    logStartOffset,
    recordErrors: [],
    errorMessage,
  };
}

function failed(index: number, errorCode: number, message: string | null): PartitionOut {
  return partitionResult(index, errorCode, -1n, -1n, -1n, message);
}

/**
 * Produce: every acks value the protocol allows means "appended to the log" on a single node (acks=-1
 * with min.insync.replicas=1). acks=0 gets no response at all, as in Kafka. The record batches are
 * handed to storage byte for byte; storage validates them and assigns offsets.
 */
export const produceApi = defineApi({
  apiKey: ApiKey.Produce,
  minVersion: 0,
  maxVersion: 11,
  handle(ctx: RequestContext, request): ProduceResponse | null {
    const broker = ctx.broker;
    const acks = request.acks;
    if (acks !== 0 && acks !== 1 && acks !== -1) {
      return produceError(request, ErrorCode.INVALID_REQUIRED_ACKS, `invalid acks ${acks}`);
    }
    // Transactional records need WRITE on the transactional id, for the whole request (as in Kafka).
    if (
      request.transactionalId != null &&
      !authorize(ctx, Op.WRITE, Resource.TRANSACTIONAL_ID, request.transactionalId)
    )
      return produceError(request, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, null);
    const now = broker.now();
    const responses: TopicOut[] = [];
    let anyError = false;
    for (const topicData of request.topicData) {
      const name = topicData.name;
      const found = isInternalTopic(name)
        ? ({
            topic: null,
            errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION,
            message: `Cannot append to internal topic ${name}`,
          } as const)
        : !authorize(ctx, Op.WRITE, Resource.TOPIC, name)
          ? ({
              topic: null,
              errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
              message: `Not authorized to access topics: [${name}]`,
            } as const)
          : lookupTopic(broker, name, mayCreateTopic(ctx, name));
      const partitionResponses: PartitionOut[] = [];
      for (const data of topicData.partitionData) {
        if (!found.topic) {
          partitionResponses.push(failed(data.index, found.errorCode, found.message));
          anyError = true;
          continue;
        }
        const log = broker.logs.partition(name, data.index);
        if (!log) {
          partitionResponses.push(
            failed(
              data.index,
              ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
              `unknown partition ${name}-${data.index}`,
            ),
          );
          anyError = true;
          continue;
        }
        if (!data.records || data.records.length === 0) {
          partitionResponses.push(
            failed(data.index, ErrorCode.CORRUPT_MESSAGE, 'empty record set'),
          );
          anyError = true;
          continue;
        }
        const out = appendTo(ctx, log, data.records, now, request.transactionalId ?? null, acks);
        if (out.errorCode !== 0) anyError = true;
        partitionResponses.push(out);
      }
      responses.push({ name, partitionResponses });
    }
    if (acks === 0) {
      if (anyError)
        broker.logger.debug(
          { conn: ctx.connection.id },
          'acks=0 produce had errors (no response is sent)',
        );
      return null;
    }
    return { responses, throttleTimeMs: 0 };
  },
  errorResponse(request, _version, errorCode, message) {
    return produceError(request, errorCode, message);
  },
  expectsResponse(request) {
    return request.acks !== 0;
  },
});

/** Appends one partition's records; a refusal becomes that partition's error. */
function appendTo(
  ctx: RequestContext,
  log: PartitionLog,
  sent: Buffer,
  now: number,
  transactionalId: string | null,
  acks: number,
): PartitionOut {
  const broker = ctx.broker;
  const { topic, partition } = log;
  try {
    // Produce v0–v2 carry the message sets of Kafka 0.8–0.10: stored as one v2 batch, as Kafka does.
    const records = ctx.apiVersion <= 2 && isLegacyMessageSet(sent) ? upConvert(sent) : sent;
    // Compacted topics keep the latest record per key: keyless records are refused (as Kafka does).
    if (compacts(log.config)) requireRecordKeys(records, topic, partition);
    checkProduceAgainstConfig(log.config, acks, records, now);
    // Idempotent batches go through the producer-state checks (dedupe, sequence, epoch),
    // transactional ones through the transaction coordinator's too.
    const appended = broker.producers.append(log, records, now, transactionalId);
    return partitionResult(
      partition,
      0,
      BigInt(appended.baseOffset),
      BigInt(log.logStartOffset),
      BigInt(appended.logAppendTimeMs),
      null,
    );
  } catch (err) {
    const { code, message } = toKafkaError(err);
    if (code === ErrorCode.UNKNOWN_SERVER_ERROR)
      broker.logger.error({ err, topic, partition }, 'append failed');
    else broker.logger.debug({ topic, partition, code, reason: message }, 'produce rejected');
    return failed(partition, code, message);
  }
}

/**
 * What a topic's configs ask of a produce before it is appended: acks=all needs min.insync.replicas
 * in-sync replicas, and this node is the only one (NOT_ENOUGH_REPLICAS, 19, as Kafka answers with a
 * shrunk ISR); record timestamps within message.timestamp.before/after.max.ms (INVALID_TIMESTAMP).
 */
function checkProduceAgainstConfig(
  config: Readonly<TopicConfig>,
  acks: number,
  records: Buffer,
  now: number,
): void {
  if (acks === -1 && config.minInsyncReplicas > 1)
    throw new KafkaError(
      ErrorCode.NOT_ENOUGH_REPLICAS,
      `min.insync.replicas is ${config.minInsyncReplicas} but this single node is the only ` +
        `in-sync replica: lower the topic's min.insync.replicas to 1 or produce with acks=1`,
    );
  checkRecordTimestamps(records, config, now);
}

function produceError(
  request: ProduceRequest,
  errorCode: number,
  message: string | null,
): ProduceResponse {
  return {
    responses: request.topicData.map((t) => ({
      name: t.name,
      partitionResponses: t.partitionData.map((p) => failed(p.index, errorCode, message)),
    })),
    throttleTimeMs: 0,
  };
}
