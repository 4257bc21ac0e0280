import type { StreamRecord } from '../record.ts';

/**
 * What a Kafka consumer tells about a record, in the shape of the streaming client's `RecordContext`
 * and of kafkajs' batch messages: offsets as decimal strings, since JavaScript numbers cannot hold int64.
 * Declared structurally so that this module depends on neither.
 */
export interface ConsumedRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string | bigint;
  readonly key: string | null;
  /** The Kafka record timestamp (ms), when the consumer exposes it. */
  readonly timestamp?: string | number;
}

/**
 * Builds the processor's record from a consumed one and its decoded value. Without a Kafka timestamp
 * and without `eventTime`, the topology's timestamp extractor must supply event time (e.g. from the
 * envelope's `occurredAt`), otherwise the processor rejects the record with INVALID_TIMESTAMP.
 */
export function streamRecordFrom<V>(
  consumed: ConsumedRecord,
  value: V,
  eventTime?: number,
): StreamRecord<V> {
  return {
    topic: consumed.topic,
    partition: consumed.partition,
    offset: typeof consumed.offset === 'bigint' ? consumed.offset : BigInt(consumed.offset),
    timestamp:
      eventTime ?? (consumed.timestamp === undefined ? Number.NaN : Number(consumed.timestamp)),
    key: consumed.key,
    value,
  };
}
