import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { StreamRecord } from '../record.ts';
import { fileCheckpointState } from '../state/file-checkpoint-state.ts';
import type { StateBackend } from '../state/state-backend.ts';
import {
  analyticsTopology,
  partitionByPartition,
  retailRecords,
  STOCK,
} from '../test-support/retail-scenario.ts';
import type { AggregateResult } from '../topology/runtime-context.ts';
import { TopologyBuilder } from '../topology/topology-builder.ts';
import { StreamProcessor } from './stream-processor.ts';

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'processing-replay-'));
}

/** The results table a user would upsert from the changes feed: latest value per (aggregation, key, window). */
function resultsTable(results: readonly AggregateResult[]): Map<string, unknown> {
  const table = new Map<string, unknown>();
  for (const result of results) {
    table.set(`${result.aggregation}/${result.key}/${result.window?.start ?? '-'}`, result.value);
  }
  return new Map([...table].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function runAll(records: readonly StreamRecord[], state?: StateBackend) {
  const results: AggregateResult[] = [];
  const processor = new StreamProcessor(analyticsTopology(), {
    state,
    onResult: (result) => results.push(result),
  });
  processor.restore();
  for (const record of records) processor.process(record);
  processor.checkpoint();
  const { aggregations, tables, lateCounts } = processor.snapshot();
  return { processor, results, state: { aggregations, tables, lateCounts } };
}

describe('restart and replay', () => {
  const records = retailRecords();

  it('the scenario exercises windows, late records, joins and closed windows', () => {
    const { state, results } = runAll(records);
    expect(state.lateCounts['orders-per-minute']).toBeGreaterThan(0);
    expect(results.filter((result) => result.final).length).toBeGreaterThan(20);
    expect(state.aggregations['short-lines-per-sku']!.length).toBeGreaterThan(0);
    expect(state.aggregations['outcomes']!.map((entry) => entry.key)).toEqual([
      'confirmed',
      'rejected',
    ]);
  });

  it('resumes after a crash with identical state, skipping the records it had already processed', () => {
    const uninterrupted = runAll(records);
    const directory = tempDir();

    const first = new StreamProcessor(analyticsTopology(), {
      state: fileCheckpointState(directory),
    });
    expect(first.restore()).toEqual([]);
    const checkpointAt = Math.floor(records.length * 0.4);
    records.slice(0, checkpointAt).forEach((record) => first.process(record));
    first.checkpoint();
    const checkpointed = first.positions();
    // Keeps going, then "crashes": this work was never checkpointed and must be redone.
    records.slice(checkpointAt, checkpointAt + 200).forEach((record) => first.process(record));

    const second = new StreamProcessor(analyticsTopology(), {
      state: fileCheckpointState(directory),
    });
    expect(second.restore()).toEqual(checkpointed);
    // The consumer redelivers from an older committed offset (here: everything from the start).
    const outcomes = records.map((record) => second.process(record));
    second.checkpoint();

    expect(outcomes.filter((outcome) => outcome === 'duplicate')).toHaveLength(checkpointAt);
    expect(outcomes.slice(checkpointAt).every((outcome) => outcome === 'processed')).toBe(true);
    const { aggregations, tables, lateCounts } = second.snapshot();
    expect({ aggregations, tables, lateCounts }).toEqual(uninterrupted.state);
    expect(second.positions()).toEqual(uninterrupted.processor.positions());
  });

  it('leaves a results table upserted from the feed identical to an uninterrupted run after a crash', () => {
    const uninterrupted = runAll(records);
    const directory = tempDir();
    const feed: AggregateResult[] = [];
    const onResult = (result: AggregateResult) => feed.push(result);
    const first = new StreamProcessor(analyticsTopology(), {
      state: fileCheckpointState(directory),
      onResult,
    });
    records.slice(0, 500).forEach((record) => first.process(record));
    first.checkpoint();
    records.slice(500, 650).forEach((record) => first.process(record)); // then crashes
    const second = new StreamProcessor(analyticsTopology(), {
      state: fileCheckpointState(directory),
      onResult,
    });
    second.restore();
    records.forEach((record) => second.process(record));
    // The results of records 500-650 were upserted twice, with the same values: the table converges.
    expect(resultsTable(feed)).toEqual(resultsTable(uninterrupted.results));
  });

  it('tells the consumer to resume each partition right after its last processed offset', () => {
    const directory = tempDir();
    const processor = new StreamProcessor(analyticsTopology(), {
      state: fileCheckpointState(directory),
    });
    records.slice(0, 30).forEach((record) => processor.process(record));
    processor.checkpoint();
    const positions = new StreamProcessor(analyticsTopology(), {
      state: fileCheckpointState(directory),
    }).restore();
    for (const position of positions) {
      const last = records
        .slice(0, 30)
        .filter(
          (record) => record.topic === position.topic && record.partition === position.partition,
        )
        .at(-1)!;
      expect(position).toEqual({
        topic: last.topic,
        partition: last.partition,
        lastProcessedOffset: last.offset,
        nextOffset: last.offset + 1n,
      });
    }
  });

  it('rebuilds every aggregate from scratch with the same numbers and the same results feed', () => {
    const directory = tempDir();
    const live = runAll(records, fileCheckpointState(directory));
    fileCheckpointState(directory).clear();
    const replay = runAll(records, fileCheckpointState(directory));
    expect(replay.state).toEqual(live.state);
    expect(replay.results).toEqual(live.results);
  });

  it('ends with the same aggregates when the replay reads the partitions in another order', () => {
    const live = runAll(records);
    const reordered = partitionByPartition(records);
    expect(reordered.map((record) => record.topic)).not.toEqual(
      records.map((record) => record.topic),
    );
    const replay = runAll(reordered);
    expect(replay.state).toEqual(live.state);
    expect(resultsTable(replay.results)).toEqual(resultsTable(live.results));
  });

  it('refuses to resume a checkpoint written by a different topology', () => {
    const directory = tempDir();
    runAll(records.slice(0, 10), fileCheckpointState(directory));
    const builder = new TopologyBuilder();
    builder.table(STOCK, { name: 'stock-level' }); // same name, different history: different meaning
    const processor = new StreamProcessor(builder.build(), {
      state: fileCheckpointState(directory),
    });
    expect(() => processor.restore()).toThrow(
      expect.objectContaining({ code: 'STATE_TOPOLOGY_MISMATCH' }),
    );
  });
});
