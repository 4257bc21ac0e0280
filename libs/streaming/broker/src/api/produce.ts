import type { ProduceRequest, ProduceResponse } from '../protocol/index.ts';
import { compacts, requireRecordKeys } from '../storage/compaction/index.ts';
import { lookupTopic } from './auto-create.ts';
import { Err, toKafkaError } from './error-codes.ts';
import { isInternalTopic } from './internal-topics.ts';
import { defineApi } from './types.ts';
import type { RequestContext } from './types.ts';

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
  } as PartitionOut;
}

function failed(index: number, errorCode: number, message: string | null): PartitionOut {
  return partitionResult(index, errorCode, -1n, -1n, -1n, message);
}

/**
 * Produce: every acks value the protocol allows means "appended to the log" on a single node (acks=-1
 * with min.insync.replicas=1). acks=0 gets no response at all, as in Kafka. The record batches are
 * handed to storage byte for byte; storage validates them and assigns offsets.
 */
export const produceApi = defineApi<ProduceRequest, ProduceResponse>({
  apiKey: 0,
  name: 'Produce',
  minVersion: 0,
  maxVersion: 11,
  handle(ctx: RequestContext, request): ProduceResponse | null {
    const broker = ctx.broker;
    const acks = request.acks;
    if (acks !== 0 && acks !== 1 && acks !== -1) {
      return produceError(request, Err.INVALID_REQUIRED_ACKS, `invalid acks ${acks}`);
    }
    const now = broker.now();
    const responses: TopicOut[] = [];
    let anyError = false;
    for (const topicData of request.topicData) {
      const name = topicData.name;
      const found = isInternalTopic(name)
        ? ({
            topic: null,
            errorCode: Err.INVALID_TOPIC_EXCEPTION,
            message: `Cannot append to internal topic ${name}`,
          } as const)
        : lookupTopic(broker, name, true);
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
              Err.UNKNOWN_TOPIC_OR_PARTITION,
              `unknown partition ${name}-${data.index}`,
            ),
          );
          anyError = true;
          continue;
        }
        if (!data.records || data.records.length === 0) {
          partitionResponses.push(failed(data.index, Err.CORRUPT_MESSAGE, 'empty record set'));
          anyError = true;
          continue;
        }
        try {
          // Compacted topics keep the latest record per key: keyless records are refused (as Kafka does).
          if (compacts(log.config)) requireRecordKeys(data.records, name, data.index);
          // Idempotent batches go through the producer-state checks (dedupe, sequence, epoch).
          const appended = broker.producers.append(log, data.records, now);
          partitionResponses.push(
            partitionResult(
              data.index,
              0,
              BigInt(appended.baseOffset),
              BigInt(log.logStartOffset),
              BigInt(appended.logAppendTimeMs),
              null,
            ),
          );
        } catch (err) {
          const { code, message } = toKafkaError(err);
          if (code === Err.UNKNOWN_SERVER_ERROR)
            broker.logger.error({ err, topic: name, partition: data.index }, 'append failed');
          else
            broker.logger.debug(
              { topic: name, partition: data.index, code, reason: message },
              'produce rejected',
            );
          partitionResponses.push(failed(data.index, code, message));
          anyError = true;
        }
      }
      responses.push({ name, partitionResponses } as TopicOut);
    }
    if (acks === 0) {
      if (anyError)
        broker.logger.debug(
          { conn: ctx.connectionId },
          'acks=0 produce had errors (no response is sent)',
        );
      return null;
    }
    return { responses, throttleTimeMs: 0 } as ProduceResponse;
  },
  errorResponse(request, _version, errorCode, message) {
    return produceError(request, errorCode, message);
  },
  expectsResponse(request) {
    return request.acks !== 0;
  },
});

function produceError(
  request: ProduceRequest,
  errorCode: number,
  message: string | null,
): ProduceResponse {
  return {
    responses: request.topicData.map(
      (t) =>
        ({
          name: t.name,
          partitionResponses: t.partitionData.map((p) => failed(p.index, errorCode, message)),
        }) as TopicOut,
    ),
    throttleTimeMs: 0,
  } as ProduceResponse;
}
