/**
 * The open transactions of one partition: for each producer with a transaction in progress here,
 * the offset of its first record. The smallest of them is the first unstable offset, and the last
 * stable offset (LSO) a read_committed consumer may read up to is that, or the high watermark when
 * none is open.
 *
 * It is rebuilt from the log the way producer sequences are (snapshot, then the batch headers
 * appended after it), and saved with them in the partition's producer-state snapshot. Aborted
 * transactions are not kept here: each segment indexes its own (storage/txn-index.ts), so their
 * number costs neither memory nor start-up time here.
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

  /** A transactional batch was appended at `firstOffset`: the producer's transaction starts there unless already open. */
  recordData(producerId: number, firstOffset: number): boolean {
    if (this.open.has(producerId)) return false;
    this.open.set(producerId, firstOffset);
    return true;
  }

  /**
   * A commit or abort marker of `producerId` was appended at `markerOffset`. Returns the aborted
   * transaction when it is an abort of a transaction that wrote here (for the segment's index); a
   * marker without an open transaction (the producer added the partition and wrote nothing, or a
   * marker written again after a restart) changes nothing.
   */
  recordMarker(producerId: number, markerOffset: number, commit: boolean): AbortedTxn | null {
    const firstOffset = this.open.get(producerId);
    if (firstOffset === undefined) return null;
    this.open.delete(producerId);
    return commit ? null : { producerId, firstOffset, lastOffset: markerOffset };
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

  openTxns(): OpenTxn[] {
    return [...this.open].map(([producerId, firstOffset]) => ({ producerId, firstOffset }));
  }

  restore(open: readonly OpenTxn[]): void {
    for (const o of open) this.open.set(o.producerId, o.firstOffset);
  }
}
