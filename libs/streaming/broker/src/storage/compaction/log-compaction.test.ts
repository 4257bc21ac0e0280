import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLEAN_SHUTDOWN_FILE, LogManager } from '../log-manager.ts';
import type { PartitionLog } from '../partition-log.ts';
import {
  BatchField,
  Compression,
  decodeRecordBatches,
  encodeRecordBatch,
  type RecordInput,
} from '../record-batch.ts';
import { crc32c } from '../crc32c.ts';
import { compressRecords, decompressRecords } from './codecs.ts';
import { LogCleaner } from './log-cleaner.ts';

const T0 = 1_700_000_000_000;
const dirs: string[] = [];
const managers: LogManager[] = [];

afterEach(async () => {
  for (const m of managers.splice(0)) await m.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'compaction-'));
  dirs.push(dir);
  return dir;
}

async function open(logDir: string): Promise<LogManager> {
  const m = await LogManager.open({ logDir, defaults: {}, retentionCheckIntervalMs: null });
  managers.push(m);
  return m;
}

async function close(m: LogManager): Promise<void> {
  managers.splice(managers.indexOf(m), 1);
  await m.close();
}

/** A batch in any codec (encodeRecordBatch itself writes none/gzip/zstd; snappy/lz4 are rewrapped). */
function batch(records: RecordInput[], codec: number = Compression.NONE): Buffer {
  if (codec !== Compression.SNAPPY && codec !== Compression.LZ4) {
    return encodeRecordBatch({ records, compression: codec, baseTimestamp: records[0]!.timestamp });
  }
  const plain = encodeRecordBatch({ records, baseTimestamp: records[0]!.timestamp });
  const body = compressRecords(codec, plain.subarray(BatchField.RECORDS));
  const out = Buffer.alloc(BatchField.RECORDS + body.length);
  plain.copy(out, 0, 0, BatchField.RECORDS);
  out.writeInt32BE(out.length - 12, BatchField.BATCH_LENGTH);
  out.writeInt16BE(codec, BatchField.ATTRIBUTES);
  body.copy(out, BatchField.RECORDS);
  out.writeUInt32BE(crc32c(out, BatchField.ATTRIBUTES, out.length), BatchField.CRC);
  return out;
}

/** The same batches uncompressed (storage's own decoder reads only none/gzip/zstd). */
function uncompressed(buf: Buffer): Buffer {
  const parts: Buffer[] = [];
  let pos = 0;
  while (pos + BatchField.RECORDS <= buf.length) {
    const size = buf.readInt32BE(pos + BatchField.BATCH_LENGTH) + 12;
    if (pos + size > buf.length) break;
    const b = buf.subarray(pos, pos + size);
    const attrs = b.readInt16BE(BatchField.ATTRIBUTES);
    const body = decompressRecords(attrs & 7, b.subarray(BatchField.RECORDS));
    const out = Buffer.alloc(BatchField.RECORDS + body.length);
    b.copy(out, 0, 0, BatchField.RECORDS);
    out.writeInt32BE(out.length - 12, BatchField.BATCH_LENGTH);
    out.writeInt16BE(attrs & ~7, BatchField.ATTRIBUTES);
    body.copy(out, BatchField.RECORDS);
    out.writeUInt32BE(crc32c(out, BatchField.ATTRIBUTES, out.length), BatchField.CRC);
    parts.push(out);
    pos += size;
  }
  return Buffer.concat(parts);
}

interface Read {
  offset: number;
  key: string | null;
  value: string | null;
  timestamp: number;
  headers: string[];
}

function readAll(log: PartitionLog): Read[] {
  const out: Read[] = [];
  let offset = log.logStartOffset;
  while (offset < log.logEndOffset) {
    const buf = log.read(offset, 1 << 20, true);
    const batches = decodeRecordBatches(uncompressed(buf));
    if (batches.length === 0) break;
    for (const b of batches) {
      for (const r of b.records) {
        if (r.offset < offset) continue;
        out.push({
          offset: r.offset,
          key: r.key?.toString() ?? null,
          value: r.value?.toString() ?? null,
          timestamp: r.timestamp,
          headers: r.headers.map((h) => `${h.key}=${h.value?.toString()}`),
        });
      }
      offset = b.baseOffset + b.lastOffsetDelta + 1;
    }
  }
  return out;
}

