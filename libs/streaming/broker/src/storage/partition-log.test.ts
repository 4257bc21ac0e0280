import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ErrorCode as StorageErrorCode } from '../errors/index.ts';
import { StorageError } from './errors.ts';
import type { FileIo } from './file-io.ts';
import { defaultFileIo } from './file-io.ts';
import { PartitionLog } from './partition-log.ts';
import {
  decodeRecordBatches,
  decodeRecords,
  encodeRecordBatch,
  type RecordInput,
} from './record-batch.ts';
import { segmentFileName } from './segment.ts';
import { resolveTopicConfig } from './topic-config.ts';

let root: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'partition-log-'));
});
afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

const T0 = 1_700_000_000_000;
const open: PartitionLog[] = [];
afterEach(() => {
  for (const l of open.splice(0)) l.close();
});

function openLog(
  overrides: Record<string, string> = {},
  extra: { clean?: boolean; io?: FileIo; nowMs?: number } = {},
): PartitionLog {
  const log = PartitionLog.open({
    dir: path.join(root, 't-0'),
    topic: 't',
    partition: 0,
    config: resolveTopicConfig({}, overrides),
    ...extra,
  });
  open.push(log);
  return log;
}

function batch(values: string[], timestamp = T0): Buffer {
  return encodeRecordBatch({ records: values.map((v): RecordInput => ({ value: v, timestamp })) });
}

function values(buf: Buffer): string[] {
  return decodeRecords(buf).map((r) => r.value!.toString());
}

function offsets(buf: Buffer): number[] {
  return decodeRecords(buf).map((r) => r.offset);
}

function codeOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof StorageError) return err.code;
    throw err;
  }
  return undefined;
}

function reopen(
  log: PartitionLog,
  clean: boolean,
  overrides: Record<string, string> = {},
): PartitionLog {
  if (clean) log.flush();
  log.close();
  return openLog(overrides, { clean });
}

