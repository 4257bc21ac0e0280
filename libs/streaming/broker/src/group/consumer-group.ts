/**
 * One classic consumer group: its members, generation, selected protocol, phase (state) and
 * committed offsets. Data plus the small queries the coordinator needs; the rebalance protocol that
 * moves a group between states lives in rebalance.ts, so timing and persistence decisions stay
 * together.
 */
import { isAllowedTransition } from './group-state.ts';
import type {
  AllowedAfter,
  EmptyPhase,
  GroupPhase,
  GroupState,
  PhaseOf,
  StablePhase,
} from './group-state.ts';
import type { CommittedOffset } from './group-records.ts';

export interface MemberProtocol {
  name: string;
  metadata: Buffer;
}

export interface JoinResult {
  errorCode: number;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  leader: string;
  memberId: string;
  /** Filled for the leader only: every member with its metadata for the selected protocol. */
  members: Array<{ memberId: string; groupInstanceId: string | null; metadata: Buffer }>;
  skipAssignment: boolean;
}

export interface SyncResult {
  errorCode: number;
  protocolType: string | null;
  protocolName: string | null;
  assignment: Buffer;
}

export interface Member {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: MemberProtocol[];
  assignment: Buffer;
  /** Deadline of the session: pushed forward by every heartbeat, join, sync and commit. */
  sessionDeadline: number;
  /** The parked JoinGroup response, while the member waits for the rebalance to complete. */
  awaitingJoin: ((result: JoinResult) => void) | null;
  /** The parked SyncGroup response, while a follower waits for the leader's assignment. */
  awaitingSync: ((result: SyncResult) => void) | null;
}

export const EMPTY_BUFFER = Buffer.alloc(0);

export class ConsumerGroup {
  readonly groupId: string;
  #phase: GroupPhase;
  protocolType: string | null = null;
  protocolName: string | null = null;
  generationId = 0;
  leaderId: string | null = null;
  /** Insertion order matters: the first member becomes leader when the leader is gone. */
  readonly members = new Map<string, Member>();
  /** Member ids handed out with MEMBER_ID_REQUIRED, expected to rejoin; value = expiry deadline. */
  readonly pendingMembers = new Map<string, number>();
  /** groupInstanceId -> memberId of the static members. */
  readonly staticMembers = new Map<string, string>();
  /** topic -> partition -> committed offset. */
  readonly offsets = new Map<string, Map<number, CommittedOffset>>();

  /** A new group starts Empty; a group restored from the offsets topic starts as it was saved. */
  constructor(groupId: string, initial: EmptyPhase | StablePhase) {
    this.groupId = groupId;
    this.#phase = initial;
  }

  /** A new group: Empty, no members, no offsets. */
  static empty(groupId: string, nowMs: number): ConsumerGroup {
    return new ConsumerGroup(groupId, { state: 'Empty', since: nowMs });
  }

  /** The current phase: narrow it on `state` to reach what only that state has. */
  get phase(): GroupPhase {
    return this.#phase;
  }

  get state(): GroupState {
    return this.#phase.state;
  }

  /** When the group entered its current state (ms). */
  get stateTimestampMs(): number {
    return this.#phase.since;
  }

  /**
   * Moves the group from `from` (its current phase, narrowed by the caller) to `to`, which must be a
   * state GROUP_TRANSITIONS allows after `from`'s: anything else does not compile. The run-time
   * checks catch a caller holding a phase the group has already left.
   */
  transition<S extends GroupState>(from: PhaseOf<S>, to: PhaseOf<AllowedAfter<S>>): void {
    if (from !== this.#phase) {
      throw new Error(`group ${this.groupId}: transition from ${from.state}, a phase it has left`);
    }
    if (!isAllowedTransition(from.state, to.state)) {
      throw new Error(`group ${this.groupId}: ${from.state} cannot become ${to.state}`);
    }
    this.#phase = to;
  }

  allMembersJoined(): boolean {
    if (this.pendingMembers.size > 0) return false;
    for (const m of this.members.values()) if (!m.awaitingJoin) return false;
    return true;
  }

  /** Protocols every member supports, in the order of the first member's preference. */
  candidateProtocols(): string[] {
    const first = this.members.values().next().value;
    if (!first) return [];
    return first.protocols
      .map((p) => p.name)
      .filter((name) =>
        [...this.members.values()].every((m) => m.protocols.some((p) => p.name === name)),
      );
  }

  /**
   * Whether a (new or changed) member with these protocols can be in the group: same protocol type
   * and at least one protocol that every other member also supports.
   */
  supportsProtocols(
    protocolType: string,
    protocols: readonly MemberProtocol[],
    exceptMemberId?: string,
  ): boolean {
    const others = [...this.members.values()].filter((m) => m.memberId !== exceptMemberId);
    if (others.length === 0) return protocolType.length > 0 && protocols.length > 0;
    if (this.protocolType !== null && this.protocolType !== protocolType) return false;
    return protocols.some((p) => others.every((m) => m.protocols.some((q) => q.name === p.name)));
  }

  /**
   * The protocol for the next generation: each member votes for the first of its own preferences
   * that all members support; most votes wins, ties go to the first member's preference order.
   */
  selectProtocol(): string | null {
    const candidates = this.candidateProtocols();
    if (candidates.length === 0) return null;
    const votes = new Map<string, number>(candidates.map((c) => [c, 0]));
    for (const m of this.members.values()) {
      const choice = m.protocols.find((p) => votes.has(p.name));
      if (choice) votes.set(choice.name, (votes.get(choice.name) ?? 0) + 1);
    }
    let best = candidates[0];
    for (const c of candidates) if ((votes.get(c) ?? 0) > (votes.get(best) ?? 0)) best = c;
    return best;
  }

  metadataFor(member: Member, protocolName: string | null): Buffer {
    return member.protocols.find((p) => p.name === protocolName)?.metadata ?? EMPTY_BUFFER;
  }

  /** The largest rebalance timeout among members: how long a rebalance may wait for all of them. */
  maxRebalanceTimeoutMs(): number {
    let max = 0;
    for (const m of this.members.values()) max = Math.max(max, m.rebalanceTimeoutMs);
    return max;
  }

  /** Whether the group has any committed offset (an empty group with offsets is still listed). */
  hasOffsets(): boolean {
    for (const partitions of this.offsets.values()) if (partitions.size > 0) return true;
    return false;
  }

  setOffset(topic: string, partition: number, value: CommittedOffset): void {
    let partitions = this.offsets.get(topic);
    if (!partitions) {
      partitions = new Map();
      this.offsets.set(topic, partitions);
    }
    partitions.set(partition, value);
  }

  deleteOffset(topic: string, partition: number): boolean {
    const partitions = this.offsets.get(topic);
    if (!partitions) return false;
    const deleted = partitions.delete(partition);
    if (partitions.size === 0) this.offsets.delete(topic);
    return deleted;
  }
}
