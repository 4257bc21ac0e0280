import { describe, expect, it } from 'vitest';
import { PartitionProducerState, RETAINED_BATCHES } from './partition-producer-state.ts';
import type { ProducerBatch } from './partition-producer-state.ts';
import { ErrorCode as ProducerErrorCode } from '../errors/index.ts';
import { MAX_SEQUENCE, addSequence } from './sequence.ts';

function batch(baseSequence: number, count: number, epoch = 0, producerId = 7): ProducerBatch {
  return { producerId, producerEpoch: epoch, baseSequence, lastOffsetDelta: count - 1 };
}

function codeOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (err) {
    return (err as { code?: number }).code;
  }
  return undefined;
}

describe('PartitionProducerState', () => {
  it('accepts a producer it has never seen at any sequence (its state may have expired)', () => {
    const s = new PartitionProducerState();
    expect(s.check(batch(0, 3)).kind).toBe('append');
    expect(s.check(batch(42, 3)).kind).toBe('append');
  });

  it('recognises a retry of one of the last five batches and returns its original offsets', () => {
    const s = new PartitionProducerState();
    let offset = 100;
    for (let seq = 0; seq < 6 * 10; seq += 10) {
      expect(s.check(batch(seq, 10)).kind).toBe('append');
      s.record(batch(seq, 10), offset, offset + 9, 1);
      offset += 10;
    }
    // Batches 1..5 (seq 10..59) are remembered, batch 0 (seq 0..9) has aged out.
    const verdict = s.check(batch(20, 10));
    expect(verdict).toEqual({
      kind: 'duplicate',
      original: {
        firstSequence: 20,
        lastSequence: 29,
        firstOffset: 120,
        lastOffset: 129,
        timestamp: 1,
      },
    });
    expect(s.entry(7)!.batches).toHaveLength(RETAINED_BATCHES);
    expect(codeOf(() => s.check(batch(0, 10)))).toBe(
      ProducerErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
    );
  });

  it('rejects a sequence gap with OUT_OF_ORDER_SEQUENCE_NUMBER', () => {
    const s = new PartitionProducerState();
    s.record(batch(0, 5), 0, 4, 1);
    expect(codeOf(() => s.check(batch(6, 1)))).toBe(ProducerErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect(s.check(batch(5, 1)).kind).toBe('append');
  });

  it('does not mistake a batch overlapping a previous one (same start, other length) for a duplicate', () => {
    const s = new PartitionProducerState();
    s.record(batch(0, 5), 0, 4, 1);
    expect(codeOf(() => s.check(batch(0, 3)))).toBe(ProducerErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
  });

  it('fences an older epoch with INVALID_PRODUCER_EPOCH', () => {
    const s = new PartitionProducerState();
    s.record(batch(0, 1, 3), 0, 0, 1);
    expect(codeOf(() => s.check(batch(1, 1, 2)))).toBe(ProducerErrorCode.INVALID_PRODUCER_EPOCH);
  });

  it('starts a bumped epoch at sequence 0 and forgets the old epoch batches', () => {
    const s = new PartitionProducerState();
    s.record(batch(0, 4, 0), 0, 3, 1);
    expect(codeOf(() => s.check(batch(4, 1, 1)))).toBe(
      ProducerErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
    );
    expect(s.check(batch(0, 1, 1)).kind).toBe('append');
    s.record(batch(0, 1, 1), 4, 4, 1);
    expect(s.entry(7)).toMatchObject({ epoch: 1, batches: [{ firstSequence: 0, firstOffset: 4 }] });
  });

  it('wraps sequence numbers from int32 max to 0', () => {
    expect(addSequence(MAX_SEQUENCE, 1)).toBe(0);
    expect(addSequence(MAX_SEQUENCE - 1, 3)).toBe(1);
    const s = new PartitionProducerState();
    s.record(batch(MAX_SEQUENCE - 2, 2), 0, 1, 1); // last sequence MAX-1
    const wrapping = batch(MAX_SEQUENCE, 3); // MAX, 0, 1
    expect(s.check(wrapping).kind).toBe('append');
    s.record(wrapping, 2, 4, 1);
    expect(s.entry(7)!.batches.at(-1)).toMatchObject({
      firstSequence: MAX_SEQUENCE,
      lastSequence: 1,
    });
    expect(s.check(batch(MAX_SEQUENCE, 3)).kind).toBe('duplicate');
    expect(s.check(batch(2, 1)).kind).toBe('append');
  });

  it('keeps producers apart', () => {
    const s = new PartitionProducerState();
    s.record(batch(0, 1, 0, 1), 0, 0, 1);
    s.record(batch(0, 1, 0, 2), 1, 1, 1);
    expect(s.check(batch(0, 1, 0, 2))).toMatchObject({ original: { firstOffset: 1 } });
    expect(s.check(batch(1, 1, 0, 1)).kind).toBe('append');
  });

  it('expires producers idle past the cutoff', () => {
    const s = new PartitionProducerState();
    s.record(batch(0, 1, 0, 1), 0, 0, 1_000);
    s.record(batch(0, 1, 0, 2), 1, 1, 5_000);
    expect(s.expireBefore(2_000)).toBe(1);
    expect(s.entry(1)).toBeUndefined();
    expect(s.entry(2)).toBeDefined();
  });
});
