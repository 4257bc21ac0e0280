import { decodeEvent, topics } from '@retail-streams/contracts';
import type { StageOutput } from '@retail-streams/streaming-client';
import { describe, expect, it } from 'vitest';
import { SalesWindowState } from './sales-window-state.ts';
import { minuteStart, rejectedAt, reservedAt, second, stageRecord } from './sales-test-events.ts';

const settings = { windowMs: 60_000, graceMs: 10_000 };

const counted = (outputs: StageOutput[]) =>
  outputs.map((output) => {
    const event = decodeEvent(topics.salesPerMinute, output.value);
    if (event.type !== 'SalesPerMinuteCounted') throw new Error(event.type);
    const { sku, windowStart, quantity, orders } = event.data;
    return { key: output.key, sku, windowStart, quantity, orders };
  });

describe('sales per minute: tumbling windows of StockReserved event time', () => {
  it('emits a window once stream time passes its end plus the grace, one record per SKU', () => {
    const state = new SalesWindowState(settings, null);
    const a = reservedAt(second(5), [
      { sku: 'SKU-A', quantity: 2 },
      { sku: 'SKU-B', quantity: 1 },
      { sku: 'SKU-A', quantity: 1 },
    ]);
    expect(state.apply(stageRecord(a, 0, 0))).toEqual([]);
    expect(
      state.apply(stageRecord(reservedAt(second(50), [{ sku: 'SKU-A', quantity: 4 }]), 1, 0)),
    ).toEqual([]);
    // A rejection sold nothing.
    expect(
      state.apply(stageRecord(rejectedAt(second(51), [{ sku: 'SKU-A', quantity: 9 }]), 1, 1)),
    ).toEqual([]);
    // 10:01:05 is inside the grace of the first minute: nothing closes yet.
    expect(
      state.apply(stageRecord(reservedAt(second(65), [{ sku: 'SKU-C', quantity: 1 }]), 2, 0)),
    ).toEqual([]);
    const closing = state.apply(
      stageRecord(reservedAt(second(70), [{ sku: 'SKU-C', quantity: 1 }]), 2, 1),
    );
    expect(counted(closing)).toEqual([
      { key: 'SKU-A', sku: 'SKU-A', windowStart: minuteStart(0), quantity: 7, orders: 2 },
      { key: 'SKU-B', sku: 'SKU-B', windowStart: minuteStart(0), quantity: 1, orders: 1 },
    ]);
    expect(state.openWindows).toBe(1);
  });

  it('drops a reservation whose window has closed, and counts one still in its grace', () => {
    const state = new SalesWindowState(settings, null);
    state.apply(stageRecord(reservedAt(second(5), [{ sku: 'SKU-A', quantity: 1 }]), 0, 0));
    state.apply(stageRecord(reservedAt(second(69), [{ sku: 'SKU-B', quantity: 1 }]), 0, 1));
    // In the grace (stream time 10:01:09 < 10:01:10): counted into the first minute.
    state.apply(stageRecord(reservedAt(second(30), [{ sku: 'SKU-A', quantity: 2 }]), 1, 0));
    const closing = state.apply(
      stageRecord(reservedAt(second(80), [{ sku: 'SKU-B', quantity: 1 }]), 0, 2),
    );
    expect(counted(closing)).toEqual([
      { key: 'SKU-A', sku: 'SKU-A', windowStart: minuteStart(0), quantity: 3, orders: 2 },
    ]);
    // Late: its minute was published; it is dropped and changes nothing open.
    expect(
      state.apply(stageRecord(reservedAt(second(40), [{ sku: 'SKU-A', quantity: 5 }]), 1, 1)),
    ).toEqual([]);
    const next = state.apply(
      stageRecord(reservedAt(second(131), [{ sku: 'SKU-C', quantity: 1 }]), 0, 3),
    );
    expect(counted(next)).toEqual([
      { key: 'SKU-B', sku: 'SKU-B', windowStart: minuteStart(1), quantity: 2, orders: 2 },
    ]);
  });

  it('commits, per partition, the first offset still counted in an open window', () => {
    const state = new SalesWindowState(settings, null);
    state.apply(stageRecord(reservedAt(second(5), [{ sku: 'SKU-A', quantity: 1 }]), 0, 10));
    state.apply(stageRecord(reservedAt(second(62), [{ sku: 'SKU-A', quantity: 1 }]), 0, 11));
    state.apply(stageRecord(reservedAt(second(63), [{ sku: 'SKU-A', quantity: 1 }]), 1, 7));
    expect(state.resumeOffset(0, '12')).toBe('10');
    expect(state.resumeOffset(1, '8')).toBe('7');
    expect(state.resumeOffset(2, '4')).toBe('4');
    // The first minute closes: partition 0 now needs only offset 11 on.
    state.apply(stageRecord(reservedAt(second(75), [{ sku: 'SKU-A', quantity: 1 }]), 2, 4));
    expect(state.resumeOffset(0, '12')).toBe('11');
  });

  it('rebuilt from a checkpoint and the committed offsets, emits what the first run would have', () => {
    const records = [
      stageRecord(reservedAt(second(5), [{ sku: 'SKU-A', quantity: 1 }]), 0, 0),
      stageRecord(reservedAt(second(62), [{ sku: 'SKU-A', quantity: 2 }]), 0, 1),
      stageRecord(reservedAt(second(71), [{ sku: 'SKU-B', quantity: 1 }]), 0, 2),
      stageRecord(reservedAt(second(90), [{ sku: 'SKU-A', quantity: 3 }]), 0, 3),
      stageRecord(reservedAt(second(135), [{ sku: 'SKU-C', quantity: 1 }]), 0, 4),
    ];
    const whole = new SalesWindowState(settings, null);
    const expected = counted(records.flatMap((record) => whole.apply(record)));

    // A run that committed after the third record, then died.
    const first = new SalesWindowState(settings, null);
    const before = counted(records.slice(0, 3).flatMap((record) => first.apply(record)));
    const resume = Number(first.resumeOffset(0, '3'));
    const rebuilt = new SalesWindowState(settings, first.checkpoint());
    const after = counted(records.slice(resume).flatMap((record) => rebuilt.apply(record)));
    expect(resume).toBe(1);
    expect([...before, ...after]).toEqual(expected);
    expect(expected.map((e) => `${e.windowStart} ${e.sku} ${e.quantity}`)).toEqual([
      `${minuteStart(0)} SKU-A 1`,
      `${minuteStart(1)} SKU-A 5`,
      `${minuteStart(1)} SKU-B 1`,
    ]);
  });

  it('publishes nothing while rebuilding, so newer records elsewhere cannot close a window early', () => {
    const first = new SalesWindowState(settings, null);
    first.apply(stageRecord(reservedAt(second(5), [{ sku: 'SKU-A', quantity: 2 }]), 0, 0));
    first.apply(stageRecord(reservedAt(second(20), [{ sku: 'SKU-A', quantity: 3 }]), 1, 0));
    const resume = [first.resumeOffset(0, '1'), first.resumeOffset(1, '1')];
    expect(resume).toEqual(['0', '0']);

    const rebuilt = new SalesWindowState(settings, first.checkpoint());
    // Partition 1 is read first, past the end of minute 0 plus grace: minute 0 waits for partition 0.
    rebuilt.apply(stageRecord(reservedAt(second(20), [{ sku: 'SKU-A', quantity: 3 }]), 1, 0));
    expect(
      rebuilt.apply(stageRecord(reservedAt(second(75), [{ sku: 'SKU-C', quantity: 1 }]), 1, 1)),
    ).toEqual([]);
    expect(rebuilt.rebuilding).toBe(true);
    const closing = rebuilt.apply(
      stageRecord(reservedAt(second(5), [{ sku: 'SKU-A', quantity: 2 }]), 0, 0),
    );
    expect(rebuilt.rebuilding).toBe(false);
    expect(counted(closing)).toEqual([
      { key: 'SKU-A', sku: 'SKU-A', windowStart: minuteStart(0), quantity: 5, orders: 2 },
    ]);
  });

  it('keeps an unfinished rebuild in the next checkpoint, so a second crash rebuilds it too', () => {
    const first = new SalesWindowState(settings, null);
    first.apply(stageRecord(reservedAt(second(5), [{ sku: 'SKU-A', quantity: 2 }]), 0, 0));
    first.apply(stageRecord(reservedAt(second(6), [{ sku: 'SKU-A', quantity: 1 }]), 1, 0));
    const second_ = new SalesWindowState(settings, first.checkpoint());
    second_.apply(stageRecord(reservedAt(second(6), [{ sku: 'SKU-A', quantity: 1 }]), 1, 0));
    second_.apply(stageRecord(reservedAt(second(90), [{ sku: 'SKU-B', quantity: 1 }]), 1, 1));
    // Dies again before partition 0 was read again: its offsets did not move (nothing was published).
    expect(second_.resumeOffset(0, '0')).toBe('0');
    const third = new SalesWindowState(settings, second_.checkpoint());
    third.apply(stageRecord(reservedAt(second(6), [{ sku: 'SKU-A', quantity: 1 }]), 1, 0));
    third.apply(stageRecord(reservedAt(second(90), [{ sku: 'SKU-B', quantity: 1 }]), 1, 1));
    const closing = third.apply(
      stageRecord(reservedAt(second(5), [{ sku: 'SKU-A', quantity: 2 }]), 0, 0),
    );
    expect(counted(closing)).toEqual([
      { key: 'SKU-A', sku: 'SKU-A', windowStart: minuteStart(0), quantity: 3, orders: 2 },
    ]);
  });

  it('refuses a checkpoint of other windows, with a code', () => {
    const other = new SalesWindowState({ windowMs: 30_000, graceMs: 0 }, null).checkpoint();
    expect(() => new SalesWindowState(settings, other)).toThrow(
      expect.objectContaining({ code: 'SALES_CHECKPOINT_INVALID' }),
    );
    expect(() => new SalesWindowState(settings, 'nope')).toThrow(
      expect.objectContaining({ code: 'SALES_CHECKPOINT_INVALID' }),
    );
  });
});