describe('PartitionLog', () => {
  it('starts empty at offset 0', () => {
    const log = openLog();
    expect([log.logStartOffset, log.logEndOffset, log.highWatermark, log.sizeInBytes]).toEqual([
      0, 0, 0, 0,
    ]);
    expect(log.read(0, 1024, true).length).toBe(0);
  });

  it('assigns consecutive offsets to appended batches', () => {
    const log = openLog();
    expect(log.append(batch(['a', 'b', 'c']), T0)).toEqual({
      baseOffset: 0,
      lastOffset: 2,
      logAppendTimeMs: -1,
      recordCount: 3,
    });
    expect(log.append(batch(['d']), T0)).toMatchObject({ baseOffset: 3, lastOffset: 3 });
    expect(log.append(Buffer.concat([batch(['e', 'f']), batch(['g'])]), T0)).toMatchObject({
      baseOffset: 4,
      lastOffset: 6,
    });
    expect(log.logEndOffset).toBe(7);
    const all = log.read(0, 1 << 20, true);
    expect(values(all)).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
    expect(offsets(all)).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('stores the produced bytes unchanged except for the patched base offset', () => {
    const log = openLog();
    log.append(batch(['x']), T0);
    const produced = batch(['y', 'z']);
    const copy = Buffer.from(produced);
    log.append(produced, T0);
    const stored = log.read(1, 1 << 20, true);
    expect(stored.subarray(8).equals(copy.subarray(8))).toBe(true);
    expect(stored.readBigInt64BE(0)).toBe(1n);
  });

  it('returns the whole batch when the fetch offset falls inside it', () => {
    const log = openLog();
    log.append(batch(['a', 'b', 'c']), T0);
    log.append(batch(['d', 'e']), T0);
    expect(offsets(log.read(1, 1 << 20, true))).toEqual([0, 1, 2, 3, 4]);
    expect(offsets(log.read(4, 1 << 20, true))).toEqual([3, 4]);
  });

  it('returns only whole batches that fit in maxBytes, or the first one when minOneBatch', () => {
    const log = openLog();
    const b1 = batch(['1'.repeat(100)]);
    log.append(b1, T0);
    log.append(batch(['2'.repeat(100)]), T0);
    log.append(batch(['3'.repeat(100)]), T0);
    expect(decodeRecordBatches(log.read(0, b1.length * 2 + 10, false))).toHaveLength(2);
    expect(log.read(0, 10, false).length).toBe(0);
    const one = log.read(0, 10, true);
    expect(one.length).toBe(b1.length);
    expect(offsets(one)).toEqual([0]);
  });

  it('rejects reads outside [logStartOffset, logEndOffset] with OFFSET_OUT_OF_RANGE and is empty at the end', () => {
    const log = openLog();
    log.append(batch(['a', 'b']), T0);
    expect(codeOf(() => log.read(3, 100, true))).toBe(StorageErrorCode.OFFSET_OUT_OF_RANGE);
    expect(codeOf(() => log.read(-1, 100, true))).toBe(StorageErrorCode.OFFSET_OUT_OF_RANGE);
    expect(log.read(2, 100, true).length).toBe(0);
  });

  it('rejects batches over max.message.bytes with MESSAGE_TOO_LARGE and leaves the log unchanged', () => {
    const log = openLog({ 'max.message.bytes': '200' });
    expect(codeOf(() => log.append(batch(['x'.repeat(300)]), T0))).toBe(
      StorageErrorCode.MESSAGE_TOO_LARGE,
    );
    expect(log.logEndOffset).toBe(0);
    expect(log.append(batch(['small']), T0).baseOffset).toBe(0);
  });

  it('rejects corrupt payloads with CORRUPT_MESSAGE and appends nothing', () => {
    const log = openLog();
    const good = batch(['a']);
    const bad = batch(['b']);
    bad[bad.length - 1] ^= 0xff;
    expect(codeOf(() => log.append(Buffer.concat([good, bad]), T0))).toBe(
      StorageErrorCode.CORRUPT_MESSAGE,
    );
    expect(log.logEndOffset).toBe(0);
    expect(log.sizeInBytes).toBe(0);
  });

  it('stamps LogAppendTime topics with the broker time', () => {
    const log = openLog({ 'message.timestamp.type': 'LogAppendTime' });
    expect(log.append(batch(['a', 'b'], 5), T0 + 42).logAppendTimeMs).toBe(T0 + 42);
    expect(decodeRecords(log.read(0, 1 << 20, true)).map((r) => r.timestamp)).toEqual([
      T0 + 42,
      T0 + 42,
    ]);
  });

  it('rolls segments by segment.bytes and reads across them through the index', () => {
    const log = openLog({ 'segment.bytes': '4000', 'index.interval.bytes': '200' });
    for (let i = 0; i < 100; i++) log.append(batch([`v${i}-${'p'.repeat(80)}`]), T0);
    expect(log.segmentCount).toBeGreaterThan(3);
    for (const off of [0, 1, 37, 58, 99]) {
      expect(offsets(log.read(off, 1, true))).toEqual([off]);
    }
    const bases = log.segmentBaseOffsets();
    // Reads stop at a segment boundary but the next read continues seamlessly.
    let next = 0;
    const seen: string[] = [];
    while (next < log.logEndOffset) {
      const recs = decodeRecords(log.read(next, 1 << 20, true));
      seen.push(...recs.map((r) => r.value!.toString().split('-')[0]!));
      next = recs[recs.length - 1]!.offset + 1;
    }
    expect(seen).toEqual(Array.from({ length: 100 }, (_, i) => `v${i}`));
    expect(fs.readdirSync(log.dir).filter((f) => f.endsWith('.log'))).toEqual(
      bases.map((b) => segmentFileName(b, '.log')),
    );
  });

  it('rolls the active segment once it is older than segment.ms', () => {
    const log = openLog({ 'segment.ms': '1000' });
    log.append(batch(['a'], T0), T0);
    log.append(batch(['b'], T0 + 500), T0 + 500);
    expect(log.segmentCount).toBe(1);
    log.append(batch(['c'], T0 + 1000), T0 + 1000);
    expect(log.segmentBaseOffsets()).toEqual([0, 2]);
  });

  it('rolls earlier by the segment.jitter.ms drawn for the segment', () => {
    const random = vi.spyOn(Math, 'random').mockReturnValue(0.5);
    try {
      // segment.ms 1000, jitter up to 1000, drawn as 500: the segment rolls at age 500, not 1000.
      const log = openLog({ 'segment.ms': '1000', 'segment.jitter.ms': '1000' });
      log.append(batch(['a'], T0), T0);
      log.append(batch(['b'], T0 + 499), T0 + 499);
      expect(log.segmentCount).toBe(1);
      log.append(batch(['c'], T0 + 500), T0 + 500);
      expect(log.segmentBaseOffsets()).toEqual([0, 2]);
    } finally {
      random.mockRestore();
    }
  });

  it('rolls a compacted log once its segment is older than max.compaction.lag.ms', () => {
    const log = openLog({ 'cleanup.policy': 'compact', 'max.compaction.lag.ms': '300' });
    const keyed = (k: string, ts: number) =>
      encodeRecordBatch({ records: [{ key: k, value: k, timestamp: ts }] });
    log.append(keyed('a', T0), T0);
    log.append(keyed('b', T0 + 299), T0 + 299);
    expect(log.segmentCount).toBe(1);
    log.append(keyed('c', T0 + 300), T0 + 300);
    expect(log.segmentBaseOffsets()).toEqual([0, 2]);
  });

  it('measures segment age by record timestamps, so replayed old records do not roll every append', () => {
    const log = openLog({ 'segment.ms': '1000' });
    const longAgo = T0 - 10 * 365 * 86_400_000;
    for (let i = 0; i < 5; i++) log.append(batch([`old${i}`], longAgo + i), T0);
    expect(log.segmentCount).toBe(1);
  });

  it('finds the first record at or after a timestamp', () => {
    const log = openLog({ 'index.interval.bytes': '0' });
    log.append(
      encodeRecordBatch({
        records: [
          { value: 'a', timestamp: 100 },
          { value: 'b', timestamp: 200 },
        ],
      }),
      T0,
    );
    log.append(
      encodeRecordBatch({
        records: [
          { value: 'c', timestamp: 300 },
          { value: 'd', timestamp: 400 },
        ],
      }),
      T0,
    );
    log.append(encodeRecordBatch({ records: [{ value: 'e', timestamp: 250 }] }), T0);
    expect(log.offsetForTimestamp(0)).toEqual({ offset: 0, timestamp: 100 });
    expect(log.offsetForTimestamp(150)).toEqual({ offset: 1, timestamp: 200 });
    expect(log.offsetForTimestamp(201)).toEqual({ offset: 2, timestamp: 300 });
    expect(log.offsetForTimestamp(350)).toEqual({ offset: 3, timestamp: 400 });
    expect(log.offsetForTimestamp(401)).toBeNull();
    expect(log.maxTimestampRecord()).toEqual({ offset: 3, timestamp: 400 });
  });

  it('keeps records, offsets and timestamps lookups across a clean restart', () => {
    let log = openLog({ 'segment.bytes': '2000', 'index.interval.bytes': '100' });
    for (let i = 0; i < 40; i++) log.append(batch([`r${i}`, 'x'.repeat(50)], T0 + i), T0);
    const before = log.read(0, 1 << 20, true);
    const segments = log.segmentBaseOffsets();
    log = reopen(log, true, { 'segment.bytes': '2000', 'index.interval.bytes': '100' });
    expect(log.logEndOffset).toBe(80);
    expect(log.segmentBaseOffsets()).toEqual(segments);
    expect(log.read(0, 1 << 20, true).equals(before)).toBe(true);
    expect(log.offsetForTimestamp(T0 + 39)).toEqual({ offset: 78, timestamp: T0 + 39 });
    expect(log.append(batch(['after']), T0).baseOffset).toBe(80);
    expect(offsets(log.read(79, 1 << 20, true)).slice(-1)).toEqual([80]);
  });

  it('keeps everything across an unclean restart (full scan)', () => {
    let log = openLog({ 'segment.bytes': '2000' });
    for (let i = 0; i < 30; i++) log.append(batch([`r${i}`, 'y'.repeat(40)]), T0);
    const before = log.read(0, 1 << 20, true);
    log = reopen(log, false, { 'segment.bytes': '2000' });
    expect(log.logEndOffset).toBe(60);
    expect(log.read(0, 1 << 20, true).equals(before)).toBe(true);
  });

  describe('recovery after a crash', () => {
    function crashWith(damage: (logFile: string, lastBatchSize: number) => void): PartitionLog {
      let log = openLog();
      log.append(batch(['a', 'b']), T0);
      log.append(batch(['c']), T0);
      const last = batch(['d', 'e', 'f']);
      log.append(last, T0);
      log.close();
      damage(path.join(root, 't-0', segmentFileName(0, '.log')), last.length);
      log = openLog();
      return log;
    }

    it('drops garbage appended after the last batch', () => {
      const log = crashWith((file) =>
        fs.appendFileSync(
          file,
          Buffer.from('garbage that is not a batch at all, long enough to parse as a header....'),
        ),
      );
      expect(log.logEndOffset).toBe(6);
      expect(values(log.read(0, 1 << 20, true))).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
      expect(log.append(batch(['g']), T0).baseOffset).toBe(6);
    });

    it('truncates a torn (half-written) last batch', () => {
      const log = crashWith((file, lastSize) =>
        fs.truncateSync(file, fs.statSync(file).size - Math.floor(lastSize / 2)),
      );
      expect(log.logEndOffset).toBe(3);
      expect(values(log.read(0, 1 << 20, true))).toEqual(['a', 'b', 'c']);
      expect(log.append(batch(['g']), T0).baseOffset).toBe(3);
      expect(values(log.read(0, 1 << 20, true))).toEqual(['a', 'b', 'c', 'g']);
    });

    it('truncates a last batch whose CRC no longer matches (flipped byte)', () => {
      const log = crashWith((file) => {
        const bytes = fs.readFileSync(file);
        bytes[bytes.length - 2] ^= 0x40;
        fs.writeFileSync(file, bytes);
      });
      expect(log.logEndOffset).toBe(3);
      expect(values(log.read(0, 1 << 20, true))).toEqual(['a', 'b', 'c']);
      expect(log.append(batch(['g']), T0).baseOffset).toBe(3);
    });

    it('rebuilds missing and inconsistent indexes', () => {
      let log = openLog({ 'index.interval.bytes': '0' });
      for (let i = 0; i < 20; i++) log.append(batch([`v${i}`], T0 + i), T0);
      log.flush();
      log.close();
      const dir = path.join(root, 't-0');
      const indexFile = path.join(dir, segmentFileName(0, '.index'));
      const original = fs.readFileSync(indexFile);
      fs.rmSync(indexFile);
      fs.writeFileSync(path.join(dir, segmentFileName(0, '.timeindex')), Buffer.from('nonsense'));
      log = openLog({ 'index.interval.bytes': '0' }, { clean: true });
      expect(fs.readFileSync(indexFile).equals(original)).toBe(true);
      expect(offsets(log.read(13, 1, true))).toEqual([13]);
      expect(log.offsetForTimestamp(T0 + 7)).toEqual({ offset: 7, timestamp: T0 + 7 });
    });

    it('scans only what a crash can have torn: nothing after a clean shutdown, segments after the recovery point otherwise', () => {
      const flipFirstBatch = (base: number): void => {
        const file = path.join(root, 't-0', segmentFileName(base, '.log'));
        const bytes = fs.readFileSync(file);
        bytes[70] ^= 0x01; // inside the first batch's records: only a CRC check notices
        fs.writeFileSync(file, bytes);
      };
      let log = openLog({ 'segment.bytes': '300' });
      for (let i = 0; i < 12; i++) log.append(batch([`v${i}`, 'z'.repeat(60)]), T0);
      const bases = log.segmentBaseOffsets();
      log.flush(); // recovery point = 24
      log.close();
      flipFirstBatch(bases[0]!);
      flipFirstBatch(bases[bases.length - 1]!);
      // Clean shutdown claimed: files are trusted as they are.
      log = openLog({ 'segment.bytes': '300' }, { clean: true });
      expect(log.logEndOffset).toBe(24);
      log.close();
      // Unclean, recovery point 24: only the last segment is scanned (and cut), older ones are trusted.
      log = openLog({ 'segment.bytes': '300' });
      expect(log.logEndOffset).toBe(bases[bases.length - 1]);
      expect(log.segmentBaseOffsets()[0]).toBe(0);
    });

    it('removes segments after a corrupt one', () => {
      let log = openLog({ 'segment.bytes': '300' });
      for (let i = 0; i < 12; i++) log.append(batch([`v${i}`, 'z'.repeat(60)]), T0);
      const bases = log.segmentBaseOffsets();
      expect(bases.length).toBeGreaterThan(3);
      log.close();
      const victim = path.join(root, 't-0', segmentFileName(bases[1]!, '.log'));
      const bytes = fs.readFileSync(victim);
      bytes[bytes.length - 1] ^= 1;
      fs.writeFileSync(victim, bytes);
      log = openLog({ 'segment.bytes': '300' });
      expect(log.segmentBaseOffsets()[0]).toBe(0);
      expect(log.segmentBaseOffsets().every((b) => b <= bases[1]!)).toBe(true);
      const recovered = log.logEndOffset;
      expect(recovered).toBeGreaterThanOrEqual(bases[1]!);
      expect(recovered).toBeLessThan(bases[2]!);
      expect(log.append(batch(['next']), T0).baseOffset).toBe(recovered);
    });
  });

  describe('failed writes', () => {
    it('leave the log exactly as it was and throw KAFKA_STORAGE_ERROR', () => {
      let failNext = false;
      const io: FileIo = {
        write(fd, buffer, offset, length, position) {
          if (failNext) {
            failNext = false;
            // A partial write followed by ENOSPC, as a full disk does.
            defaultFileIo.write(fd, buffer, offset, Math.min(7, length), position);
            throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
          }
          return defaultFileIo.write(fd, buffer, offset, length, position);
        },
      };
      const log = openLog({}, { io });
      log.append(batch(['a', 'b']), T0);
      const sizeBefore = log.sizeInBytes;
      const fileBefore = fs.readFileSync(path.join(root, 't-0', segmentFileName(0, '.log')));
      failNext = true;
      expect(codeOf(() => log.append(batch(['c']), T0))).toBe(StorageErrorCode.KAFKA_STORAGE_ERROR);
      expect(log.logEndOffset).toBe(2);
      expect(log.sizeInBytes).toBe(sizeBefore);
      expect(
        fs.readFileSync(path.join(root, 't-0', segmentFileName(0, '.log'))).equals(fileBefore),
      ).toBe(true);
      expect(log.append(batch(['c']), T0).baseOffset).toBe(2);
      expect(values(log.read(0, 1 << 20, true))).toEqual(['a', 'b', 'c']);
    });

    it('keep the append when only a deferred index write fails, and write the index later', () => {
      let failIndex = true;
      let failures = 0;
      const io: FileIo = {
        write(fd, buffer, offset, length, position) {
          // 64 offset-index entries of 8 bytes are written together.
          if (failIndex && length === 512) {
            failures++;
            throw Object.assign(new Error('EIO: i/o error'), { code: 'EIO' });
          }
          return defaultFileIo.write(fd, buffer, offset, length, position);
        },
      };
      let log = openLog({ 'index.interval.bytes': '0' }, { io });
      for (let i = 0; i < 70; i++) log.append(batch([`v${i}`]), T0);
      expect(failures).toBeGreaterThan(0);
      expect(log.logEndOffset).toBe(70);
      expect(offsets(log.read(66, 1, true))).toEqual([66]);
      failIndex = false;
      log.flush();
      const indexFile = path.join(root, 't-0', segmentFileName(0, '.index'));
      expect(fs.statSync(indexFile).size).toBe(69 * 8);
      log = reopen(log, true, { 'index.interval.bytes': '0' });
      expect(offsets(log.read(42, 1, true))).toEqual([42]);
    });
  });

  describe('deleteRecordsBefore', () => {
    it('moves the log start offset, deletes whole segments below it and survives a restart', () => {
      let log = openLog({ 'segment.bytes': '300' });
      for (let i = 0; i < 12; i++) log.append(batch([`v${i}`, 'z'.repeat(60)]), T0);
      const segmentsBefore = log.segmentCount;
      expect(log.deleteRecordsBefore(9)).toBe(9);
      expect(log.segmentCount).toBeLessThan(segmentsBefore);
      expect(log.segmentBaseOffsets()[0]).toBeLessThanOrEqual(9);
      expect(codeOf(() => log.read(8, 100, true))).toBe(StorageErrorCode.OFFSET_OUT_OF_RANGE);
      expect(decodeRecords(log.read(9, 1 << 20, true)).some((r) => r.offset === 9)).toBe(true);
      expect(log.deleteRecordsBefore(3)).toBe(9);
      log = reopen(log, false, { 'segment.bytes': '300' });
      expect(log.logStartOffset).toBe(9);
      expect(log.deleteRecordsBefore(-1)).toBe(24);
      expect(codeOf(() => log.deleteRecordsBefore(25))).toBe(StorageErrorCode.OFFSET_OUT_OF_RANGE);
    });
  });

  describe('retention', () => {
    it('deletes segments older than retention.ms, by their largest timestamp', () => {
      const log = openLog({ 'segment.bytes': '300', 'retention.ms': '1000' });
      for (let i = 0; i < 10; i++) log.append(batch([`v${i}`, 'z'.repeat(60)], T0 + i * 100), T0);
      const bases = log.segmentBaseOffsets();
      expect(log.runRetention(T0 + 1000)).toBe(0);
      const deleted = log.runRetention(T0 + 1500);
      expect(deleted).toBeGreaterThan(0);
      expect(log.logStartOffset).toBe(log.segmentBaseOffsets()[0]);
      expect(log.logStartOffset).toBe(bases[deleted]);
      // The first kept segment is the first one holding a record newer than now - retention.ms.
      const firstKept = decodeRecords(log.read(log.logStartOffset, 1 << 20, true));
      expect(firstKept[firstKept.length - 1]!.timestamp).toBeGreaterThanOrEqual(T0 + 500);
    });

    it('rolls and deletes the active segment when everything has expired', () => {
      const log = openLog({ 'retention.ms': '1000' });
      log.append(batch(['a', 'b']), T0);
      expect(log.runRetention(T0 + 5000)).toBe(1);
      expect([log.logStartOffset, log.logEndOffset, log.sizeInBytes]).toEqual([2, 2, 0]);
      expect(log.append(batch(['c']), T0 + 5000).baseOffset).toBe(2);
    });

    it('deletes the oldest segments while the partition exceeds retention.bytes', () => {
      const log = openLog({ 'segment.bytes': '300', 'retention.bytes': '600' });
      for (let i = 0; i < 12; i++) log.append(batch([`v${i}`, 'z'.repeat(60)]), T0);
      expect(log.runRetention(T0)).toBeGreaterThan(0);
      // Kafka semantics: delete a segment only if at least retention.bytes remain afterwards.
      expect(log.sizeInBytes).toBeGreaterThanOrEqual(600);
      expect(log.sizeInBytes).toBeLessThan(600 + 300);
      expect(log.logEndOffset).toBe(24);
    });

    it('is disabled by -1 limits and by cleanup.policy=compact', () => {
      const unlimited = openLog({
        'segment.bytes': '300',
        'retention.ms': '-1',
        'retention.bytes': '-1',
      });
      for (let i = 0; i < 6; i++) unlimited.append(batch([`v${i}`, 'z'.repeat(60)], 0), T0);
      expect(unlimited.runRetention(T0 * 2)).toBe(0);
      unlimited.close();
      const compacted = openLog({
        'segment.bytes': '300',
        'retention.ms': '1',
        'cleanup.policy': 'compact',
      });
      expect(compacted.runRetention(T0 * 2)).toBe(0);
      expect(compacted.logStartOffset).toBe(0);
    });
  });

  it('calls onAppend synchronously after each successful append only', () => {
    const calls: string[] = [];
    const log = PartitionLog.open({
      dir: path.join(root, 'n-3'),
      topic: 'n',
      partition: 3,
      config: resolveTopicConfig({}, {}),
      onAppend: (t, p) => calls.push(`${t}-${p}`),
    });
    open.push(log);
    log.append(batch(['a']), T0);
    expect(calls).toEqual(['n-3']);
    expect(() => log.append(Buffer.from('junk'), T0)).toThrow(StorageError);
    expect(calls).toEqual(['n-3']);
  });
});
