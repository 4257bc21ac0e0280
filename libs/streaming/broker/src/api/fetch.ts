import type { FetchRequest, FetchResponse } from '../protocol/index.ts';
import { partitionKey } from './append-waiters.ts';
import { Err, toKafkaError } from './error-codes.ts';
import { defineApi } from './types.ts';
import type { BrokerContext, RequestContext } from './types.ts';

type TopicOut = FetchResponse['responses'][number];
type PartitionOut = TopicOut['partitions'][number];

const READ_COMMITTED = 1;
const EMPTY: Buffer = Buffer.alloc(0);

function partitionOut(
  partitionIndex: number,
  errorCode: number,
  highWatermark: bigint,
  logStartOffset: bigint,
  records: Buffer,
  readCommitted: boolean,
): PartitionOut {
  return {
    partitionIndex,
    errorCode,
    highWatermark,
    // No transactions yet: everything below the high watermark is stable.
    lastStableOffset: highWatermark,
    logStartOffset,
    // Kafka sends null for read_uncommitted and a (here always empty) list for read_committed.
    abortedTransactions: readCommitted ? [] : null,
    preferredReadReplica: -1,
    records,
  } as PartitionOut;
}

interface ReadOutcome {
  response: FetchResponse;
  bytes: number;
  hasError: boolean;
}

/**
 * One pass over the requested partitions. The response-level maxBytes (v3+) and every
 * partition's maxBytes are honoured, except that the first partition with data always returns at
 * least one whole batch (KIP-74) so a consumer can never get stuck behind a batch bigger than its limits.
 */
function readOnce(broker: BrokerContext, request: FetchRequest, version: number): ReadOutcome {
  const readCommitted = (request.isolationLevel ?? 0) === READ_COMMITTED;
  let remaining =
    version >= 3 ? Math.max(0, request.maxBytes ?? 0x7fffffff) : Number.MAX_SAFE_INTEGER;
  let bytes = 0;
  let hasError = false;
  let first = true;
  const responses: TopicOut[] = [];
  for (const topic of request.topics) {
    const name = topic.topic ?? '';
    const partitions: PartitionOut[] = [];
    for (const p of topic.partitions) {
      const log = broker.logs.partition(name, p.partition);
      if (!log) {
        hasError = true;
        partitions.push(
          partitionOut(p.partition, Err.UNKNOWN_TOPIC_OR_PARTITION, -1n, -1n, EMPTY, readCommitted),
        );
        continue;
      }
      const hw = BigInt(log.highWatermark);
      const offset = Number(p.fetchOffset);
      if (offset < log.logStartOffset || offset > log.logEndOffset) {
        hasError = true;
        partitions.push(
          partitionOut(
            p.partition,
            Err.OFFSET_OUT_OF_RANGE,
            hw,
            BigInt(log.logStartOffset),
            EMPTY,
            readCommitted,
          ),
        );
        continue;
      }
      let records: Buffer = EMPTY;
      let errorCode = 0;
      const limit = Math.min(Math.max(0, p.partitionMaxBytes), remaining);
      if (offset < log.logEndOffset && (limit > 0 || first)) {
        try {
          records = log.read(offset, limit, first);
        } catch (err) {
          const e = toKafkaError(err);
          errorCode = e.code;
          hasError = true;
          if (e.code === Err.UNKNOWN_SERVER_ERROR)
            broker.logger.error({ err, topic: name, partition: p.partition }, 'read failed');
        }
      }
      if (records.length > 0) {
        first = false;
        remaining = Math.max(0, remaining - records.length);
        bytes += records.length;
      }
      partitions.push(
        partitionOut(
          p.partition,
          errorCode,
          hw,
          BigInt(log.logStartOffset),
          records,
          readCommitted,
        ),
      );
    }
    responses.push({ topic: name, topicId: topic.topicId, partitions } as TopicOut);
  }
  // Fetch sessions (KIP-227) are not implemented: sessionId 0 tells the client to keep sending full
  // fetch requests, which every client supports.
  const response = { throttleTimeMs: 0, errorCode: 0, sessionId: 0, responses } as FetchResponse;
  return { response, bytes, hasError };
}

function watchedKeys(request: FetchRequest): Set<string> {
  const keys = new Set<string>();
  for (const topic of request.topics) {
    for (const p of topic.partitions) keys.add(partitionKey(topic.topic ?? '', p.partition));
  }
  return keys;
}

/**
 * Fetch with long polling: when less than minBytes is available the request parks until an append to
 * one of its partitions (then re-reads), maxWaitMs passes, or the connection/broker closes.
 */
async function longPoll(
  ctx: RequestContext,
  request: FetchRequest,
  first: ReadOutcome,
): Promise<FetchResponse> {
  const broker = ctx.broker;
  const deadline = broker.now() + request.maxWaitMs;
  const keys = watchedKeys(request);
  let outcome = first;
  for (;;) {
    const left = deadline - broker.now();
    if (left <= 0 || ctx.signal.aborted) return outcome.response;
    const reason = await broker.waiters.wait(keys, left, ctx.signal);
    outcome = readOnce(broker, request, ctx.apiVersion);
    // Only an append is worth waiting again for: after a timeout, an abort or the broker closing,
    // answer with what there is (waiting again would return at once and spin).
    if (reason !== 'append' || outcome.hasError || outcome.bytes >= request.minBytes) {
      return outcome.response;
    }
  }
}

export const fetchApi = defineApi<FetchRequest, FetchResponse>({
  apiKey: 1,
  name: 'Fetch',
  minVersion: 0,
  // v13+ addresses topics by id only; not advertised until topic-id fetches are implemented.
  maxVersion: 12,
  handle(ctx, request): FetchResponse | Promise<FetchResponse> {
    if ((request.sessionId ?? 0) !== 0) {
      return fetchError(request, 70 /* FETCH_SESSION_ID_NOT_FOUND */);
    }
    const outcome = readOnce(ctx.broker, request, ctx.apiVersion);
    // Errors are reported at once, as in Kafka; minBytes <= 0 never waits.
    if (outcome.hasError || request.maxWaitMs <= 0 || outcome.bytes >= request.minBytes)
      return outcome.response;
    if (outcome.response.responses.length === 0) return outcome.response;
    return longPoll(ctx, request, outcome);
  },
  errorResponse(request, _version, errorCode) {
    return fetchError(request, errorCode);
  },
});

function fetchError(request: FetchRequest, errorCode: number): FetchResponse {
  return {
    throttleTimeMs: 0,
    errorCode,
    sessionId: 0,
    responses: request.topics.map(
      (t) =>
        ({
          topic: t.topic,
          topicId: t.topicId,
          partitions: t.partitions.map((p) =>
            partitionOut(p.partition, errorCode, -1n, -1n, EMPTY, false),
          ),
        }) as TopicOut,
    ),
  } as FetchResponse;
}
