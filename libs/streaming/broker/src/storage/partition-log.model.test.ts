/**
 * Randomised model check: a PartitionLog driven by a seeded sequence of
 * appends, reads, timestamp lookups, restarts (clean and unclean),
 * DeleteRecords and retention must always agree with a plain in-memory list
 * of records.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StorageError, StorageErrorCode } from './errors.ts';
import { PartitionLog } from './partition-log.ts';
import { decodeRecordBatches, encodeRecordBatch } from './record-batch.ts';
import { resolveTopicConfig } from './topic-config.ts';

let root: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'partition-model-'));
});
afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

/** mulberry32: small deterministic PRNG so a failure can be replayed from its seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface ModelRecord {
  offset: number;
  value: string;
  timestamp: number;
}

function runScenario(seed: number, steps: number): void {
  const rand = rng(seed);
  const int = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
  const overrides = {
    'segment.bytes': String(int(1500, 4000)),
    'index.interval.bytes': String(int(0, 600)),
    'retention.bytes': '-1',
    'retention.ms': '-1',
  };
  const dir = path.join(root, `p-${seed}`);
  const openLog = (clean: boolean): PartitionLog =>
    PartitionLog.open({
      dir,
      topic: 'p',
      partition: seed,
      config: resolveTopicConfig({}, overrides),
      clean,
    });
  let log = openLog(false);
  const model: ModelRecord[] = [];
  let logStart = 0;
  let clock = 1_000_000;

  const check = (offset: number, maxBytes: number): void => {
    const buf = log.read(offset, maxBytes, true);
    if (offset === model.length) {
      expect(buf.length).toBe(0);
      return;
    }
    const batches = decodeRecordBatches(buf);
    expect(batches.length).toBeGreaterThan(0);
    const first = batches[0]!;
    // The first batch contains the requested offset.
    expect(first.baseOffset).toBeLessThanOrEqual(offset);
    expect(first.baseOffset + first.lastOffsetDelta).toBeGreaterThanOrEqual(offset);
    // Whole batches only, and within maxBytes unless it is the single oversized first one.
    const total = batches.reduce((n, b) => n + b.size, 0);
    expect(total).toBe(buf.length);
    if (batches.length > 1) expect(total).toBeLessThanOrEqual(maxBytes);
    for (const r of batches.flatMap((b) => b.records)) {
      const m = model[r.offset]!;
      expect([r.value!.toString(), r.timestamp]).toEqual([m.value, m.timestamp]);
    }
  };

  for (let step = 0; step < steps; step++) {
    const op = rand();
    if (op < 0.55) {
      const n = int(1, 6);
      const records = Array.from({ length: n }, (_, i) => {
        clock += int(0, 50);
        // Producer clocks are not monotonic: some records carry earlier timestamps.
        const timestamp = rand() < 0.2 ? clock - int(1, 200) : clock;
        return {
          value: `s${seed}-${model.length + i}-${'x'.repeat(int(0, 120))}`,
          timestamp,
        };
      });
      const res = log.append(encodeRecordBatch({ records }), clock);
      expect(res.baseOffset).toBe(model.length);
      for (const r of records)
        model.push({ offset: model.length, value: r.value as string, timestamp: r.timestamp! });
    } else if (op < 0.8) {
      check(int(logStart, model.length), int(1, 2000));
    } else if (op < 0.87) {
      const ts = int(1_000_000, clock + 10);
      const expected = model.find((r) => r.offset >= logStart && r.timestamp >= ts);
      const found = log.offsetForTimestamp(ts);
      if (!expected) expect(found).toBeNull();
      else expect(found).toEqual({ offset: expected.offset, timestamp: expected.timestamp });
      const live = model.slice(logStart);
      const maxTs = Math.max(...live.map((r) => r.timestamp));
      const maxRecord = live.find((r) => r.timestamp === maxTs);
      expect(log.maxTimestampRecord()).toEqual(
        maxRecord ? { offset: maxRecord.offset, timestamp: maxTs } : null,
      );
    } else if (op < 0.93) {
      const clean = rand() < 0.5;
      if (clean) log.flush();
      log.close();
      log = openLog(clean);
      expect(log.logEndOffset).toBe(model.length);
      expect(log.logStartOffset).toBe(logStart);
    } else if (op < 0.97) {
      const target = int(logStart, model.length);
      logStart = log.deleteRecordsBefore(target);
      expect(logStart).toBe(target);
      if (logStart > 0) {
        try {
          log.read(logStart - 1, 100, true);
          expect.unreachable();
        } catch (err) {
          expect((err as StorageError).code).toBe(StorageErrorCode.OFFSET_OUT_OF_RANGE);
        }
      }
    } else {
      // Size retention keeps at least retention.bytes; the start only moves to a segment boundary.
      const limit = int(500, 4000);
      log.setConfig(resolveTopicConfig({}, { ...overrides, 'retention.bytes': String(limit) }));
      const before = log.sizeInBytes;
      const deleted = log.runRetention(clock);
      // Kafka semantics: a segment goes only if at least retention.bytes remain.
      if (deleted > 0) expect(log.sizeInBytes).toBeGreaterThanOrEqual(limit);
      else expect(log.sizeInBytes).toBe(before);
      expect(log.logStartOffset).toBeGreaterThanOrEqual(logStart);
      logStart = log.logStartOffset;
      log.setConfig(resolveTopicConfig({}, overrides));
    }
  }
  // Everything still readable end to end.
  let next = logStart;
  while (next < model.length) {
    const batches = decodeRecordBatches(log.read(next, 5000, true));
    const last = batches[batches.length - 1]!;
    next = last.baseOffset + last.lastOffsetDelta + 1;
  }
  expect(next).toBe(model.length);
  log.close();
}

describe('PartitionLog against an in-memory model', () => {
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    it(`agrees with the model for seed ${seed}`, () => {
      runScenario(seed, 400);
    });
  }
});
