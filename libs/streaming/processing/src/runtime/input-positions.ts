import { parseTopicPartitionId, topicPartitionId } from '../record.ts';

/** Where to resume one topic-partition after a restart. */
export interface ResumePosition {
  readonly topic: string;
  readonly partition: number;
  readonly lastProcessedOffset: bigint;
  /** The offset to seek the consumer to. */
  readonly nextOffset: bigint;
}

/**
 * The last processed offset per topic-partition. A record at or below it has already changed the state
 * (it is a redelivery after a crash, or a replay overlapping the checkpoint) and must be skipped: that
 * is what makes the state exactly-once per input position even though delivery is at-least-once.
 */
export class InputPositions {
  readonly #last = new Map<string, bigint>();

  constructor(initial: Readonly<Record<string, string>> = {}) {
    for (const [id, offset] of Object.entries(initial)) this.#last.set(id, BigInt(offset));
  }

  alreadyProcessed(topic: string, partition: number, offset: bigint): boolean {
    const last = this.#last.get(topicPartitionId(topic, partition));
    return last !== undefined && offset <= last;
  }

  advance(topic: string, partition: number, offset: bigint): void {
    this.#last.set(topicPartitionId(topic, partition), offset);
  }

  list(): ResumePosition[] {
    return [...this.#last]
      .map(([id, last]) => ({
        ...parseTopicPartitionId(id),
        lastProcessedOffset: last,
        nextOffset: last + 1n,
      }))
      .sort((a, b) =>
        a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1,
      );
  }

  toJSON(): Record<string, string> {
    const result: Record<string, string> = {};
    for (const [id, last] of this.#last) result[id] = last.toString();
    return result;
  }
}
