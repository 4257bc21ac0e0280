import type { StreamRecord } from '../record.ts';
import { windowsFor, type Window, type WindowSpec } from '../windows.ts';
import type { Aggregator, Initializer } from './keyed-aggregate.ts';
import { OperatorNode } from './runtime-context.ts';

/** What a windowed store holds per (window, key). */
export interface WindowEntry<A> {
  readonly key: string;
  readonly start: number;
  readonly end: number;
  readonly value: A;
}

/**
 * Store keys sort by window start first, so "every window that starts before T" is one range scan.
 * Starts are zero-padded to a fixed width to make string order match numeric order.
 */
export function windowStoreKey(start: number, key: string): string {
  return `${String(start).padStart(16, '0')}|${key}`;
}

export interface WindowedAggregateConfig<V, A> {
  readonly name: string;
  readonly spec: WindowSpec;
  readonly graceMs: number;
  /** The source topics feeding this aggregation: their stream times decide when windows close. */
  readonly sourceTopics: readonly string[];
  readonly init: Initializer<A>;
  readonly add: Aggregator<V, A>;
}

/**
 * An aggregate per (key, window), driven by event time.
 *
 * A record is LATE for one of its windows when the window's end plus the grace period is at or before
 * the stream time of the record's own source partition. Stream time is kept per partition, not per
 * processor, because Kafka orders records only within a partition: a replay that reads partition 1 long
 * before partition 0 must find exactly the same records late as the live run did, and per-partition
 * stream time depends only on each partition's own order.
 *
 * A window is CLOSED for good (final result emitted, entry removed from the store) once the least
 * stream time over all the source partitions has passed its end plus grace: from then on no partition
 * can deliver a record that is on time for it.
 */
export function windowedAggregateNode<V, A>(config: WindowedAggregateConfig<V, A>): OperatorNode {
  const { name, spec, graceMs, sourceTopics, init, add } = config;
  return new OperatorNode((context) => {
    const store = context.store<WindowEntry<A>>(name);

    context.afterEachRecord(() => {
      const watermark = context.minStreamTime(sourceTopics);
      if (watermark <= context.closedBefore(name)) return;
      // end + grace <= watermark  <=>  start <= watermark - grace - size
      const lastClosedStart = watermark - graceMs - spec.sizeMs;
      if (lastClosedStart >= 0) {
        for (const [storeKey, entry] of store.range('', windowStoreKey(lastClosedStart + 1, ''))) {
          store.delete(storeKey);
          context.emitResult({
            aggregation: name,
            key: entry.key,
            window: { start: entry.start, end: entry.end },
            value: entry.value,
            final: true,
          });
        }
      }
      context.setClosedBefore(name, watermark);
    });

    return (record) => {
      const key = record.key;
      if (key === null) return;
      const streamTime = context.streamTime(record);
      const closedBefore = context.closedBefore(name);
      const late: Window[] = [];
      for (const window of windowsFor(spec, record.timestamp)) {
        const closesAt = window.end + graceMs;
        // The second test only matters for a partition first seen after the window closed for good.
        if (closesAt <= streamTime || closesAt <= closedBefore) {
          late.push(window);
          continue;
        }
        const storeKey = windowStoreKey(window.start, key);
        const previous = store.get(storeKey);
        const value = add(
          previous === undefined ? init() : previous.value,
          record.value as V,
          record as StreamRecord<V>,
        );
        store.put(storeKey, { key, start: window.start, end: window.end, value });
        context.emitResult({ aggregation: name, key, window, value, final: false });
      }
      if (late.length > 0)
        context.reportLate({ aggregation: name, key, record, windows: late, streamTime });
    };
  });
}
