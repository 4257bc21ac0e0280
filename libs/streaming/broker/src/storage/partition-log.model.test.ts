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
import { ErrorCode as StorageErrorCode } from '../errors/index.ts';
import { StorageError } from './errors.ts';
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

/** One seeded run: the log under test, the model it must agree with, and one method per operation. */
class Scenario {
  readonly seed: number;
  readonly rand: () => number;
  readonly overrides: Record<string, string>;
  readonly dir: string;
  log: PartitionLog;
  readonly model: ModelRecord[] = [];
  logStart = 0;
  clock = 1_000_000;

  constructor(seed: number) {
    this.seed = seed;
    this.rand = rng(seed);
    this.overrides = {
      'segment.bytes': String(this.int(1500, 4000)),
      'index.interval.bytes': String(this.int(0, 600)),
      'retention.bytes': '-1',
      'retention.ms': '-1',
    };
    this.dir = path.join(root, `p-${seed}`);
    this.log = this.openLog(false);
  }

  int(lo: number, hi: number): number {
    return lo + Math.floor(this.rand() * (hi - lo + 1));
  }

  openLog(clean: boolean): PartitionLog {
    return PartitionLog.open({
      dir: this.dir,
      topic: 'p',
      partition: this.seed,
      config: resolveTopicConfig({}, this.overrides),
      clean,
    });
  }

  check(offset: number, maxBytes: number): void {
    const buf = this.log.read(offset, maxBytes, true);
    if (offset === this.model.length) {
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
      const m = this.model[r.offset]!;
      expect([r.value!.toString(), r.timestamp]).toEqual([m.value, m.timestamp]);
    }
  }

  append(): void {
    const n = this.int(1, 6);
    const records = Array.from({ length: n }, (_, i) => {
      this.clock += this.int(0, 50);
      // Producer clocks are not monotonic: some records carry earlier timestamps.
      const timestamp = this.rand() < 0.2 ? this.clock - this.int(1, 200) : this.clock;
      return {
        value: `s${this.seed}-${this.model.length + i}-${'x'.repeat(this.int(0, 120))}`,
        timestamp,
      };
    });
    const res = this.log.append(encodeRecordBatch({ records }), this.clock);
    expect(res.baseOffset).toBe(this.model.length);
    for (const r of records)
      this.model.push({
        offset: this.model.length,
        value: r.value as string,
        timestamp: r.timestamp!,
      });
  }

  timestampLookups(): void {
    const ts = this.int(1_000_000, this.clock + 10);
    const expected = this.model.find((r) => r.offset >= this.logStart && r.timestamp >= ts);
    const found = this.log.offsetForTimestamp(ts);
    if (!expected) expect(found).toBeNull();
    else expect(found).toEqual({ offset: expected.offset, timestamp: expected.timestamp });
    const live = this.model.slice(this.logStart);
    const maxTs = Math.max(...live.map((r) => r.timestamp));
    const maxRecord = live.find((r) => r.timestamp === maxTs);
    expect(this.log.maxTimestampRecord()).toEqual(
      maxRecord ? { offset: maxRecord.offset, timestamp: maxTs } : null,
    );
  }

  restart(): void {
    const clean = this.rand() < 0.5;
    if (clean) this.log.flush();
    this.log.close();
    this.log = this.openLog(clean);
    expect(this.log.logEndOffset).toBe(this.model.length);
    expect(this.log.logStartOffset).toBe(this.logStart);
  }

  deleteRecords(): void {
    const target = this.int(this.logStart, this.model.length);
    this.logStart = this.log.deleteRecordsBefore(target);
    expect(this.logStart).toBe(target);
    if (this.logStart > 0) {
      try {
        this.log.read(this.logStart - 1, 100, true);
        expect.unreachable();
      } catch (err) {
        expect((err as StorageError).code).toBe(StorageErrorCode.OFFSET_OUT_OF_RANGE);
      }
    }
  }

  sizeRetention(): void {
    // Size retention keeps at least retention.bytes; the start only moves to a segment boundary.
    const limit = this.int(500, 4000);
    this.log.setConfig(
      resolveTopicConfig({}, { ...this.overrides, 'retention.bytes': String(limit) }),
    );
    const before = this.log.sizeInBytes;
    const deleted = this.log.runRetention(this.clock);
    // Kafka semantics: a segment goes only if at least retention.bytes remain.
    if (deleted > 0) expect(this.log.sizeInBytes).toBeGreaterThanOrEqual(limit);
    else expect(this.log.sizeInBytes).toBe(before);
    expect(this.log.logStartOffset).toBeGreaterThanOrEqual(this.logStart);
    this.logStart = this.log.logStartOffset;
    this.log.setConfig(resolveTopicConfig({}, this.overrides));
  }

  /** Everything still readable end to end. */
  readAll(): void {
    let next = this.logStart;
    while (next < this.model.length) {
      const batches = decodeRecordBatches(this.log.read(next, 5000, true));
      const last = batches[batches.length - 1]!;
      next = last.baseOffset + last.lastOffsetDelta + 1;
    }
    expect(next).toBe(this.model.length);
  }
}

function runScenario(seed: number, steps: number): void {
  const s = new Scenario(seed);
  for (let step = 0; step < steps; step++) {
    const op = s.rand();
    if (op < 0.55) s.append();
    else if (op < 0.8) s.check(s.int(s.logStart, s.model.length), s.int(1, 2000));
    else if (op < 0.87) s.timestampLookups();
    else if (op < 0.93) s.restart();
    else if (op < 0.97) s.deleteRecords();
    else s.sizeRetention();
  }
  s.readAll();
  s.log.close();
}

describe('PartitionLog against an in-memory model', () => {
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    it(`agrees with the model for seed ${seed}`, () => {
      runScenario(seed, 400);
    });
  }
});
