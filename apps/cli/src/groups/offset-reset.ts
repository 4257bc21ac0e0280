import type { PartitionOffsets } from '../kafka/topic-info.ts';

export type ResetSpec =
  | { kind: 'earliest' }
  | { kind: 'latest' }
  | { kind: 'offset'; offset: bigint }
  | { kind: 'shift'; by: bigint }
  /** `offsets` = the first offset at or after the time, per partition (-1: none, i.e. the end). */
  | { kind: 'datetime'; ms: number; offsets: ReadonlyMap<number, bigint> };

/** What the command line asks for; `datetime` is resolved to offsets per topic before planning. */
export type ResetRequest =
  Exclude<ResetSpec, { kind: 'datetime' }> | { kind: 'datetime'; ms: number };

export interface PlannedReset {
  partition: number;
  current: bigint | null;
  target: bigint;
}

const clamp = (v: bigint, p: PartitionOffsets) => (v < p.low ? p.low : v > p.high ? p.high : v);

/**
 * Where each partition of a topic goes. Targets are kept inside [log start, log end], as Kafka's
 * tool does: a group cannot be pointed at records that no longer (or do not yet) exist. A shift of
 * a partition the group never committed starts from the log start.
 */
export function planReset(
  spec: ResetSpec,
  partitions: readonly PartitionOffsets[],
  committed: ReadonlyMap<number, bigint>,
): PlannedReset[] {
  return partitions.map((p) => {
    const current = committed.get(p.partition) ?? null;
    let target: bigint;
    switch (spec.kind) {
      case 'earliest':
        target = p.low;
        break;
      case 'latest':
        target = p.high;
        break;
      case 'offset':
        target = clamp(spec.offset, p);
        break;
      case 'shift':
        target = clamp((current ?? p.low) + spec.by, p);
        break;
      case 'datetime': {
        const found = spec.offsets.get(p.partition);
        target = found === undefined || found < 0n ? p.high : clamp(found, p);
        break;
      }
    }
    return { partition: p.partition, current, target };
  });
}
