/**
 * The transactions of one partition, as its readers need them:
 *
 * - the open transactions: for each producer with a transaction in progress here, the offset of its
 *   first record. The smallest of them is the first unstable offset, and the last stable offset
 *   (LSO) a read_committed consumer may read up to is that, or the high watermark when none is open;
 * - the aborted transactions: producer id, first offset and the offset of the abort marker, in
 *   marker order. Fetch hands the ones that overlap the returned range to read_committed consumers,
 *   who drop those producers' records from the first offset until they meet the marker.
 *
 * It is rebuilt from the log the way producer sequences are (snapshot, then the batch headers
 * appended after it), and saved with them in the partition's producer-state snapshot.
 */

export interface AbortedTxn {
  producerId: number;
  firstOffset: number;
  /** The offset of the abort marker. */
  lastOffset: number;
}

export interface OpenTxn {
  producerId: number;
  firstOffset: number;
}

export class PartitionTxnIndex {
  private readonly open = new Map<number, number>();
  /** Ordered by lastOffset (markers are appended in offset order). */
  private aborted: AbortedTxn[] = [];

  /** A transactional batch was appended at `firstOffset`: the producer's transaction starts there unless already open. */
  recordData(producerId: number, firstOffset: number): boolean {
    if (this.open.has(producerId)) return false;
    this.open.set(producerId, firstOffset);
    return true;
  }

  /**
   * A commit or abort marker of `producerId` was appended at `markerOffset`. An abort of a transaction
   * that wrote here becomes an aborted-transaction entry; a marker without an open transaction (the
   * producer added the partition and wrote nothing, or a marker written again after a restart)
   * changes nothing.
   */
  recordMarker(producerId: number, markerOffset: number, commit: boolean): boolean {
    const firstOffset = this.open.get(producerId);
    if (firstOffset === undefined) return false;
    this.open.delete(producerId);
    if (!commit) this.aborted.push({ producerId, firstOffset, lastOffset: markerOffset });
    return true;
  }

  /** The first offset of the producer's open transaction here, or -1. */
  openTxnStart(producerId: number): number {
    return this.open.get(producerId) ?? -1;
  }

  hasOpen(producerId: number): boolean {
    return this.open.has(producerId);
  }

  /** The first offset of the oldest open transaction, or null when none is open. */
  firstUnstableOffset(): number | null {
    let first: number | null = null;
    for (const offset of this.open.values()) if (first === null || offset < first) first = offset;
    return first;
  }

  /** The aborted transactions with data in [fromOffset, upToOffset] (what a fetch of that range needs). */
  abortedIn(fromOffset: number, upToOffset: number): AbortedTxn[] {
    const out: AbortedTxn[] = [];
    // Entries are ordered by marker offset: skip those that ended before the range.
    let lo = 0;
    let hi = this.aborted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.aborted[mid]!.lastOffset < fromOffset) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.aborted.length; i++) {
      const a = this.aborted[i]!;
      if (a.firstOffset <= upToOffset) out.push(a);
    }
    return out;
  }

  /** Whether the record at `offset` of `producerId` belongs to an aborted transaction (the log cleaner). */
  isAborted(producerId: number, offset: number): boolean {
    return this.aborted.some(
      (a) => a.producerId === producerId && a.firstOffset <= offset && offset < a.lastOffset,
    );
  }

  /** Forgets aborted transactions whose marker is below the log start (retention removed them). */
  dropBefore(logStartOffset: number): void {
    const i = this.aborted.findIndex((a) => a.lastOffset >= logStartOffset);
    this.aborted = i < 0 ? [] : this.aborted.slice(i);
  }

  openTxns(): OpenTxn[] {
    return [...this.open].map(([producerId, firstOffset]) => ({ producerId, firstOffset }));
  }

  abortedTxns(): readonly AbortedTxn[] {
    return this.aborted;
  }

  restore(open: readonly OpenTxn[], aborted: readonly AbortedTxn[]): void {
    for (const o of open) this.open.set(o.producerId, o.firstOffset);
    this.aborted = [...aborted].sort((a, b) => a.lastOffset - b.lastOffset);
  }
}
