/**
 * One record as the processor sees it: what a Kafka consumer hands out, with the value already decoded.
 * `timestamp` is EVENT time in epoch milliseconds (when it happened, not when it was read); a topology
 * may override it per source with a timestamp extractor (e.g. the envelope's `occurredAt`).
 */
export interface StreamRecord<V = unknown> {
  readonly topic: string;
  readonly partition: number;
  /** Kafka offsets are int64. */
  readonly offset: bigint;
  readonly timestamp: number;
  readonly key: string | null;
  readonly value: V;
}

/** What stateless operations produce: a new key and value, keeping the record's time and position. */
export interface KeyValue<V> {
  readonly key: string | null;
  readonly value: V;
}

/** A source topic-partition, the unit of input position and of stream time. */
export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

/** The map key used for a topic-partition; `:` cannot appear in a Kafka topic name. */
export function topicPartitionId(topic: string, partition: number): string {
  return `${topic}:${partition}`;
}

export function parseTopicPartitionId(id: string): TopicPartition {
  const at = id.lastIndexOf(':');
  return { topic: id.slice(0, at), partition: Number(id.slice(at + 1)) };
}
