/**
 * Rebuilding a segment's aborted-transaction index from the log, for a `.txnindex` that is missing,
 * damaged, or may have missed an entry (the segment was written after the last fsync: a crash may
 * have fallen between an abort marker's append and its index entry's).
 *
 * Each ABORT marker in the segment ends its producer's transaction; the entry's first offset is the
 * producer's first transactional batch after its previous marker. That batch is usually in the same
 * segment; when the segment holds no earlier marker of the producer, the transaction may have begun
 * in an earlier segment, and those are walked backwards until the producer's previous marker (or
 * the log start) is found. Transactions are bounded by transaction.max.timeout.ms, so that look-back
 * is short in practice. A marker whose transaction wrote nothing here gets no entry.
 */
import fs from 'node:fs';
import { ErrorCode } from '../errors/index.ts';
import { StorageError } from './errors.ts';
import {
  Attribute,
  BatchField,
  LOG_OVERHEAD,
  decodeRecordBatch,
  readInt64,
} from './record-batch.ts';
import type { AbortedTxnEntry } from './txn-index.ts';

const READ_WINDOW = 8 * 1024 * 1024;
/** The control record types that end a transaction (key: int16 version, int16 type). */
export const ControlType = { ABORT: 0, COMMIT: 1 } as const;

/** A segment's .log as the rebuild reads it (whole batches up to `size`). */
export interface SegmentLogView {
  logPath: string;
  size: number;
}

export interface TxnBatch {
  baseOffset: number;
  producerId: number;
  /** A data batch of a transaction. */
  transactional: boolean;
  /** For a control batch: ABORT or COMMIT; null for other control records; undefined for data. */
  control: number | null | undefined;
}

/** The COMMIT/ABORT type of the control batch at `pos`, or null for another control record. */
export function readControlType(buf: Buffer, pos = 0): number | null {
  const key = decodeRecordBatch(buf, pos).records[0]?.key;
  if (!key || key.length < 4) return null;
  const type = key.readInt16BE(2);
  return type === ControlType.ABORT || type === ControlType.COMMIT ? type : null;
}

/** Calls `visit` with every batch of a producer (producer id >= 0) in the segment, in offset order. */
export function forEachProducerBatch(seg: SegmentLogView, visit: (b: TxnBatch) => void): void {
  const fd = fs.openSync(seg.logPath, 'r');
  try {
    let pos = 0;
    while (pos < seg.size) {
      const want = Math.min(READ_WINDOW, seg.size - pos);
      const window = Buffer.allocUnsafe(want);
      const got = fs.readSync(fd, window, 0, want, pos);
      let at = 0;
      while (at + BatchField.RECORDS <= got) {
        const size = window.readInt32BE(at + BatchField.BATCH_LENGTH) + LOG_OVERHEAD;
        if (size < BatchField.RECORDS)
          throw new StorageError(ErrorCode.CORRUPT_MESSAGE, `bad batch length in ${seg.logPath}`);
        const producerId = readInt64(window, at + BatchField.PRODUCER_ID);
        const attributes = window.readInt16BE(at + BatchField.ATTRIBUTES);
        const control = (attributes & Attribute.CONTROL) !== 0;
        // A control batch is decoded, so it must be whole in the window; data batches need the header only.
        if (control && at + size > got) break;
        if (producerId >= 0)
          visit({
            baseOffset: readInt64(window, at + BatchField.BASE_OFFSET),
            producerId,
            transactional: !control && (attributes & Attribute.TRANSACTIONAL) !== 0,
            control: control ? readControlType(window, at) : undefined,
          });
        at += size;
      }
      if (at === 0)
        throw new StorageError(
          ErrorCode.CORRUPT_MESSAGE,
          `unreadable batch at ${pos} of ${seg.logPath}`,
        );
      pos += at;
    }
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * For each producer in `pending`: where its transaction that is still open at the end of
 * `segments[upTo - 1]` began, walking back from there. Starts from the candidates already found
 * (the first batch seen in later segments); a producer absent from the result wrote no data.
 */
function lookBack(
  segments: readonly SegmentLogView[],
  upTo: number,
  pending: Map<number, number | undefined>,
): Map<number, number | undefined> {
  const resolved = new Map<number, number | undefined>();
  for (let j = upTo - 1; j >= 0 && pending.size > 0; j--) {
    const marked = new Set<number>();
    const firstSinceMarker = new Map<number, number>();
    forEachProducerBatch(segments[j]!, (b) => {
      if (!pending.has(b.producerId)) return;
      if (b.control !== undefined) {
        if (b.control === null) return;
        marked.add(b.producerId);
        firstSinceMarker.delete(b.producerId);
      } else if (b.transactional && !firstSinceMarker.has(b.producerId)) {
        firstSinceMarker.set(b.producerId, b.baseOffset);
      }
    });
    for (const [pid, candidate] of pending) {
      const here = firstSinceMarker.get(pid);
      if (marked.has(pid)) {
        resolved.set(pid, here ?? candidate);
        pending.delete(pid);
      } else if (here !== undefined) {
        pending.set(pid, here);
      }
    }
  }
  for (const [pid, candidate] of pending) resolved.set(pid, candidate);
  return resolved;
}

/** The aborted-transaction entries of `segments[i]` for the markers after offset `after`, rebuilt from the log. */
export function rebuildTxnEntries(
  segments: readonly SegmentLogView[],
  i: number,
  after = -1,
): AbortedTxnEntry[] {
  const open = new Map<number, number>();
  /** Producers with a marker earlier in this segment: their transaction state here is known. */
  const known = new Set<number>();
  /** Entries whose first offset may lie in an earlier segment. */
  const unresolved = new Map<number, AbortedTxnEntry>();
  const entries: AbortedTxnEntry[] = [];
  forEachProducerBatch(segments[i]!, (b) => {
    if (b.control === undefined) {
      if (b.transactional && !open.has(b.producerId)) open.set(b.producerId, b.baseOffset);
      return;
    }
    if (b.control === null) return;
    const first = open.get(b.producerId);
    open.delete(b.producerId);
    const firstMarker = !known.has(b.producerId);
    known.add(b.producerId);
    let lso = b.baseOffset + 1;
    for (const o of open.values()) lso = Math.min(lso, o);
    if (b.control !== ControlType.ABORT || (first === undefined && !firstMarker)) return;
    if (b.baseOffset <= after) return;
    const entry = {
      producerId: b.producerId,
      firstOffset: first ?? -1,
      lastOffset: b.baseOffset,
      lastStableOffset: lso,
    };
    entries.push(entry);
    if (firstMarker) unresolved.set(b.producerId, entry);
  });
  if (unresolved.size === 0) return entries;
  const pending = new Map<number, number | undefined>();
  for (const [pid, e] of unresolved)
    pending.set(pid, e.firstOffset < 0 ? undefined : e.firstOffset);
  const starts = lookBack(segments, i, pending);
  for (const [pid, e] of unresolved) {
    const start = starts.get(pid);
    if (start !== undefined) e.firstOffset = start;
  }
  return entries.filter((e) => e.firstOffset >= 0);
}
