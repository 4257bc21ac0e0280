import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Logger } from './logger.ts';
import { PartitionLog } from './partition-log.ts';
import { segmentFileName } from './segment.ts';
import { resolveTopicConfig } from './topic-config.ts';
import {
  TXN_INDEX_ENTRY_SIZE,
  encodeTxnEntries,
  parseTxnEntries,
  type AbortedTxnEntry,
} from './txn-index.ts';
import { appendAbort, appendData, appendMarker } from './test-support/txn-batches.ts';

let root: string;
const logs: PartitionLog[] = [];
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'txn-index-'));
});
afterEach(() => {
  for (const l of logs.splice(0)) l.close();
  fs.rmSync(root, { recursive: true, force: true });
});

function capture(): Logger & { warnings: string[]; infos: string[] } {
  const warnings: string[] = [];
  const infos: string[] = [];
  return {
    warnings,
    infos,
    debug: () => undefined,
    info: (_o, msg) => infos.push(msg ?? ''),
    warn: (_o, msg) => warnings.push(msg ?? ''),
    error: (_o, msg) => warnings.push(msg ?? ''),
  };
}

function openLog(opts: { clean?: boolean; logger?: Logger } = {}): PartitionLog {
  const log = PartitionLog.open({
    dir: path.join(root, 't-0'),
    topic: 't',
    partition: 0,
    config: resolveTopicConfig({}, { 'retention.ms': '-1' }),
    ...opts,
  });
  logs.push(log);
  return log;
}

function closeLog(log: PartitionLog, flush = true): void {
  if (flush) log.flush();
  log.close();
  logs.splice(logs.indexOf(log), 1);
}

function txnIndexPath(base: number): string {
  return path.join(root, 't-0', segmentFileName(base, '.txnindex'));
}

/**
 * Three segments: producer 1's transaction begins in the first and is aborted in the third;
 * producer 2 writes and aborts inside the third, producer 3 commits there, and producer 1 aborts a
 * second transaction there too.
 */
function writeTransactions(log: PartitionLog): { aborts: AbortedTxnEntry[]; bases: number[] } {
  const p1First = appendData(log, 1, [{ value: 'p1-a' }]);
  appendData(log, 9, [{ value: 'plain' }], { transactional: false });
  log.roll();
  appendData(log, 1, [{ value: 'p1-b' }], { sequence: 1 });
  log.roll();
  const p2First = appendData(log, 2, [{ value: 'p2-a' }]);
  appendData(log, 3, [{ value: 'p3-a' }]);
  const aborts = [appendAbort(log, 1, p1First, { openSince: p2First })];
  appendMarker(log, 3, true);
  aborts.push(appendAbort(log, 2, p2First));
  const p1Second = appendData(log, 1, [{ value: 'p1-c' }], { sequence: 2 });
  aborts.push(appendAbort(log, 1, p1Second));
  log.roll();
  appendData(log, 4, [{ value: 'after' }], { transactional: false });
  return { aborts, bases: log.segmentBaseOffsets() };
}

