/**
 * Sparse offset index of one segment: (offset relative to the segment base,
 * int32; byte position in the .log file, int32) every `index.interval.bytes`.
 * Entries point at batch starts, so a lookup yields a position at or before
 * the batch containing an offset. Kept in memory (a 1 GiB segment at the
 * default interval needs ~2 MiB) and mirrored in the .index file.
 */

export const OFFSET_INDEX_ENTRY_SIZE = 8;

export class OffsetIndex {
  private rel = new Int32Array(64);
  private pos = new Int32Array(64);
  private n = 0;

  get count(): number {
    return this.n;
  }

  /** Size the .index file must have. */
  get byteSize(): number {
    return this.n * OFFSET_INDEX_ENTRY_SIZE;
  }

  lastPosition(): number {
    return this.n === 0 ? -1 : this.pos[this.n - 1]!;
  }

  relOffsetAt(i: number): number {
    return this.rel[i]!;
  }

  positionAt(i: number): number {
    return this.pos[i]!;
  }

  add(relOffset: number, position: number): void {
    if (this.n === this.rel.length) {
      const rel = new Int32Array(this.n * 2);
      rel.set(this.rel);
      this.rel = rel;
      const pos = new Int32Array(this.n * 2);
      pos.set(this.pos);
      this.pos = pos;
    }
    this.rel[this.n] = relOffset;
    this.pos[this.n] = position;
    this.n++;
  }

  /** Position of the last entry whose offset is <= relOffset, or 0 (segment start). */
  lookup(relOffset: number): number {
    let lo = 0;
    let hi = this.n - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.rel[mid]! <= relOffset) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found < 0 ? 0 : this.pos[found]!;
  }

  /** Drops entries at or beyond `position` (after a log truncation). */
  truncateToPosition(position: number): void {
    while (this.n > 0 && this.pos[this.n - 1]! >= position) this.n--;
  }

  truncateToCount(count: number): void {
    this.n = Math.min(this.n, count);
  }

  static encodeEntry(buf: Buffer, at: number, relOffset: number, position: number): void {
    buf.writeInt32BE(relOffset, at);
    buf.writeInt32BE(position, at + 4);
  }

  /** The file image of all entries. */
  serialize(): Buffer {
    const buf = Buffer.alloc(this.byteSize);
    for (let i = 0; i < this.n; i++)
      OffsetIndex.encodeEntry(buf, i * OFFSET_INDEX_ENTRY_SIZE, this.rel[i]!, this.pos[i]!);
    return buf;
  }

  /**
   * Loads a file image; null when it is not a plausible index for a log of
   * `logSize` bytes (wrong length, not strictly increasing, past the end).
   */
  static parse(buf: Buffer, logSize: number): OffsetIndex | null {
    if (buf.length % OFFSET_INDEX_ENTRY_SIZE !== 0) return null;
    const index = new OffsetIndex();
    let prevRel = -1;
    let prevPos = -1;
    for (let at = 0; at < buf.length; at += OFFSET_INDEX_ENTRY_SIZE) {
      const rel = buf.readInt32BE(at);
      const pos = buf.readInt32BE(at + 4);
      if (rel <= prevRel || pos <= prevPos || pos >= logSize) return null;
      index.add(rel, pos);
      prevRel = rel;
      prevPos = pos;
    }
    return index;
  }
}
