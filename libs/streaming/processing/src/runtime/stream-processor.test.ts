import { describe, expect, it } from 'vitest';
import { memoryState } from '../state/state-backend.ts';
import { RecordFactory } from '../test-support/records.ts';
import { TopologyBuilder } from '../topology/topology-builder.ts';
import { tumbling } from '../windows.ts';
import { StreamProcessor } from './stream-processor.ts';

const ORDERS = 'sales.order-placed';

function countingTopology(
  add: (total: number, value: { amount: number }) => number = (total) => total + 1,
) {
  const builder = new TopologyBuilder();
  const perMinute = builder
    .stream<{ amount: number }>(ORDERS)
    .groupBy(() => 'all')
    .windowedBy(tumbling(60_000), { grace: 60_000 })
    .aggregate('per-minute', () => 0, add);
  return { topology: builder.build(), perMinute };
}

describe('StreamProcessor', () => {
  it('ignores a record at or below the last processed offset of its partition', () => {
    const { topology, perMinute } = countingTopology();
    const processor = new StreamProcessor(topology);
    const make = new RecordFactory();
    const first = make.record(ORDERS, 1_000, 'a', { amount: 1 });
    const second = make.record(ORDERS, 2_000, 'b', { amount: 1 });
    expect([first, second, first, second].map((record) => processor.process(record))).toEqual([
      'processed',
      'processed',
      'duplicate',
      'duplicate',
    ]);
    // Another partition has positions of its own.
    expect(processor.process({ ...first, partition: 1 })).toBe('processed');
    expect(processor.entries(perMinute)[0]!.value).toBe(3);
    expect(processor.metrics).toEqual({ processed: 3, duplicates: 2, late: {} });
  });

  it('skips topics the topology does not read, without tracking them', () => {
    const processor = new StreamProcessor(countingTopology().topology);
    expect(processor.process(new RecordFactory().record('other', 1, 'k', {}))).toBe(
      'unknown-topic',
    );
    expect(processor.positions()).toEqual([]);
  });

  it('rejects records it cannot place: no bigint offset, or no usable event time', () => {
    const processor = new StreamProcessor(countingTopology().topology);
    const record = new RecordFactory().record(ORDERS, 1_000, 'a', { amount: 1 });
    expect(() => processor.process({ ...record, offset: 5 as unknown as bigint })).toThrow(
      expect.objectContaining({ code: 'INVALID_RECORD' }),
    );
    expect(() => processor.process({ ...record, timestamp: -1 })).toThrow(
      expect.objectContaining({ code: 'INVALID_TIMESTAMP' }),
    );
    // Neither changed anything: the same record is still new.
    expect(processor.process(record)).toBe('processed');
  });

  it('refuses to go on, or to checkpoint, after a user function threw part-way through a record', () => {
    const { topology } = countingTopology((total, value) => {
      if (value.amount < 0) throw new Error('negative amount');
      return total + 1;
    });
    const state = memoryState();
    const processor = new StreamProcessor(topology, { state });
    const make = new RecordFactory();
    processor.process(make.record(ORDERS, 1_000, 'a', { amount: 1 }));
    processor.checkpoint();
    expect(() => processor.process(make.record(ORDERS, 2_000, 'b', { amount: -1 }))).toThrow(
      'negative amount',
    );
    expect(() => processor.checkpoint()).toThrow(
      expect.objectContaining({ code: 'PROCESSOR_FAILED' }),
    );
    expect(() => processor.process(make.record(ORDERS, 3_000, 'c', { amount: 1 }))).toThrow(
      expect.objectContaining({ code: 'PROCESSOR_FAILED' }),
    );
    // A fresh processor resumes from the last good checkpoint.
    const restarted = new StreamProcessor(topology, { state });
    expect(restarted.restore().map((position) => position.lastProcessedOffset)).toEqual([0n]);
  });

  it('checkpoints by itself every N records when asked to', () => {
    const state = memoryState();
    const processor = new StreamProcessor(countingTopology().topology, {
      state,
      checkpointEvery: 2,
    });
    const make = new RecordFactory();
    processor.process(make.record(ORDERS, 1_000, 'a', { amount: 1 }));
    expect(state.load()).toBeUndefined();
    processor.process(make.record(ORDERS, 2_000, 'b', { amount: 1 }));
    processor.process(make.record(ORDERS, 3_000, 'c', { amount: 1 }));
    expect(state.load()?.positions).toEqual({ [`${ORDERS}:0`]: '1' });
  });

  it('collects the latest result per window until drained', () => {
    const processor = new StreamProcessor(countingTopology().topology, { collectChanges: true });
    const make = new RecordFactory();
    processor.process(make.record(ORDERS, 1_000, 'a', { amount: 1 }));
    processor.process(make.record(ORDERS, 2_000, 'b', { amount: 1 }));
    processor.process(make.record(ORDERS, 61_000, 'c', { amount: 1 }));
    expect(processor.drainChanges()).toEqual([
      {
        aggregation: 'per-minute',
        key: 'all',
        window: { start: 0, end: 60_000 },
        value: 2,
        final: false,
      },
      {
        aggregation: 'per-minute',
        key: 'all',
        window: { start: 60_000, end: 120_000 },
        value: 1,
        final: false,
      },
    ]);
    expect(processor.drainChanges()).toEqual([]);
  });

  it('says which aggregate holds what cannot be checkpointed', () => {
    const builder = new TopologyBuilder();
    builder
      .stream(ORDERS)
      .groupByKey()
      .aggregate(
        'big',
        () => 0n,
        (total) => total + 1n,
      );
    const processor = new StreamProcessor(builder.build());
    processor.process(new RecordFactory().record(ORDERS, 1, 'k', null));
    expect(() => processor.checkpoint()).toThrow(
      expect.objectContaining({ code: 'STATE_NOT_SERIALIZABLE' }),
    );
  });

  it('answers UNKNOWN_AGGREGATION for a name it does not have', () => {
    const processor = new StreamProcessor(countingTopology().topology);
    expect(() => processor.entries('nope')).toThrow(
      expect.objectContaining({ code: 'UNKNOWN_AGGREGATION' }),
    );
  });
});