/** Writes `rounds` updates of `keys` keys, `perBatch` records per batch, timestamps T0 + i. */
function writeUpdates(
  log: PartitionLog,
  opts: { keys: number; rounds: number; perBatch: number; codec?: number },
): void {
  let i = 0;
  const total = opts.keys * opts.rounds;
  while (i < total) {
    const recs: RecordInput[] = [];
    for (let j = 0; j < opts.perBatch && i < total; j++, i++) {
      recs.push({
        key: `k${i % opts.keys}`,
        value: `v${i}`,
        timestamp: T0 + i,
        headers: [{ key: 'n', value: String(i) }],
      });
    }
    log.append(batch(recs, opts.codec), T0);
  }
}

async function compactedTopic(
  overrides: Record<string, string> = {},
): Promise<{ m: LogManager; log: PartitionLog; dir: string }> {
  const dir = tempDir();
  const m = await open(dir);
  m.createTopic('c', 1, {
    'cleanup.policy': 'compact',
    'segment.bytes': '4096',
    ...overrides,
  });
  return { m, log: m.partition('c', 0)!, dir };
}

function cleaner(m: LogManager): LogCleaner {
  const c = new LogCleaner({ logs: m, backoffMs: null });
  return c;
}

function latestPerKey(reads: Read[]): Map<string | null, Read> {
  const map = new Map<string | null, Read>();
  for (const r of reads) map.set(r.key, r);
  return map;
}

