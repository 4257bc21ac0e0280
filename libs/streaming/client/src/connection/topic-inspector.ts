import { randomUUID } from 'node:crypto';
import { headerNames } from '@retail-streams/contracts';
import type { Admin, Kafka } from 'kafkajs';
import { serialAdmin } from './serial-admin.ts';

/** Per partition, an offset (as a decimal string, like Kafka's own tools print them). */
export type PartitionOffsets = Map<number, string>;

/**
 * Read-only questions about topics that the outbox relay asks while recovering from a crash: where
 * each partition ends, and which event ids were written from some offsets on.
 */
export class TopicInspector {
  readonly #kafka: Kafka;
  readonly #groupPrefix: string;
  #admin: Promise<Admin> | undefined;

  /**
   * `groupPrefix` begins the throwaway groups' ids (the service's name): on a secured broker a
   * service may only use groups named after it.
   */
  constructor(kafka: Kafka, groupPrefix: string) {
    this.#kafka = kafka;
    this.#groupPrefix = groupPrefix;
  }

  async endOffsets(topic: string): Promise<PartitionOffsets> {
    const admin = await this.#connectedAdmin();
    const offsets = await admin.fetchTopicOffsets(topic);
    return new Map(offsets.map((entry) => [entry.partition, entry.high]));
  }

  /**
   * The `event-id` headers of every record from `from` (inclusive) to the partitions' current ends.
   * It uses a throwaway consumer group that commits nothing, positioned by seek.
   */
  async eventIdsSince(topic: string, from: PartitionOffsets): Promise<Set<string>> {
    const ends = await this.endOffsets(topic);
    const pending = new Map<number, bigint>();
    for (const [partition, end] of ends) {
      const start = BigInt(from.get(partition) ?? '0');
      if (BigInt(end) > start) pending.set(partition, BigInt(end));
    }
    const ids = new Set<string>();
    if (pending.size === 0) return ids;

    const consumer = this.#kafka.consumer({
      groupId: `${this.#groupPrefix}.outbox-recovery-${randomUUID()}`,
      maxWaitTimeInMs: 200,
    });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: false });
      await new Promise<void>((resolve, reject) => {
        consumer
          .run({
            autoCommit: false,
            eachMessage: async ({ partition, message }) => {
              const id = message.headers?.[headerNames.eventId]?.toString();
              if (id) ids.add(id);
              const end = pending.get(partition);
              if (end !== undefined && BigInt(message.offset) + 1n >= end) {
                pending.delete(partition);
                if (pending.size === 0) resolve();
              }
            },
          })
          .then(() => {
            for (const partition of pending.keys()) {
              consumer.seek({ topic, partition, offset: from.get(partition) ?? '0' });
            }
          }, reject);
      });
      return ids;
    } finally {
      await consumer.disconnect();
    }
  }

  async close(): Promise<void> {
    const admin = this.#admin;
    this.#admin = undefined;
    if (admin) await (await admin.catch(() => undefined))?.disconnect();
  }

  /** The shared admin; a failed connection attempt is forgotten, so the next question tries again. */
  #connectedAdmin(): Promise<Admin> {
    if (!this.#admin) {
      const attempt = (async () => {
        const admin = serialAdmin(this.#kafka.admin());
        await admin.connect();
        return admin;
      })();
      this.#admin = attempt;
      attempt.catch(() => {
        if (this.#admin === attempt) this.#admin = undefined;
      });
    }
    return this.#admin;
  }
}
