import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LogManager } from '../log-manager.ts';
import type { PartitionLog } from '../partition-log.ts';
import { decodeRecordBatch, readBatchInfo } from '../record-batch.ts';
import { ControlType, readControlType } from '../txn-index-rebuild.ts';
import { T0, appendAbort, appendData, appendMarker } from '../test-support/txn-batches.ts';
import { LogCleaner } from './log-cleaner.ts';

const dirs: string[] = [];
const managers: LogManager[] = [];
afterEach(async () => {
  for (const m of managers.splice(0)) await m.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

async function compactedTopic(
  deleteRetentionMs: number,
  logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'txn-compaction-')),
): Promise<{ m: LogManager; log: PartitionLog; logDir: string }> {
  if (!dirs.includes(logDir)) dirs.push(logDir);
  const m = await LogManager.open({ logDir, defaults: {}, retentionCheckIntervalMs: null });
  managers.push(m);
  if (!m.partition('c', 0))
    m.createTopic('c', 1, {
      'cleanup.policy': 'compact',
      'delete.retention.ms': String(deleteRetentionMs),
    });
  return { m, log: m.partition('c', 0)!, logDir };
}

interface BatchView {
  offset: number;
  producerId: number;
  sequence: number;
  marker: 'ABORT' | 'COMMIT' | null;
  values: string[];
}

/** Every batch still in the log, control and empty ones included. */
function batches(log: PartitionLog): BatchView[] {
  const out: BatchView[] = [];
  let offset = log.logStartOffset;
  while (offset < log.logEndOffset) {
    const buf = log.read(offset, 1 << 20, true);
    if (buf.length === 0) break;
    for (let pos = 0; pos < buf.length;) {
      const info = readBatchInfo(buf, pos);
      const control = (info.attributes & 0x20) !== 0;
      const type = control ? readControlType(buf, pos) : null;
      out.push({
        offset: info.baseOffset,
        producerId: info.producerId,
        sequence: info.baseSequence,
        marker: type === null ? null : type === ControlType.ABORT ? 'ABORT' : 'COMMIT',
        values: control ? [] : decodeRecordBatch(buf, pos).records.map((r) => String(r.value)),
      });
      offset = info.baseOffset + info.lastOffsetDelta + 1;
      pos += info.size;
    }
  }
  return out;
}

const cleaners = new WeakMap<LogManager, LogCleaner>();

/** A forced pass of the manager's cleaner (one per manager, as the broker has: it keeps state). */
function compact(m: LogManager, nowMs: number) {
  let cleaner = cleaners.get(m);
  if (!cleaner) {
    cleaner = new LogCleaner({ logs: m, backoffMs: null });
    cleaners.set(m, cleaner);
  }
  return cleaner.runCompaction({ force: true, nowMs });
}

describe('compaction of transactional data', () => {
  it('removes aborted data, then the abort marker and its index entry once delete.retention.ms has passed', async () => {
    const { m, log, logDir } = await compactedTopic(1_000);
    const first = appendData(log, 1, [{ key: 'a', value: 'aborted' }]);
    const abort = appendAbort(log, 1, first);
    appendData(log, 1, [{ key: 'a', value: 'committed' }], { sequence: 1 });
    appendMarker(log, 1, true);
    log.roll();
    appendData(log, 2, [{ key: 'b', value: 'active' }], { transactional: false });

    const firstPass = await compact(m, T0);
    // The data is gone; its marker stays for delete.retention.ms, for consumers that read the data.
    expect(batches(log).map((b) => b.marker ?? b.values.join())).toEqual([
      'ABORT',
      'committed',
      'COMMIT',
      'active',
    ]);
    expect(firstPass.markersRemoved).toBe(0);
    expect(log.abortedTxnsIn(0, log.logEndOffset)).toEqual([abort]);

    const secondPass = await compact(m, T0 + 1_000);
    expect(secondPass.markersRemoved).toBe(1);
    // The commit marker stays: its transaction's record is still the latest value of "a".
    expect(batches(log).map((b) => b.marker ?? b.values.join())).toEqual([
      'committed',
      'COMMIT',
      'active',
    ]);
    expect(log.abortedTxnsIn(0, log.logEndOffset)).toEqual([]);

    await m.close();
    managers.splice(managers.indexOf(m), 1);
    const reopened = await compactedTopic(1_000, logDir);
    expect(reopened.log.abortedTxnsIn(0, reopened.log.logEndOffset)).toEqual([]);
  });

  it("keeps a producer's last batch, emptied, and so the marker of its transaction", async () => {
    const { m, log } = await compactedTopic(0);
    const first = appendData(log, 1, [{ key: 'a', value: 'aborted' }], { sequence: 7 });
    const abort = appendAbort(log, 1, first);
    log.roll();
    appendData(log, 2, [{ key: 'z', value: 'active' }], { transactional: false });

    await compact(m, T0 + 3_600_000);
    expect(batches(log)).toEqual([
      { offset: first, producerId: 1, sequence: 7, marker: null, values: [] },
      { offset: abort.lastOffset, producerId: 1, sequence: -1, marker: 'ABORT', values: [] },
      {
        offset: abort.lastOffset + 1,
        producerId: 2,
        sequence: 0,
        marker: null,
        values: ['active'],
      },
    ]);
    expect(log.abortedTxnsIn(0, log.logEndOffset)).toEqual([abort]);
  });

  it('removes a commit marker once every record of its transaction is superseded', async () => {
    const { m, log } = await compactedTopic(0);
    appendData(log, 1, [{ key: 'a', value: 'old' }]);
    appendMarker(log, 1, true);
    appendData(log, 1, [{ key: 'b', value: 'kept' }], { sequence: 1 });
    appendMarker(log, 1, true);
    appendData(log, 2, [{ key: 'a', value: 'new' }], { transactional: false });
    log.roll();
    appendData(log, 3, [{ key: 'z', value: 'active' }], { transactional: false });

    const stats = await compact(m, T0);
    expect(stats.markersRemoved).toBe(1);
    expect(batches(log).map((b) => b.marker ?? b.values.join())).toEqual([
      'kept',
      'COMMIT',
      'new',
      'active',
    ]);
  });

  it('never compacts at or beyond the last stable offset', async () => {
    const { m, log } = await compactedTopic(0);
    appendData(log, 1, [{ key: 'a', value: 'open' }]);
    appendData(log, 2, [{ key: 'a', value: 'later' }], { transactional: false });
    log.roll();
    appendData(log, 3, [{ key: 'z', value: 'active' }], { transactional: false });
    const cleaner = new LogCleaner({
      logs: m,
      backoffMs: null,
      transactions: { lastStableOffset: () => 0, producerLastOffsets: () => new Map() },
    });
    expect(await cleaner.runCompaction({ force: true, nowMs: T0 })).toMatchObject({
      partitionsCleaned: 0,
    });
    expect(batches(log).map((b) => b.values.join())).toEqual(['open', 'later', 'active']);
  });
});
