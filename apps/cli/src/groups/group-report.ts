/** A partition's line in `groups --describe`: where the group is, where the log ends, the gap. */
export interface LagRow {
  topic: string;
  partition: number;
  /** Committed offset; null when the group never committed for this partition. */
  committed: bigint | null;
  logEnd: bigint;
  /** logEnd - committed; null without a commit (as Kafka's tool prints "-"). */
  lag: bigint | null;
  memberId: string | null;
  clientId: string | null;
  host: string | null;
}

export interface MemberInfo {
  memberId: string;
  clientId: string;
  host: string;
  /** topic -> partitions assigned to this member. */
  assignment: Record<string, number[]>;
}

/**
 * One row per partition of every topic the group either committed offsets for or has assigned to a
 * member, sorted by topic and partition.
 */
export function lagRows(
  committed: ReadonlyMap<string, ReadonlyMap<number, bigint>>,
  logEnds: ReadonlyMap<string, ReadonlyMap<number, bigint>>,
  members: readonly MemberInfo[],
): LagRow[] {
  const owner = new Map<string, MemberInfo>();
  for (const m of members) {
    for (const [topic, partitions] of Object.entries(m.assignment)) {
      for (const p of partitions) owner.set(`${topic}\u0000${p}`, m);
    }
  }
  const rows: LagRow[] = [];
  const topics = [
    ...new Set([...committed.keys(), ...members.flatMap((m) => Object.keys(m.assignment))]),
  ].sort();
  for (const topic of topics) {
    const ends = logEnds.get(topic) ?? new Map<number, bigint>();
    const done = committed.get(topic) ?? new Map<number, bigint>();
    const partitions = new Set<number>([...done.keys()]);
    for (const [key] of owner) {
      const [t, p] = key.split('\u0000');
      if (t === topic) partitions.add(Number(p));
    }
    for (const partition of [...partitions].sort((a, b) => a - b)) {
      const at = done.get(partition) ?? null;
      const logEnd = ends.get(partition) ?? 0n;
      const m = owner.get(`${topic}\u0000${partition}`) ?? null;
      rows.push({
        topic,
        partition,
        committed: at,
        logEnd,
        lag: at === null ? null : logEnd > at ? logEnd - at : 0n,
        memberId: m?.memberId ?? null,
        clientId: m?.clientId ?? null,
        host: m?.host ?? null,
      });
    }
  }
  return rows;
}
