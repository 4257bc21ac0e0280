import { topicPartitionId } from '../record.ts';

/**
 * Stream time: the largest event time seen so far, per source partition. It only moves forward, so an
 * old record arriving late cannot pull it back and reopen windows that were already closed.
 */
export class StreamTimes {
  readonly #byTopic = new Map<string, Map<number, number>>();

  constructor(initial: Iterable<[string, number, number]> = []) {
    for (const [topic, partition, time] of initial) this.observe(topic, partition, time);
  }

  observe(topic: string, partition: number, eventTime: number): number {
    let partitions = this.#byTopic.get(topic);
    if (partitions === undefined) {
      partitions = new Map();
      this.#byTopic.set(topic, partitions);
    }
    const next = Math.max(partitions.get(partition) ?? -Infinity, eventTime);
    partitions.set(partition, next);
    return next;
  }

  of(topic: string, partition: number): number {
    return this.#byTopic.get(topic)?.get(partition) ?? -Infinity;
  }

  /**
   * The least stream time across `topics`. A partition not seen yet counts as -Infinity when the topic's
   * partition count is declared; otherwise only the partitions seen so far count.
   */
  min(
    topics: readonly string[],
    declaredPartitions: (topic: string) => number | undefined,
  ): number {
    let least = Infinity;
    for (const topic of topics) {
      const partitions = this.#byTopic.get(topic);
      const declared = declaredPartitions(topic);
      if (declared !== undefined) {
        for (let partition = 0; partition < declared; partition++) {
          least = Math.min(least, partitions?.get(partition) ?? -Infinity);
        }
      } else if (partitions === undefined || partitions.size === 0) {
        return -Infinity;
      } else {
        for (const time of partitions.values()) least = Math.min(least, time);
      }
    }
    return least === Infinity ? -Infinity : least;
  }

  toJSON(): Record<string, number> {
    const result: Record<string, number> = {};
    for (const [topic, partitions] of this.#byTopic) {
      for (const [partition, time] of partitions) result[topicPartitionId(topic, partition)] = time;
    }
    return result;
  }
}
