import { kafkajsSecurity, type ClientSecurity } from '@retail-streams/streaming-client';
import { AssignerProtocol, Kafka, logLevel, type Admin } from 'kafkajs';
import { serialAdmin } from '@retail-streams/streaming-client';

/** One partition a group reads: how far behind it is and which member owns it right now. */
export interface GroupPartitionView {
  topic: string;
  partition: number;
  /** The group's committed offset, or null when it has committed nothing on this partition. */
  committedOffset: number | null;
  logEndOffset: number;
  lag: number;
  /** The member id of the owner, or null while nobody is assigned (group empty or rebalancing). */
  ownerMemberId: string | null;
}

export interface GroupMemberView {
  memberId: string;
  clientId: string;
  clientHost: string;
  /** The partitions assigned to this member, as `topic` → partition numbers. */
  assignment: Record<string, number[]>;
}

export interface ConsumerGroupView {
  groupId: string;
  /** Kafka's group state: Stable, PreparingRebalance, CompletingRebalance, Empty, Dead. */
  state: string;
  members: GroupMemberView[];
  partitions: GroupPartitionView[];
  totalLag: number;
}

export interface ConsumerGroupsSnapshot {
  generatedAt: string;
  groups: ConsumerGroupView[];
}

export interface ConsumerGroupMonitorOptions {
  brokers: readonly string[];
  /** TLS and SASL (default: PLAINTEXT). */
  security?: ClientSecurity;
  clientId?: string;
  /** Snapshots younger than this are served from memory: many open pages cost one admin round. */
  maxAgeMs?: number;
}

/**
 * Consumer lag per group and partition together with the partition owners, read through the Kafka
 * admin API (ListGroups, DescribeGroups, OffsetFetch, ListOffsets). The streaming client's `lag()`
 * covers the committed-offset half but not group membership, so this module asks the broker itself;
 * it is the only place in analytics that talks to kafkajs directly.
 */
export class ConsumerGroupMonitor {
  readonly #kafka: Kafka;
  readonly #maxAgeMs: number;
  #admin: Admin | undefined;
  #connecting: Promise<Admin> | undefined;
  #cached: { at: number; snapshot: ConsumerGroupsSnapshot } | undefined;
  #inFlight: Promise<ConsumerGroupsSnapshot> | undefined;
  #closed = false;

  constructor(options: ConsumerGroupMonitorOptions) {
    this.#kafka = new Kafka({
      brokers: [...options.brokers],
      ...kafkajsSecurity(options.security),
      clientId: options.clientId ?? 'analytics-dashboard',
      logLevel: logLevel.NOTHING,
      // The dashboard polls again in a second or two: a failed round should fail fast, not retry.
      retry: { retries: 1, initialRetryTime: 100, maxRetryTime: 500 },
      connectionTimeout: 2_000,
      requestTimeout: 5_000,
    });
    this.#maxAgeMs = options.maxAgeMs ?? 1_000;
  }

  /** The current groups, at most `maxAgeMs` old; concurrent callers share one admin round. */
  async snapshot(): Promise<ConsumerGroupsSnapshot> {
    if (this.#cached && Date.now() - this.#cached.at < this.#maxAgeMs) return this.#cached.snapshot;
    this.#inFlight ??= this.#read().finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  async close(): Promise<void> {
    this.#closed = true;
    const admin = this.#admin;
    this.#admin = undefined;
    await admin?.disconnect().catch(() => undefined);
  }

  async #read(): Promise<ConsumerGroupsSnapshot> {
    try {
      const admin = await this.#connect();
      const snapshot = await readGroups(admin);
      this.#cached = { at: Date.now(), snapshot };
      return snapshot;
    } catch (error) {
      // A broken connection (broker restarted) is replaced on the next round.
      const admin = this.#admin;
      this.#admin = undefined;
      await admin?.disconnect().catch(() => undefined);
      throw error;
    }
  }

  async #connect(): Promise<Admin> {
    if (this.#closed) throw new Error('ConsumerGroupMonitor is closed');
    if (this.#admin) return this.#admin;
    this.#connecting ??= (async () => {
      const admin = serialAdmin(this.#kafka.admin());
      await admin.connect();
      this.#admin = admin;
      return admin;
    })().finally(() => {
      this.#connecting = undefined;
    });
    return this.#connecting;
  }
}

async function readGroups(admin: Admin): Promise<ConsumerGroupsSnapshot> {
  const listed = await admin.listGroups();
  const groupIds = listed.groups
    .filter((group) => group.protocolType === 'consumer' || group.protocolType === '')
    .map((group) => group.groupId)
    .sort();
  if (groupIds.length === 0) return { generatedAt: new Date().toISOString(), groups: [] };
  const described = await admin.describeGroups(groupIds);
  const endOffsets = new Map<string, Map<number, { low: number; high: number }>>();
  const endOffsetsOf = async (topic: string) => {
    let ends = endOffsets.get(topic);
    if (ends === undefined) {
      const offsets = await admin.fetchTopicOffsets(topic);
      ends = new Map(
        offsets.map((entry) => [
          entry.partition,
          { low: Number(entry.low), high: Number(entry.high) },
        ]),
      );
      endOffsets.set(topic, ends);
    }
    return ends;
  };

  const groups: ConsumerGroupView[] = [];
  for (const group of described.groups) {
    const members = group.members.map((member): GroupMemberView => {
      const decoded =
        member.memberAssignment.length === 0
          ? null
          : AssignerProtocol.MemberAssignment.decode(member.memberAssignment);
      const assignment: Record<string, number[]> = {};
      for (const [topic, partitions] of Object.entries(decoded?.assignment ?? {})) {
        assignment[topic] = [...partitions].sort((a, b) => a - b);
      }
      return {
        memberId: member.memberId,
        clientId: member.clientId,
        clientHost: member.clientHost,
        assignment,
      };
    });
    const owners = new Map<string, string>();
    for (const member of members) {
      for (const [topic, partitions] of Object.entries(member.assignment)) {
        for (const partition of partitions) owners.set(`${topic}/${partition}`, member.memberId);
      }
    }
    // Every topic the group has committed on or is assigned: an empty group still shows its lag.
    const committed = await admin.fetchOffsets({ groupId: group.groupId });
    const topicNames = new Set([
      ...committed.map((entry) => entry.topic),
      ...members.flatMap((member) => Object.keys(member.assignment)),
    ]);
    const partitions: GroupPartitionView[] = [];
    for (const topic of [...topicNames].sort()) {
      const ends = await endOffsetsOf(topic);
      const offsets = committed.find((entry) => entry.topic === topic)?.partitions ?? [];
      for (const [partition, { low, high }] of [...ends].sort(([a], [b]) => a - b)) {
        const raw = Number(offsets.find((entry) => entry.partition === partition)?.offset ?? -1);
        const committedOffset = raw >= 0 ? raw : null;
        partitions.push({
          topic,
          partition,
          committedOffset,
          logEndOffset: high,
          // Nothing committed yet: a new group starts from the earliest record, so all of it is lag.
          lag: Math.max(0, high - Math.max(committedOffset ?? low, low)),
          ownerMemberId: owners.get(`${topic}/${partition}`) ?? null,
        });
      }
    }
    groups.push({
      groupId: group.groupId,
      state: group.state,
      members,
      partitions,
      totalLag: partitions.reduce((sum, entry) => sum + entry.lag, 0),
    });
  }
  return { generatedAt: new Date().toISOString(), groups };
}
