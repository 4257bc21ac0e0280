/**
 * The key/value schema of the records the coordinator writes to `__consumer_offsets`.
 *
 * Why JSON and not Kafka's binary schema: nothing but this coordinator reads the topic, the volume is
 * small (one record per committed partition), and JSON keeps the topic inspectable with any client
 * (`kcat -C -t __consumer_offsets -f '%k %s\n'`). Every key and value carries a schema version `v` so a
 * later format can coexist with records already on disk; records of an unknown version are skipped at
 * load time instead of failing the broker start.
 *
 * Keys are built with a fixed property order so that the same logical key is always the same bytes:
 * compaction (cleanup.policy=compact) and the load-time replay both rely on "last record per key wins".
 * A tombstone (null value) deletes the key: a deleted offset or a deleted group.
 */

export const RECORD_SCHEMA_VERSION = 1;

/** A committed offset as the coordinator keeps it (offsets/timestamps are numbers inside the broker). */
export interface CommittedOffset {
  offset: number;
  leaderEpoch: number;
  metadata: string | null;
  commitTimestampMs: number;
}

/**
 * A member of a Stable group as persisted: enough to keep its member id, generation and assignment
 * valid across a broker restart, so live consumers carry on (commits and heartbeats keep working)
 * instead of rejoining and re-processing what they had not yet committed.
 */
export interface PersistedMember {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocols: Array<{ name: string; metadata: Buffer }>;
  assignment: Buffer;
}

/**
 * The group as of its last Stable generation (with members) or of becoming Empty (without).
 * Rebalances in flight are not persisted: their members simply rejoin after a restart.
 */
export interface GroupMetadataValue {
  protocolType: string | null;
  generationId: number;
  protocolName: string | null;
  leader: string | null;
  stateTimestampMs: number;
  members: PersistedMember[];
}

export type GroupRecord =
  | {
      kind: 'offset';
      groupId: string;
      topic: string;
      partition: number;
      value: CommittedOffset | null;
    }
  | { kind: 'group'; groupId: string; value: GroupMetadataValue | null };

export interface RawRecord {
  key: Buffer;
  value: Buffer | null;
}

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value), 'utf8');
}

export function offsetKey(groupId: string, topic: string, partition: number): Buffer {
  return json({ v: RECORD_SCHEMA_VERSION, k: 'offset', group: groupId, topic, partition });
}

export function groupKey(groupId: string): Buffer {
  return json({ v: RECORD_SCHEMA_VERSION, k: 'group', group: groupId });
}

export function encodeGroupRecord(record: GroupRecord): RawRecord {
  if (record.kind === 'offset') {
    const v = record.value;
    return {
      key: offsetKey(record.groupId, record.topic, record.partition),
      value: v
        ? json({
            v: RECORD_SCHEMA_VERSION,
            offset: v.offset,
            leaderEpoch: v.leaderEpoch,
            metadata: v.metadata,
            commitTimestampMs: v.commitTimestampMs,
          })
        : null,
    };
  }
  const v = record.value;
  return {
    key: groupKey(record.groupId),
    value: v
      ? json({
          v: RECORD_SCHEMA_VERSION,
          protocolType: v.protocolType,
          generationId: v.generationId,
          protocolName: v.protocolName,
          leader: v.leader,
          stateTimestampMs: v.stateTimestampMs,
          members: v.members.map((m) => ({
            memberId: m.memberId,
            groupInstanceId: m.groupInstanceId,
            clientId: m.clientId,
            clientHost: m.clientHost,
            sessionTimeoutMs: m.sessionTimeoutMs,
            rebalanceTimeoutMs: m.rebalanceTimeoutMs,
            protocols: m.protocols.map((p) => ({
              name: p.name,
              metadata: p.metadata.toString('base64'),
            })),
            assignment: m.assignment.toString('base64'),
          })),
        })
      : null,
  };
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

const str = (x: unknown): string | null => (typeof x === 'string' ? x : null);
const num = (x: unknown, fallback: number): number =>
  typeof x === 'number' && Number.isFinite(x) ? x : fallback;

const b64 = (x: unknown): Buffer => Buffer.from(typeof x === 'string' ? x : '', 'base64');

function decodeMembers(x: unknown): PersistedMember[] {
  if (!Array.isArray(x)) return [];
  const members: PersistedMember[] = [];
  for (const m of x) {
    if (!isObject(m) || typeof m.memberId !== 'string' || !Array.isArray(m.protocols)) return [];
    members.push({
      memberId: m.memberId,
      groupInstanceId: str(m.groupInstanceId),
      clientId: str(m.clientId) ?? '',
      clientHost: str(m.clientHost) ?? '',
      sessionTimeoutMs: num(m.sessionTimeoutMs, 10_000),
      rebalanceTimeoutMs: num(m.rebalanceTimeoutMs, 10_000),
      protocols: m.protocols
        .filter(isObject)
        .map((p) => ({ name: str(p.name) ?? '', metadata: b64(p.metadata) })),
      assignment: b64(m.assignment),
    });
  }
  return members;
}

/**
 * Decodes one record of the offsets topic, or returns null when it is not one of ours (unknown schema
 * version or kind, unparseable bytes): the loader skips those rather than refusing to start.
 */
export function decodeGroupRecord(key: Buffer | null, value: Buffer | null): GroupRecord | null {
  if (!key) return null;
  let k: unknown;
  let v: unknown = null;
  try {
    k = JSON.parse(key.toString('utf8'));
    if (value) v = JSON.parse(value.toString('utf8'));
  } catch {
    return null;
  }
  if (!isObject(k) || k.v !== RECORD_SCHEMA_VERSION || typeof k.group !== 'string') return null;
  if (v !== null && (!isObject(v) || v.v !== RECORD_SCHEMA_VERSION)) return null;
  const body = v as Record<string, unknown> | null;
  if (k.k === 'offset') {
    if (typeof k.topic !== 'string' || typeof k.partition !== 'number') return null;
    return {
      kind: 'offset',
      groupId: k.group,
      topic: k.topic,
      partition: k.partition,
      value: body
        ? {
            offset: num(body.offset, -1),
            leaderEpoch: num(body.leaderEpoch, -1),
            metadata: str(body.metadata),
            commitTimestampMs: num(body.commitTimestampMs, -1),
          }
        : null,
    };
  }
  if (k.k === 'group') {
    return {
      kind: 'group',
      groupId: k.group,
      value: body
        ? {
            protocolType: str(body.protocolType),
            generationId: num(body.generationId, 0),
            protocolName: str(body.protocolName),
            leader: str(body.leader),
            stateTimestampMs: num(body.stateTimestampMs, -1),
            members: decodeMembers(body.members),
          }
        : null,
    };
  }
  return null;
}
