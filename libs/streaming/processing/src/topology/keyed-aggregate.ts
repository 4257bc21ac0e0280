import type { StreamRecord } from '../record.ts';
import { OperatorNode } from './runtime-context.ts';

export type Initializer<A> = () => A;
export type Aggregator<V, A> = (aggregate: A, value: V, record: StreamRecord<V>) => A;

/**
 * A running aggregate per key over all time (e.g. orders per outcome). The store maps the group key to
 * the aggregate; every update is emitted, none is ever final.
 */
export function keyedAggregateNode<V, A>(
  name: string,
  init: Initializer<A>,
  add: Aggregator<V, A>,
): OperatorNode {
  return new OperatorNode((context) => {
    const store = context.store<A>(name);
    return (record) => {
      const key = record.key;
      if (key === null) return;
      const previous = store.get(key);
      const value = add(
        previous === undefined ? init() : previous,
        record.value as V,
        record as StreamRecord<V>,
      );
      store.put(key, value);
      context.emitResult({ aggregation: name, key, window: null, value, final: false });
    };
  });
}
