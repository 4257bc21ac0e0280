/**
 * Loading the aborted-transaction indexes of a partition's segments at open. A segment below the
 * recovery point (fsynced, its index with it) keeps its `.txnindex` when the file passes every check;
 * a missing or damaged file is rebuilt from the segment with a warning, never a failure. Segments
 * at or after the recovery point (only those written since the last flush, usually the active one)
 * are checked against their log, as their .index files are: a crash may have torn the last entry,
 * left entries past a log tail that recovery cut, or fallen between an abort marker's append and
 * its entry's. Their file's valid prefix is kept and the markers after it are indexed from the
 * segment. So the work at start-up is bounded by what crash recovery already scans, not by the
 * length of the log.
 */
import type { Logger } from './logger.ts';
import type { LogSegment } from './segment.ts';
import { encodeTxnEntries, parseTxnEntries, parseTxnPrefix } from './txn-index.ts';
import type { AbortedTxnEntry } from './txn-index.ts';
import { rebuildTxnEntries } from './txn-index-rebuild.ts';

/** A segment written since the last flush: its file's valid prefix, then the markers after it. */
function recoverUnflushed(
  segments: readonly LogSegment[],
  i: number,
  image: Buffer,
): { entries: AbortedTxnEntry[]; problem: string | null } {
  const seg = segments[i]!;
  const { entries, problem } = parseTxnPrefix(image, seg.baseOffset, seg.nextOffset);
  const after = entries[entries.length - 1]?.lastOffset ?? -1;
  return { entries: [...entries, ...rebuildTxnEntries(segments, i, after)], problem };
}

export function loadTxnIndexes(
  segments: readonly LogSegment[],
  firstUnflushed: number,
  logger: Logger,
): void {
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    try {
      loadOne(segments, i, i >= firstUnflushed, logger);
    } catch (err) {
      // A segment whose batches cannot be walked: keep what the file holds rather than refuse to
      // open the partition (its reads fail at the damage anyway), and say so.
      let image: Buffer = Buffer.alloc(0);
      try {
        image = seg.txnIndex.readFile() ?? image;
      } catch {
        // Unreadable too: no entries.
      }
      seg.txnIndex.adopt(parseTxnPrefix(image, seg.baseOffset, seg.nextOffset).entries);
      logger.error(
        { err, file: seg.txnIndex.path },
        'cannot rebuild the aborted-transaction index from its segment; using the entries the file holds',
      );
    }
  }
}

function loadOne(
  segments: readonly LogSegment[],
  i: number,
  unflushed: boolean,
  logger: Logger,
): void {
  const seg = segments[i]!;
  const image = seg.txnIndex.readFile();
  let problem: string | null = null;
  let rebuilt: AbortedTxnEntry[];
  if (image === null) {
    problem = 'missing';
    rebuilt = rebuildTxnEntries(segments, i);
  } else if (unflushed) {
    ({ entries: rebuilt, problem } = recoverUnflushed(segments, i, image));
  } else {
    const parsed = parseTxnEntries(image, seg.baseOffset, seg.nextOffset);
    if (typeof parsed !== 'string') {
      seg.txnIndex.adopt(parsed);
      return;
    }
    problem = parsed;
    rebuilt = rebuildTxnEntries(segments, i);
  }
  if (image !== null && encodeTxnEntries(rebuilt).equals(image)) {
    seg.txnIndex.adopt(rebuilt);
    return;
  }
  if (problem !== null && problem !== 'missing')
    logger.warn(
      { file: seg.txnIndex.path, problem, entries: rebuilt.length },
      'aborted-transaction index failed a check; rebuilt it from the segment',
    );
  else
    logger.info(
      {
        file: seg.txnIndex.path,
        reason: problem ?? 'written after the last flush',
        entries: rebuilt.length,
      },
      'rebuilt the aborted-transaction index from the segment',
    );
  seg.txnIndex.rewrite(rebuilt);
}
