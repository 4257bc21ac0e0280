/**
 * Sparse time index of one segment: (max timestamp so far, int64; offset of
 * that record relative to the segment base, int32). Timestamps strictly
 * increase, so a binary search finds where records at or after a time can
 * start. Kept in memory and mirrored in the .timeindex file.
 */

export const TIME_INDEX_ENTRY_SIZE = 12;
const TWO_32 = 4294967296;

export class TimeIndex {
  private ts = new Float64Array(32);
  private rel = new Int32Array(32);
  private n = 0;

  get count(): number {
    return this.n;
  }

  get byteSize(): number {
    return this.n * TIME_INDEX_ENTRY_SIZE;
  }

  lastTimestamp(): number {
    return this.n === 0 ? -1 : this.ts[this.n - 1]!;
  }

  lastRelOffset(): number {
    return this.n === 0 ? -1 : this.rel[this.n - 1]!;
  }

  add(timestamp: number, relOffset: number): void {
    if (this.n === this.ts.length) {
      const ts = new Float64Array(this.n * 2);
      ts.set(this.ts);
      this.ts = ts;
      const rel = new Int32Array(this.n * 2);
      rel.set(this.rel);
      this.rel = rel;
    }
    this.ts[this.n] = timestamp;
    this.rel[this.n] = relOffset;
    this.n++;
  }

  /**
   * Relative offset of the last entry whose timestamp is < `timestamp`: every
   * record before it is older than `timestamp`. -1 when the search must start
   * at the segment start.
   */
  lookupBefore(timestamp: number): number {
    let lo = 0;
    let hi = this.n - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ts[mid]! < timestamp) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found < 0 ? -1 : this.rel[found]!;
  }

  /** Drops entries whose offset is at or beyond `relOffset`. */
  truncateToRelOffset(relOffset: number): void {
    while (this.n > 0 && this.rel[this.n - 1]! >= relOffset) this.n--;
  }

  truncateToCount(count: number): void {
    this.n = Math.min(this.n, count);
  }

  static encodeEntry(buf: Buffer, at: number, timestamp: number, relOffset: number): void {
    const hi = Math.floor(timestamp / TWO_32);
    buf.writeInt32BE(hi | 0, at);
    buf.writeUInt32BE(timestamp - hi * TWO_32, at + 4);
    buf.writeInt32BE(relOffset, at + 8);
  }

  /** The file image of entries [from, count). */
  serialize(from = 0): Buffer {
    const buf = Buffer.alloc((this.n - from) * TIME_INDEX_ENTRY_SIZE);
    for (let i = from; i < this.n; i++) {
      TimeIndex.encodeEntry(buf, (i - from) * TIME_INDEX_ENTRY_SIZE, this.ts[i]!, this.rel[i]!);
    }
    return buf;
  }

  /** Loads a file image; null when implausible for a segment ending before `nextRelOffset`. */
  static parse(buf: Buffer, nextRelOffset: number): TimeIndex | null {
    if (buf.length % TIME_INDEX_ENTRY_SIZE !== 0) return null;
    const index = new TimeIndex();
    let prevTs = -Infinity;
    let prevRel = -1;
    for (let at = 0; at < buf.length; at += TIME_INDEX_ENTRY_SIZE) {
      const ts = buf.readInt32BE(at) * TWO_32 + buf.readUInt32BE(at + 4);
      const rel = buf.readInt32BE(at + 8);
      if (ts <= prevTs || rel < prevRel || rel < 0 || rel >= nextRelOffset) return null;
      index.add(ts, rel);
      prevTs = ts;
      prevRel = rel;
    }
    return index;
  }
}