describe('log compaction', () => {
  it('keeps only the latest record per key in the non-active segments, with offsets, timestamps and headers intact', async () => {
    const { m, log } = await compactedTopic();
    writeUpdates(log, { keys: 5, rounds: 200, perBatch: 7 });
    const before = readAll(log);
    const segmentsBefore = log.segmentCount;
    expect(segmentsBefore).toBeGreaterThan(5);
    const activeBase = log.segmentBaseOffsets().at(-1)!;
    const activeFile = path.join(log.dir, `${String(activeBase).padStart(20, '0')}.log`);
    const activeBytes = fs.readFileSync(activeFile);

    const stats = await cleaner(m).runCompaction({ nowMs: T0 + 10_000 });
    expect(stats.partitionsCleaned).toBe(1);
    expect(stats.recordsRemoved).toBeGreaterThan(800);

    const after = readAll(log);
    const compacted = after.filter((r) => r.offset < activeBase);
    // One record per key at most in the compacted part, and it is that key's latest there.
    const latestBelowActive = latestPerKey(before.filter((r) => r.offset < activeBase));
    expect(compacted.map((r) => r.offset).sort((a, b) => a - b)).toEqual(
      [...latestBelowActive.values()].map((r) => r.offset).sort((a, b) => a - b),
    );
    for (const r of compacted) expect(r).toEqual(latestBelowActive.get(r.key));
    // The active segment is byte-identical and fully readable.
    expect(fs.readFileSync(activeFile).equals(activeBytes)).toBe(true);
    expect(after.filter((r) => r.offset >= activeBase)).toEqual(
      before.filter((r) => r.offset >= activeBase),
    );
    // A fresh reader sees the latest value of every key.
    expect(latestPerKey(after)).toEqual(latestPerKey(before));
    // Offsets keep increasing (with gaps); appends continue after the log end.
    expect(after.map((r) => r.offset)).toEqual(
      [...after.map((r) => r.offset)].sort((a, b) => a - b),
    );
    const leo = log.logEndOffset;
    expect(log.append(batch([{ key: 'k0', value: 'new', timestamp: T0 }]), T0).baseOffset).toBe(
      leo,
    );
  });

  it('removes empty segments and reads across the gaps from any offset', async () => {
    const { m, log } = await compactedTopic();
    writeUpdates(log, { keys: 2, rounds: 400, perBatch: 10 });
    const segmentsBefore = log.segmentCount;
    const stats = await cleaner(m).runCompaction({ nowMs: T0 + 10_000 });
    expect(stats.segmentsRemoved).toBeGreaterThan(0);
    expect(log.segmentCount).toBe(segmentsBefore - stats.segmentsRemoved);
    const all = readAll(log);
    // A fetch from an offset that was compacted away starts at the next record still there.
    for (const probe of [1, 17, 350]) {
      if (probe < log.logStartOffset) continue;
      const buf = log.read(probe, 1 << 20, true);
      const first = decodeRecordBatches(uncompressed(buf))[0]!;
      const next = all.find((r) => r.offset >= probe)!;
      expect(first.records.some((r) => r.offset === next.offset)).toBe(true);
    }
  });

  it('removes tombstones only once they are older than delete.retention.ms', async () => {
    const { m, log } = await compactedTopic({ 'delete.retention.ms': '60000' });
    writeUpdates(log, { keys: 3, rounds: 100, perBatch: 5 });
    log.append(batch([{ key: 'k1', value: null, timestamp: T0 + 1_000 }]), T0);
    writeUpdates(log, { keys: 1, rounds: 300, perBatch: 10 }); // k0 only: pushes the tombstone out of the active segment
    const c = cleaner(m);

    await c.runCompaction({ nowMs: T0 + 30_000 });
    const early = readAll(log);
    expect(early.filter((r) => r.key === 'k1')).toEqual([
      expect.objectContaining({ key: 'k1', value: null }),
    ]);

    // Not dirty any more, but the kept tombstone's deadline makes the partition due again.
    const late = await c.runCompaction({ nowMs: T0 + 1_000 + 60_001 });
    expect(late.tombstonesRemoved).toBe(1);
    expect(readAll(log).filter((r) => r.key === 'k1')).toEqual([]);
    expect(readAll(log).filter((r) => r.key === 'k2')).toHaveLength(1);
  });

  it('leaves segments younger than min.compaction.lag.ms alone', async () => {
    const { m, log } = await compactedTopic({ 'min.compaction.lag.ms': '500' });
    writeUpdates(log, { keys: 3, rounds: 300, perBatch: 10 });
    const before = readAll(log);
    const stats = await cleaner(m).runCompaction({ nowMs: T0 + 100 });
    // Records are T0..T0+899: only segments whose newest record is older than now-500 = T0-400 qualify: none.
    expect(stats.partitionsCleaned).toBe(0);
    expect(readAll(log)).toEqual(before);
  });

  it('cleans dirty data older than max.compaction.lag.ms whatever the dirty ratio', async () => {
    // A dirty ratio of 1 is never reached while the log has a clean part: only the lag can make it due.
    const { m, log } = await compactedTopic({
      'min.cleanable.dirty.ratio': '1',
      'max.compaction.lag.ms': '5000',
    });
    writeUpdates(log, { keys: 3, rounds: 300, perBatch: 10 });
    const c = cleaner(m);
    expect((await c.runCompaction({ force: true, nowMs: T0 + 1_000 })).partitionsCleaned).toBe(1);
    writeUpdates(log, { keys: 3, rounds: 300, perBatch: 10 });
    // Records are T0..T0+899: the new dirty segments' data is not yet 5 s old, then it is.
    expect((await c.runCompaction({ nowMs: T0 + 4_000 })).partitionsCleaned).toBe(0);
    expect((await c.runCompaction({ nowMs: T0 + 6_000 })).partitionsCleaned).toBe(1);
  });

  it('does nothing to topics without cleanup.policy=compact', async () => {
    const dir = tempDir();
    const m = await open(dir);
    m.createTopic('d', 1, { 'segment.bytes': '4096' });
    const log = m.partition('d', 0)!;
    writeUpdates(log, { keys: 2, rounds: 200, perBatch: 10 });
    const stats = await cleaner(m).runCompaction({ force: true, nowMs: T0 + 10_000 });
    expect(stats.partitionsCleaned).toBe(0);
    expect(readAll(log)).toHaveLength(400);
  });

  for (const [name, codec] of [
    ['gzip', Compression.GZIP],
    ['zstd', Compression.ZSTD],
    ['snappy', Compression.SNAPPY],
    ['lz4', Compression.LZ4],
  ] as const) {
    it(`compacts ${name} batches and rewrites partial ones in ${name}`, async () => {
      const { m, log } = await compactedTopic();
      writeUpdates(log, { keys: 7, rounds: 60, perBatch: 9, codec });
      const before = readAll(log);
      const activeBase = log.segmentBaseOffsets().at(-1)!;
      await cleaner(m).runCompaction({ nowMs: T0 + 10_000 });
      const after = readAll(log);
      expect(latestPerKey(after)).toEqual(latestPerKey(before));
      const compacted = after.filter((r) => r.offset < activeBase);
      expect(new Set(compacted.map((r) => r.key)).size).toBe(compacted.length);
      const buf = log.read(log.logStartOffset, 1 << 24, true);
      const codecs = new Set(decodeRecordBatchesSafe(buf).map((b) => b.attributes & 7));
      expect([...codecs]).toEqual([codec]);
    });
  }

  it('survives a crash before the swap (a .cleaned leftover) and after it (missing indexes)', async () => {
    const { m, log, dir } = await compactedTopic();
    writeUpdates(log, { keys: 4, rounds: 200, perBatch: 8 });
    const partDir = log.dir;
    await cleaner(m).runCompaction({ nowMs: T0 + 10_000 });
    const firstBase = log.segmentBaseOffsets()[0]!;
    const name = (ext: string) =>
      path.join(partDir, `${String(firstBase).padStart(20, '0')}${ext}`);
    const expected = readAll(log);
    await close(m);

    // Crash after the rename: the compacted .log is in place, its indexes were not rebuilt yet.
    fs.rmSync(name('.index'));
    fs.rmSync(name('.timeindex'));
    // Crash before a later swap: a half-written copy lies next to an intact segment.
    fs.writeFileSync(name('.log.cleaned'), Buffer.from('half a segment'));
    fs.rmSync(path.join(dir, CLEAN_SHUTDOWN_FILE), { force: true });

    const m2 = await open(dir);
    const log2 = m2.partition('c', 0)!;
    expect(readAll(log2)).toEqual(expected);
    expect(fs.existsSync(name('.log.cleaned'))).toBe(false);
    expect(fs.existsSync(name('.index'))).toBe(true);
    expect(fs.existsSync(name('.timeindex'))).toBe(true);
    // And compaction runs again on the recovered log without losing anything.
    await cleaner(m2).runCompaction({ force: true, nowMs: T0 + 10_000 });
    expect(latestPerKey(readAll(log2))).toEqual(latestPerKey(expected));
  });

  it('is called before rewriting so producer state can be saved first', async () => {
    const { m, log } = await compactedTopic();
    writeUpdates(log, { keys: 2, rounds: 100, perBatch: 10 });
    const seen: string[] = [];
    const c = new LogCleaner({
      logs: m,
      backoffMs: null,
      beforeRewrite: (l) => seen.push(`${l.topic}-${l.partition}:${l.segmentCount}`),
    });
    const segments = log.segmentCount;
    await c.runCompaction({ nowMs: T0 + 10_000 });
    expect(seen).toEqual([`c-0:${segments}`]);
  });
});

function decodeRecordBatchesSafe(buf: Buffer) {
  return decodeRecordBatchesRaw(buf);
}

/** Batch headers only (storage's decoder does not read snappy/lz4). */
function decodeRecordBatchesRaw(buf: Buffer): Array<{ attributes: number }> {
  const out: Array<{ attributes: number }> = [];
  let pos = 0;
  while (pos + 61 <= buf.length) {
    const size = buf.readInt32BE(pos + BatchField.BATCH_LENGTH) + 12;
    if (pos + size > buf.length) break;
    out.push({ attributes: buf.readInt16BE(pos + BatchField.ATTRIBUTES) });
    pos += size;
  }
  return out;
}
