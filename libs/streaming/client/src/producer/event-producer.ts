import {
  encodeEvent,
  headerNames,
  keyOf,
  type EventOf,
  type EventTopic,
  type RawTopic,
} from '@retail-streams/contracts';
import {
  CompressionTypes,
  Partitioners,
  type Kafka,
  type Message,
  type Producer,
  type RecordMetadata,
} from 'kafkajs';
import {
  injectTraceContext,
  withPublishSpan,
  type RecordHeaders,
} from '../tracing/record-tracing.ts';

/** A record ready to send: what the outbox relay stores and what the dead-letter writer forwards. */
export interface OutgoingRecord {
  key: string | null;
  value: Buffer | string | null;
  headers?: RecordHeaders;
  partition?: number;
}

/** Where a send landed: per topic-partition, the offset of the first record of that send. */
export interface PublishedRecord {
  topic: string;
  partition: number;
  offset: string;
}

/**
 * The typed producer. It is idempotent with acks=all, so a retried send is written once and an
 * acknowledged event survives a broker failure; records are keyed by the registry's key field so all
 * events of one order (or one SKU) land in one partition, in order.
 */
export class EventProducer {
  readonly #producer: Producer;
  #connected: Promise<void> | undefined;

  constructor(kafka: Kafka) {
    this.#producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      // kafkajs 2's default, named: the Java client's murmur2 partitioner, so a key lands in the same
      // partition whichever client wrote it. Naming it also ends kafkajs's "switched default
      // partitioner" warning at every start.
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }

  /**
   * Connects once; callers share the attempt in progress. A failed attempt is forgotten, so the next
   * send connects again: kept, it would fail every later send with the same error (a broker that
   * restarted while the first send connected left the outbox relay failing until the service
   * restarted).
   */
  connect(): Promise<void> {
    if (!this.#connected) {
      const attempt = this.#producer.connect();
      this.#connected = attempt;
      attempt.catch(() => {
        if (this.#connected === attempt) this.#connected = undefined;
      });
    }
    return this.#connected;
  }

  /** Publishes one event to its topic, keyed and traced. */
  async publish<T extends EventTopic>(
    topic: T,
    event: EventOf<T>,
    headers: RecordHeaders = {},
  ): Promise<PublishedRecord> {
    const [published] = await this.publishEvents(topic, [event], headers);
    return published as PublishedRecord;
  }

  /** Publishes events to one topic in one request; order is kept per key. */
  publishEvents<T extends EventTopic>(
    topic: T,
    events: readonly EventOf<T>[],
    headers: RecordHeaders = {},
  ): Promise<PublishedRecord[]> {
    return withPublishSpan({ topic: topic.name }, async () => {
      const records = events.map((event) => ({
        key: keyOf(topic, event),
        value: encodeEvent(event),
        headers: injectTraceContext({
          ...headers,
          [headerNames.eventType]: event.type,
          [headerNames.eventId]: event.id,
        }),
      }));
      return this.sendRecords(topic.name, records);
    });
  }

  /** Publishes raw lines (log shipping) to a raw topic. */
  publishRaw(topic: RawTopic, records: readonly OutgoingRecord[]): Promise<PublishedRecord[]> {
    return withPublishSpan({ topic: topic.name }, () => this.sendRecords(topic.name, records));
  }

  /**
   * Sends already-encoded records as they are. The outbox relay uses it: the trace context was
   * captured in the headers when the row was written, so it is not replaced here.
   */
  async sendRecords(topic: string, records: readonly OutgoingRecord[]): Promise<PublishedRecord[]> {
    await this.connect();
    const metadata = await this.#producer.send({
      topic,
      acks: -1,
      compression: CompressionTypes.None,
      messages: records.map(toMessage),
    });
    return metadata.map(toPublished);
  }

  /**
   * Sends records to several topics in ONE request (the outbox relay's drained batch). Each topic's
   * records keep their order per partition; records of different topics are independent, as Kafka
   * orders only within a partition.
   */
  async sendBatch(
    batches: readonly { topic: string; records: readonly OutgoingRecord[] }[],
  ): Promise<PublishedRecord[]> {
    await this.connect();
    const metadata = await this.#producer.sendBatch({
      acks: -1,
      compression: CompressionTypes.None,
      topicMessages: batches.map(({ topic, records }) => ({
        topic,
        messages: records.map(toMessage),
      })),
    });
    return metadata.map(toPublished);
  }

  async disconnect(): Promise<void> {
    if (this.#connected) {
      await this.#connected.catch(() => undefined);
      await this.#producer.disconnect();
      this.#connected = undefined;
    }
  }
}

function toMessage(record: OutgoingRecord): Message {
  return {
    key: record.key,
    value: record.value,
    headers: record.headers,
    partition: record.partition,
  };
}

function toPublished(entry: RecordMetadata): PublishedRecord {
  return { topic: entry.topicName, partition: entry.partition, offset: entry.baseOffset ?? '-1' };
}
