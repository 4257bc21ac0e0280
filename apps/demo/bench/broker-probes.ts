// The bench's two windows on the broker: every consumer group's lag (admin API, as
// `kafka-consumer-groups --describe` computes it), and the decisions inventory publishes on
// inventory.reservation-result, read as they arrive, so async orders are followed to their decision
// without polling sales (polling would add load to the system under test).
import { randomUUID } from 'node:crypto';
import { AssignerProtocol, Kafka, logLevel } from 'kafkajs';
import type { Admin, Consumer, LogEntry } from 'kafkajs';
import { headerNames, topics } from '@retail-streams/contracts';

export const BENCH_GROUP_PREFIX = 'pipeline-bench-';

/**
 * Groups whose committed offset trails what they have processed by design, so their lag says
 * nothing about keeping up: analytics' exactly-once windowed stage commits, with each transaction,
 * the first offset its open windows still need (a restart re-reads them), and its lag only falls
 * to 0 when a window closes. The e2e exactly-once scenario checks that stage's output instead.
 */
export const WINDOW_CHECKPOINT_GROUPS: ReadonlySet<string> = new Set([
  'analytics.sales-per-minute',
]);

export function benchKafka(bootstrap: string, onError: (message: string) => void): Kafka {
  return new Kafka({
    clientId: 'pipeline-bench',
    brokers: [bootstrap],
    logLevel: logLevel.ERROR,
    logCreator: () => (entry: LogEntry) => onError(`kafkajs: ${entry.log.message}`),
  });
}

/** Records each group has yet to process, summed over every topic it is assigned. */
export class GroupLagProbe {
  readonly #admin: Admin;
  /** The topics a group was last seen assigned: kept for a moment when it is rebalancing. */
  readonly #topicsOf = new Map<string, string[]>();

  constructor(kafka: Kafka) {
    this.#admin = kafka.admin();
  }

  connect(): Promise<void> {
    return this.#admin.connect();
  }

  /** Group id -> lag, for every consumer group but the bench's own and WINDOW_CHECKPOINT_GROUPS. */
  async measure(): Promise<Record<string, number>> {
    const { groups } = await this.#admin.listGroups();
    const ids = groups
      .map((group) => group.groupId)
      .filter((id) => !id.startsWith(BENCH_GROUP_PREFIX) && !WINDOW_CHECKPOINT_GROUPS.has(id))
      .sort();
    if (ids.length === 0) return {};
    const described = await this.#admin.describeGroups(ids);
    for (const group of described.groups) {
      const assigned = new Set<string>();
      for (const member of group.members) {
        if (member.memberAssignment.length === 0) continue;
        const decoded = AssignerProtocol.MemberAssignment.decode(member.memberAssignment);
        for (const topic of Object.keys(decoded?.assignment ?? {})) assigned.add(topic);
      }
      if (assigned.size > 0) this.#topicsOf.set(group.groupId, [...assigned].sort());
    }
    const ends = new Map<string, { partition: number; high: string; low: string }[]>();
    const endsOf = async (topic: string) => {
      let found = ends.get(topic);
      if (!found) {
        found = await this.#admin.fetchTopicOffsets(topic);
        ends.set(topic, found);
      }
      return found;
    };
    const result: Record<string, number> = {};
    for (const groupId of ids) {
      // A group never seen with an assignment (a tool's throwaway group) consumes nothing here.
      const groupTopics = this.#topicsOf.get(groupId);
      if (!groupTopics) continue;
      const committed = await this.#admin.fetchOffsets({ groupId, topics: groupTopics });
      let lag = 0;
      for (const topic of groupTopics) {
        const offsets = committed.find((entry) => entry.topic === topic)?.partitions ?? [];
        for (const end of await endsOf(topic)) {
          const raw = Number(offsets.find((o) => o.partition === end.partition)?.offset ?? -1);
          const from = Math.max(raw >= 0 ? raw : Number(end.low), Number(end.low));
          lag += Math.max(0, Number(end.high) - from);
        }
      }
      result[groupId] = lag;
    }
    return result;
  }

  close(): Promise<void> {
    return this.#admin.disconnect();
  }
}

export interface Decision {
  /** CONFIRMED (StockReserved) or REJECTED (ReservationRejected). */
  outcome: 'CONFIRMED' | 'REJECTED';
  /** The record's timestamp: when inventory's producer published the decision (epoch ms). */
  publishedAt: number;
  /** When the bench read it (epoch ms): an upper bound that includes the bench's own delay. */
  seenAt: number;
}

/** Reads inventory.reservation-result from its start and remembers every order's decision. */
export class DecisionTap {
  readonly decisions = new Map<string, Decision>();
  readonly #consumer: Consumer;

  constructor(kafka: Kafka) {
    this.#consumer = kafka.consumer({ groupId: `${BENCH_GROUP_PREFIX}${randomUUID()}` });
  }

  /** Resolves once the tap has joined its group and owns the topic's partitions. */
  async start(): Promise<void> {
    const joined = new Promise<void>((resolve) =>
      this.#consumer.on(this.#consumer.events.GROUP_JOIN, () => resolve()),
    );
    await this.#consumer.connect();
    await this.#consumer.subscribe({
      topics: [topics.reservationResult.name],
      fromBeginning: true,
    });
    await this.#consumer.run({
      eachBatch: async ({ batch }) => {
        const seenAt = Date.now();
        for (const message of batch.messages) {
          const orderId = message.key?.toString('utf8');
          if (!orderId) continue;
          const type = message.headers?.[headerNames.eventType]?.toString();
          this.decisions.set(orderId, {
            outcome: type === 'ReservationRejected' ? 'REJECTED' : 'CONFIRMED',
            publishedAt: Number(message.timestamp),
            seenAt,
          });
        }
      },
    });
    await joined;
  }

  stop(): Promise<void> {
    return this.#consumer.disconnect();
  }
}
