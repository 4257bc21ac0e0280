// When does a consumer group own a topic? When the members' current assignments split its
// partitions exactly: every member holds at least one partition, no partition is held twice, none
// is left over. During a rebalance a member's assignment is unknown (null) until its SyncGroup
// answers, so a group in the middle of a rebalance never counts as formed.

export type Assignment = readonly number[] | null;

export function splitsExactly(assignments: readonly Assignment[], partitions: number): boolean {
  const seen = new Set<number>();
  for (const assignment of assignments) {
    if (assignment === null || assignment.length === 0) return false;
    for (const p of assignment) {
      if (!Number.isInteger(p) || p < 0 || p >= partitions || seen.has(p)) return false;
      seen.add(p);
    }
  }
  return seen.size === partitions;
}
