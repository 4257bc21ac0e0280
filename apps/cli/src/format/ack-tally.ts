interface PartitionAcks {
  count: number;
  first: bigint;
  last: bigint;
}

/** What the broker acknowledged, per partition, for the producer's final report. */
export class AckTally {
  private readonly partitions = new Map<number, PartitionAcks>();
  total = 0;

  /** `count` records of one request landed in `partition` from `baseOffset` on (-1: acks=0). */
  add(partition: number, baseOffset: bigint, count: number): void {
    if (count <= 0) return;
    this.total += count;
    const last = baseOffset + BigInt(count - 1);
    const p = this.partitions.get(partition);
    if (!p) this.partitions.set(partition, { count, first: baseOffset, last });
    else {
      p.count += count;
      p.last = last;
    }
  }

  summary(topic: string, withOffsets: boolean): string {
    const parts = [...this.partitions]
      .sort(([a], [b]) => a - b)
      .map(([partition, p]) => {
        const range = p.first === p.last ? `offset ${p.first}` : `offsets ${p.first}-${p.last}`;
        return withOffsets
          ? `partition ${partition} ${range} (${p.count})`
          : `partition ${partition} (${p.count})`;
      });
    const head = `acknowledged ${this.total} record${this.total === 1 ? '' : 's'} to ${topic}`;
    return parts.length > 0 ? `${head}: ${parts.join(', ')}` : head;
  }
}