describe('per-segment aborted-transaction index', () => {
  it("keeps each abort in its marker segment's .txnindex and finds transactions begun segments earlier", () => {
    const log = openLog();
    const { aborts, bases } = writeTransactions(log);
    expect(bases).toHaveLength(4);
    expect(fs.statSync(txnIndexPath(bases[0]!)).size).toBe(0);
    expect(fs.statSync(txnIndexPath(bases[1]!)).size).toBe(0);
    const image = fs.readFileSync(txnIndexPath(bases[2]!));
    expect(image.length).toBe(3 * TXN_INDEX_ENTRY_SIZE);
    expect(parseTxnEntries(image, bases[2]!, bases[3]!)).toEqual(aborts);
    // A fetch of the first segment alone must learn about the abort two segments later.
    expect(log.abortedTxnsIn(0, 0)).toEqual([aborts[0]]);
    expect(log.abortedTxnsIn(bases[2]!, bases[3]! - 1)).toEqual(aborts);
    expect(log.abortedTxnsIn(bases[3]!, log.logEndOffset)).toEqual([]);
  });

  it('loads the files after a clean shutdown instead of rebuilding them from the log', () => {
    const log = openLog();
    const { bases } = writeTransactions(log);
    closeLog(log);
    // An entry the log does not back: only a load that trusts the file can report it.
    const planted = { producerId: 77, firstOffset: 0, lastOffset: bases[1]!, lastStableOffset: 0 };
    fs.writeFileSync(txnIndexPath(bases[1]!), encodeTxnEntries([planted]));
    const logger = capture();
    const reopened = openLog({ clean: true, logger });
    expect(reopened.abortedTxnsIn(bases[1]!, bases[1]!)).toContainEqual(planted);
    expect(logger.warnings).toEqual([]);
  });

  for (const damage of ['missing', 'torn', 'corrupt', 'foreign'] as const) {
    it(`rebuilds a ${damage} index from the segment (with a warning), never failing the open`, () => {
      const log = openLog();
      const { aborts, bases } = writeTransactions(log);
      closeLog(log);
      const file = txnIndexPath(bases[2]!);
      const image = fs.readFileSync(file);
      if (damage === 'missing') fs.rmSync(file);
      // A crash mid-append: the last entry only partly written.
      if (damage === 'torn') fs.truncateSync(file, image.length - 17);
      if (damage === 'corrupt') fs.writeFileSync(file, Buffer.from(image).fill(0xff, 50, 51));
      // Whole, checksummed entries that do not belong to this segment.
      if (damage === 'foreign')
        fs.writeFileSync(file, encodeTxnEntries([{ ...aborts[0]!, lastOffset: 10_000 }]));
      const logger = capture();
      const reopened = openLog({ clean: true, logger });
      expect(reopened.abortedTxnsIn(0, reopened.logEndOffset)).toEqual(aborts);
      expect(fs.readFileSync(file)).toEqual(image);
      if (damage !== 'missing') expect(logger.warnings).toHaveLength(1);
    });
  }

  it('rebuilds the index of segments written since the last flush (a crash between a marker and its entry)', () => {
    const log = openLog();
    const first = appendData(log, 5, [{ value: 'x' }]);
    log.flush();
    appendData(log, 5, [{ value: 'y' }], { sequence: 1 });
    // The marker reached the log, its index entry did not: the process died in between.
    const marker = appendMarker(log, 5, false);
    closeLog(log, false);
    const reopened = openLog({ logger: capture() });
    expect(reopened.abortedTxnsIn(0, reopened.logEndOffset)).toEqual([
      { producerId: 5, firstOffset: first, lastOffset: marker, lastStableOffset: marker + 1 },
    ]);
  });

  it("keeps the whole entries of an unflushed segment's file and indexes only the markers after them", () => {
    const log = openLog();
    log.flush();
    const first = appendData(log, 5, [{ value: 'x' }]);
    const written = appendAbort(log, 5, first);
    const second = appendData(log, 6, [{ value: 'y' }]);
    const lost = appendMarker(log, 6, false);
    closeLog(log, false);
    const file = txnIndexPath(0);
    // Whole but not what a rebuild would give: only a load that keeps the prefix reports it as is.
    const kept = { ...written, lastStableOffset: 0 };
    const image = encodeTxnEntries([kept]);
    fs.writeFileSync(file, Buffer.concat([image, image.subarray(0, 9)]));
    const logger = capture();
    const reopened = openLog({ logger });
    expect(reopened.abortedTxnsIn(0, reopened.logEndOffset)).toEqual([
      kept,
      { producerId: 6, firstOffset: second, lastOffset: lost, lastStableOffset: lost + 1 },
    ]);
    expect(logger.warnings).toHaveLength(1);
  });

  it('drops the index with its segment (DeleteRecords, retention)', () => {
    const log = openLog();
    const { bases } = writeTransactions(log);
    log.deleteRecordsBefore(bases[3]!);
    for (const b of bases.slice(0, 3)) expect(fs.existsSync(txnIndexPath(b))).toBe(false);
    expect(log.abortedTxnsIn(log.logStartOffset, log.logEndOffset)).toEqual([]);
  });

  it('rebuilds no entry for a marker whose transaction wrote nothing, nor for commits', () => {
    const log = openLog();
    appendMarker(log, 6, false);
    appendData(log, 7, [{ value: 'c' }]);
    appendMarker(log, 7, true);
    appendData(log, 8, [{ value: 'n' }], { transactional: false });
    const base = log.segmentBaseOffsets()[0]!;
    closeLog(log);
    fs.rmSync(txnIndexPath(base));
    const reopened = openLog({ clean: true });
    expect(reopened.abortedTxnsIn(0, reopened.logEndOffset)).toEqual([]);
    expect(fs.statSync(txnIndexPath(base)).size).toBe(0);
  });
});
