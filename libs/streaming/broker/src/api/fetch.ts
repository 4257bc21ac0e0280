import { ApiKey } from '../protocol/index.ts';
import type { FetchRequest, FetchResponse } from '../protocol/index.ts';
import { partitionKey } from './append-waiters.ts';
import { ErrorCode, toKafkaError } from '../errors/index.ts';
import { defineApi } from './types.ts';
import { downConvert, fetchMagic } from '../storage/message-conversion.ts';
import type { TopicConfig } from '../storage/index.ts';
import { Op, Resource, authorize, authorizeCluster } from '../acl/authorize.ts';
import type { BrokerContext, RequestContext } from './types.ts';
import { abortedTransactionsFor, stablePart } from './read-committed.ts';
import type { AbortedTransaction } from './read-committed.ts';
import type { PartitionLog } from '../storage/index.ts';

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
  stable: { lastStableOffset: bigint; aborted: AbortedTransaction[] } | null = null,
): PartitionOut {
  return {
    partitionIndex,
    errorCode,
    highWatermark,
    lastStableOffset: stable?.lastStableOffset ?? highWatermark,
    logStartOffset,
    // Kafka sends null for read_uncommitted and a list for read_committed.
    abortedTransactions: readCommitted ? (stable?.aborted ?? []) : null,
    preferredReadReplica: -1,
    records,
  };
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
function readOnce(
  broker: BrokerContext,
  request: FetchRequest,
  version: number,
  denied: ReadonlySet<string>,
): ReadOutcome {
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
      if (denied.has(name)) {
        hasError = true;
        partitions.push(
          partitionOut(
            p.partition,
            ErrorCode.TOPIC_AUTHORIZATION_FAILED,
            -1n,
            -1n,
            EMPTY,
            readCommitted,
          ),
        );
        continue;
      }
      const log = broker.logs.partition(name, p.partition);
      if (!log) {
        hasError = true;
        partitions.push(
          partitionOut(
            p.partition,
            ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
            -1n,
            -1n,
            EMPTY,
            readCommitted,
          ),
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
            ErrorCode.OFFSET_OUT_OF_RANGE,
            hw,
            BigInt(log.logStartOffset),
            EMPTY,
            readCommitted,
          ),
        );
        continue;
      }
      const limit = Math.min(Math.max(0, p.partitionMaxBytes), remaining);
      const { records, errorCode, lso, aborted } = readPartition(
        broker,
        log,
        offset,
        limit > 0 || first ? limit : -1,
        first,
        readCommitted,
        fetchMagic(version),
      );
      if (errorCode !== 0) hasError = true;
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
          {
            lastStableOffset: BigInt(lso),
            aborted,
          },
        ),
      );
    }
    responses.push({ topic: name, topicId: topic.topicId, partitions });
  }
  // Fetch sessions (KIP-227) are not implemented: sessionId 0 tells the client to keep sending full
  // fetch requests, which every client supports.
  const response = { throttleTimeMs: 0, errorCode: 0, sessionId: 0, responses };
  return { response, bytes, hasError };
}

interface PartitionRead {
  records: Buffer;
  errorCode: number;
  lso: number;
  aborted: AbortedTransaction[];
}

/**
 * The batches of one partition from `offset`, up to `limit` bytes (-1: nothing fits any more).
 * read_committed reads up to the last stable offset only, read_uncommitted up to the log end.
 */
function readPartition(
  broker: BrokerContext,
  log: PartitionLog,
  offset: number,
  limit: number,
  first: boolean,
  readCommitted: boolean,
  magic: 0 | 1 | 2,
): PartitionRead {
  const lso = lastStableOffset(broker, log, readCommitted);
  const upTo = readCommitted ? lso : log.logEndOffset;
  const out: PartitionRead = { records: EMPTY, errorCode: 0, lso, aborted: [] };
  if (offset >= upTo || limit < 0) return out;
  try {
    out.records = log.read(offset, limit, first);
    if (readCommitted) {
      out.records = stablePart(out.records, lso);
      out.aborted = abortedTransactionsFor(log, offset, out.records);
    }
    if (magic !== 2 && out.records.length > 0)
      Object.assign(out, convertForOldFetch(out.records, magic, offset, log.config));
  } catch (err) {
    const e = toKafkaError(err);
    out.errorCode = e.code;
    if (e.code === ErrorCode.UNKNOWN_SERVER_ERROR)
      broker.logger.error({ err, topic: log.topic, partition: log.partition }, 'read failed');
  }
  return out;
}

