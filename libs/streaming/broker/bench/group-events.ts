// The line protocol between the group benchmark and its member processes (kafkajs and librdkafka),
// and the client settings both sides must agree on. Every event carries the member's own wall clock
// (`t`, epoch milliseconds with a fraction): members and benchmark read the same system clock, and a
// member's timestamp is not delayed by the pipe or by the benchmark's event loop.

export type MemberEvent =
  | { ev: 'start'; t: number }
  | { ev: 'assigned'; t: number; partitions: number[] }
  | { ev: 'revoked'; t: number }
  | { ev: 'consumed'; t: number; n: number }
  | { ev: 'leaving'; t: number }
  | { ev: 'closed'; t: number };

/** Both clients heartbeat this often, so a rebalance is noticed within about this long. */
export const HEARTBEAT_INTERVAL_MS = 300;
/** kafkajs sends heartbeats between fetches only: its long poll must stay short. */
export const KAFKAJS_MAX_WAIT_MS = 100;

export class MemberProtocolError extends Error {
  readonly code = 'GROUP_BENCH_MEMBER_PROTOCOL';
}

/** Parses one stdout line of a member; anything that is not a known event is an error. */
export function parseMemberEvent(line: string): MemberEvent {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new MemberProtocolError(`not a JSON event: ${line.slice(0, 200)}`);
  }
  const e = value as Record<string, unknown>;
  if (typeof e !== 'object' || e === null || typeof e.t !== 'number') {
    throw new MemberProtocolError(`event without a time: ${line.slice(0, 200)}`);
  }
  switch (e.ev) {
    case 'assigned':
      if (!Array.isArray(e.partitions) || !e.partitions.every((p) => Number.isInteger(p))) {
        throw new MemberProtocolError(`assignment without partitions: ${line.slice(0, 200)}`);
      }
      return { ev: 'assigned', t: e.t, partitions: e.partitions as number[] };
    case 'consumed':
      if (typeof e.n !== 'number') throw new MemberProtocolError(`count missing: ${line}`);
      return { ev: 'consumed', t: e.t, n: e.n };
    case 'start':
    case 'revoked':
    case 'leaving':
    case 'closed':
      return { ev: e.ev, t: e.t };
    default:
      throw new MemberProtocolError(`unknown event: ${line.slice(0, 200)}`);
  }
}
