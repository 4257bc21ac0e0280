// Test support: a transactional producer and a consumer of either isolation level, spoken on the
// wire (the request bodies real clients send), for the coordinator's specs and crash tests.
import { expect } from 'vitest';
import { ApiKey } from '../../protocol/index.ts';
import { fetchRequest } from '../../api/test-support/requests.ts';
import type { WireClient } from '../../api/test-support/wire-client.ts';
import { decodeRecordBatches, encodeRecordBatch } from '../../storage/index.ts';

export const E = {
  NONE: 0,
  INVALID_PRODUCER_EPOCH: 47,
  INVALID_TXN_STATE: 48,
  INVALID_TRANSACTION_TIMEOUT: 50,
  UNSTABLE_OFFSET_COMMIT: 88,
  PRODUCER_FENCED: 90,
};
export const READ_COMMITTED = 1;
export const TOPIC = 'txn-topic';

export interface Producer {
  transactionalId: string;
  producerId: bigint;
  producerEpoch: number;
  /** Sequence numbers are per partition. */
  sequences: Map<number, number>;
}

export async function init(
  c: WireClient,
  transactionalId: string,
  timeoutMs = 60_000,
): Promise<Producer> {
  const res = await c.send(ApiKey.InitProducerId, 3, {
    transactionalId,
    transactionTimeoutMs: timeoutMs,
    producerId: -1n,
    producerEpoch: -1,
  });
  expect(res.errorCode).toBe(E.NONE);
  return {
    transactionalId,
    producerId: res.producerId,
    producerEpoch: res.producerEpoch,
    sequences: new Map(),
  };
}

export async function addPartitions(c: WireClient, p: Producer, partitions: number[], version = 3) {
  const res = await c.send(ApiKey.AddPartitionsToTxn, version, {
    v3AndBelowTransactionalId: p.transactionalId,
    v3AndBelowProducerId: p.producerId,
    v3AndBelowProducerEpoch: p.producerEpoch,
    v3AndBelowTopics: [{ name: TOPIC, partitions }],
  });
  return res.resultsByTopicV3AndBelow![0]!.resultsByPartition[0]!.partitionErrorCode;
}

export async function produce(
  c: WireClient,
  p: Producer,
  values: string[],
  partition = 0,
  key: string | null = null,
) {
  const records = encodeRecordBatch({
    records: values.map((value) => ({ key, value })),
    producerId: Number(p.producerId),
    producerEpoch: p.producerEpoch,
    baseSequence: p.sequences.get(partition) ?? 0,
    transactional: true,
  });
  const res = await c.send(ApiKey.Produce, 9, {
    transactionalId: p.transactionalId,
    acks: -1,
    timeoutMs: 5000,
    topicData: [{ name: TOPIC, partitionData: [{ index: partition, records }] }],
  });
  const out = res.responses[0].partitionResponses[0];
  if (out.errorCode === E.NONE)
    p.sequences.set(partition, (p.sequences.get(partition) ?? 0) + values.length);
  return out as { errorCode: number; baseOffset: bigint };
}

export async function endTxn(
  c: WireClient,
  p: Producer,
  committed: boolean,
  version = 3,
): Promise<number> {
  const res = await c.send(ApiKey.EndTxn, version, {
    transactionalId: p.transactionalId,
    producerId: p.producerId,
    producerEpoch: p.producerEpoch,
    committed,
  });
  return res.errorCode;
}

export async function fetchAll(c: WireClient, isolationLevel: number, partition = 0) {
  const res = await c.send(
    ApiKey.Fetch,
    11,
    fetchRequest([{ topic: TOPIC, partition, offset: 0 }], { isolationLevel }),
  );
  const p = res.responses[0].partitions[0];
  const batches = decodeRecordBatches(p.records ?? Buffer.alloc(0));
  const aborted = p.abortedTransactions as Array<{
    producerId: bigint;
    firstOffset: bigint;
  }> | null;
  return {
    lastStableOffset: p.lastStableOffset as bigint,
    highWatermark: p.highWatermark as bigint,
    aborted,
    values: visibleValues(batches, aborted ?? []),
    markers: batches.filter((b) => b.isControl).length,
    /** One line per batch, for failure messages. */
    layout: batches.map(
      (b) =>
        `${b.baseOffset}${b.isControl ? (b.records[0]?.key?.readInt16BE(2) === 0 ? ' ABORT' : ' COMMIT') : ` ${b.records.map((r) => r.value?.toString()).join(',')}`} pid=${b.producerId} e=${b.producerEpoch}`,
    ),
  };
}

/**
 * What a consumer shows, filtering as Kafka's clients do: the aborted transactions, in order of
 * their first offset, put their producer on an "aborted" list once the fetch reaches that offset;
 * that producer's transactional batches are dropped until its ABORT marker.
 */
export function visibleValues(
  batches: ReturnType<typeof decodeRecordBatches>,
  aborted: ReadonlyArray<{ producerId: bigint; firstOffset: bigint }>,
): Array<string | null> {
  const pending = [...aborted].sort((x, y) => Number(x.firstOffset - y.firstOffset));
  const abortedProducers = new Set<number>();
  const out: Array<string | null> = [];
  for (const b of batches) {
    while (
      pending.length > 0 &&
      Number(pending[0]!.firstOffset) <= b.baseOffset + b.lastOffsetDelta
    )
      abortedProducers.add(Number(pending.shift()!.producerId));
    if (b.isControl) {
      const abortMarker = b.records[0]?.key?.readInt16BE(2) === 0;
      if (abortMarker) abortedProducers.delete(b.producerId);
      continue;
    }
    if (b.isTransactional && abortedProducers.has(b.producerId)) continue;
    out.push(...b.records.map((r) => r.value?.toString() ?? null));
  }
  return out;
}