/**
 * The partition's last stable offset. A read_uncommitted fetch does not load a partition's producer
 * state just to report it: there it is the high watermark unless the state is already in memory.
 */
function lastStableOffset(
  broker: BrokerContext,
  log: PartitionLog,
  readCommitted: boolean,
): number {
  if (!readCommitted && !broker.producers.isLoaded(log)) return log.highWatermark;
  return broker.producers.lastStableOffset(log);
}

/**
 * Fetch v0–v3 read message formats 0/1: the stored batches down-converted from the fetch offset on,
 * or UNSUPPORTED_VERSION (35) where the topic says message.downconversion.enable=false, as in Kafka.
 */
function convertForOldFetch(
  records: Buffer,
  magic: 0 | 1,
  offset: number,
  config: Readonly<TopicConfig>,
): { records: Buffer; errorCode: number } {
  if (!config.messageDownconversionEnable)
    return { records: EMPTY, errorCode: ErrorCode.UNSUPPORTED_VERSION };
  try {
    return { records: downConvert(records, magic, offset), errorCode: 0 };
  } catch (err) {
    return { records: EMPTY, errorCode: toKafkaError(err).code };
  }
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
  denied: ReadonlySet<string>,
): Promise<FetchResponse> {
  const broker = ctx.broker;
  const deadline = broker.now() + request.maxWaitMs;
  const keys = watchedKeys(request);
  let outcome = first;
  for (;;) {
    const left = deadline - broker.now();
    if (left <= 0 || ctx.connection.signal.aborted) return outcome.response;
    const reason = await broker.waiters.wait(keys, left, ctx.connection.signal);
    outcome = readOnce(broker, request, ctx.apiVersion, denied);
    // Only an append is worth waiting again for: after a timeout, an abort or the broker closing,
    // answer with what there is (waiting again would return at once and spin).
    if (reason !== 'append' || outcome.hasError || outcome.bytes >= request.minBytes) {
      return outcome.response;
    }
  }
}

export const fetchApi = defineApi({
  apiKey: ApiKey.Fetch,
  minVersion: 0,
  // v13+ addresses topics by id only; not advertised until topic-id fetches are implemented.
  maxVersion: 12,
  handle(ctx, request): FetchResponse | Promise<FetchResponse> {
    if ((request.sessionId ?? 0) !== 0) {
      return fetchError(request, ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
    }
    // A follower's fetch (replicaId >= 0) needs CLUSTER_ACTION; a consumer's, READ on each topic.
    if ((request.replicaId ?? -1) >= 0 && !authorizeCluster(ctx, Op.CLUSTER_ACTION))
      return fetchError(request, ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
    const denied = new Set<string>();
    for (const t of request.topics)
      if (!authorize(ctx, Op.READ, Resource.TOPIC, t.topic ?? '')) denied.add(t.topic ?? '');
    const outcome = readOnce(ctx.broker, request, ctx.apiVersion, denied);
    // Errors are reported at once, as in Kafka; minBytes <= 0 never waits.
    if (outcome.hasError || request.maxWaitMs <= 0 || outcome.bytes >= request.minBytes)
      return outcome.response;
    if (outcome.response.responses.length === 0) return outcome.response;
    return longPoll(ctx, request, outcome, denied);
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
    responses: request.topics.map((t) => ({
      topic: t.topic,
      topicId: t.topicId,
      partitions: t.partitions.map((p) =>
        partitionOut(p.partition, errorCode, -1n, -1n, EMPTY, false),
      ),
    })),
  };
}
