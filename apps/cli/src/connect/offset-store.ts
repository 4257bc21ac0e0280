import type { Admin, Producer } from 'kafkajs';
import { CliError } from '../errors.ts';
import type { Client } from '../kafka/client.ts';
import { partitionOffsets } from '../kafka/topic-info.ts';
import { readTopic } from '../kafka/topic-reader.ts';
import type { FileIdentity } from './file-identity.ts';

export const DEFAULT_OFFSETS_TOPIC = 'connect-offsets';

/**
 * What a file source remembers, as the value of its record in the offsets topic (key: the
 * connector name). JSON with a version, inspectable with `streaming consume --topic
 * connect-offsets --format kv`.
 */
export interface SourceOffset {
  v: 1;
  connector: string;
  file: string;
  /** Id of the file incarnation being read: a new one for every new file or truncation. */
  incarnation: string;
  identity: FileIdentity;
  /** Byte position after the last line known to be published. */
  position: number;
  /** Lines of this incarnation published so far. */
  line: number;
  /**
   * Log end of each target partition when this record was written (partition -> offset). After a
   * crash, anything this connector published without recording it lies at or after these offsets.
   */
  ends: Record<string, string>;
}

/** Connect's offset storage, reduced to what the file source needs: one compacted topic. */
export class OffsetStore {
  readonly topic: string;
  private readonly client: Client;
  private readonly producer: Producer;

  constructor(client: Client, producer: Producer, topic = DEFAULT_OFFSETS_TOPIC) {
    this.client = client;
    this.producer = producer;
    this.topic = topic;
  }

  /** Creates the topic (compacted: only the latest position per connector matters) if missing. */
  async ensureTopic(admin: Admin): Promise<void> {
    if ((await admin.listTopics()).includes(this.topic)) return;
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic: this.topic,
          numPartitions: 1,
          configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
        },
      ],
    });
  }

  /** The latest stored offset of `connector`, reading the whole topic (it is small: compacted). */
  async load(admin: Admin, connector: string): Promise<SourceOffset | null> {
    const offsets = await partitionOffsets(admin, this.topic);
    let latest: SourceOffset | null = null;
    let unreadable = 0;
    await readTopic({
      client: this.client,
      topic: this.topic,
      fromBeginning: true,
      startAt: new Map(offsets.map((p) => [p.partition, p.low])),
      endAt: new Map(offsets.map((p) => [p.partition, p.high])),
      onRecord: (r) => {
        if (r.key?.toString('utf8') !== connector) return;
        if (r.value === null || r.value.length === 0) {
          latest = null; // a tombstone: the connector's offsets were reset
          return;
        }
        try {
          const value = JSON.parse(r.value.toString('utf8')) as SourceOffset;
          if (value.v === 1) latest = value;
        } catch {
          unreadable += 1; // not ours to judge: someone else wrote under this key
        }
      },
    });
    if (unreadable > 0 && latest === null) {
      throw new CliError(
        'KAFKA_ERROR',
        `unreadable offset record for ${connector} in ${this.topic}`,
      );
    }
    return latest;
  }

  async save(offset: SourceOffset): Promise<void> {
    await this.producer.send({
      topic: this.topic,
      acks: -1,
      messages: [{ key: offset.connector, value: JSON.stringify(offset) }],
    });
  }
}
