import type { StreamRecord } from '../record.ts';
import type { KeyValueStore } from '../state/key-value-store.ts';
import type { Window } from '../windows.ts';

/** Passes a record to the next operation(s). */
export type Forward = (record: StreamRecord) => void;

/** A change to an aggregate, as the processor emits it (the "changes feed"). */
export interface AggregateResult<A = unknown> {
  readonly aggregation: string;
  readonly key: string;
  /** `null` for an aggregation that is not windowed. */
  readonly window: Window | null;
  readonly value: A;
  /**
   * `true` once, when a window closes: this value will never change again and the window leaves the
   * store. Every earlier emission for the window has `final: false`; upserting each one by
   * (aggregation, key, window) keeps a result table current, with the last write being the final one.
   */
  readonly final: boolean;
}

/** A record that arrived after the windows it belongs to had closed, so it was not counted in them. */
export interface LateRecord {
  readonly aggregation: string;
  readonly key: string;
  readonly record: StreamRecord;
  /** The record's windows that were already closed (for hopping windows, possibly only some). */
  readonly windows: readonly Window[];
  /** The stream time of the record's source partition when it arrived. */
  readonly streamTime: number;
}

/** What a running operation may ask of the processor that runs it. */
export interface RuntimeContext {
  store<V>(name: string): KeyValueStore<V>;
  /** Max event time seen so far on the record's source partition (the record itself included). */
  streamTime(record: StreamRecord): number;
  /**
   * The least stream time over every partition of `topics`: no partition can still deliver a record
   * that is on time for a window closing before it. `-Infinity` until every (declared) partition has
   * been seen.
   */
  minStreamTime(topics: readonly string[]): number;
  closedBefore(aggregation: string): number;
  setClosedBefore(aggregation: string, time: number): void;
  emitResult(result: AggregateResult): void;
  reportLate(event: LateRecord): void;
  /** Runs `hook` after each input record has gone through the whole topology. */
  afterEachRecord(hook: () => void): void;
  lookup(table: string, key: string, timestamp: number): unknown;
}

/**
 * One operation in the topology tree. A node becomes a function at run time; its children receive
 * what it forwards. Nodes form a tree (no merge), so each is instantiated exactly once.
 */
export interface StreamNode {
  readonly children: StreamNode[];
  instantiate(context: RuntimeContext): Forward;
}

export class OperatorNode implements StreamNode {
  readonly children: StreamNode[] = [];
  readonly #create: (context: RuntimeContext, forward: Forward) => Forward;

  constructor(create: (context: RuntimeContext, forward: Forward) => Forward) {
    this.#create = create;
  }

  instantiate(context: RuntimeContext): Forward {
    const downstream = this.children.map((child) => child.instantiate(context));
    const forward: Forward =
      downstream.length === 1
        ? downstream[0]!
        : (record) => {
            for (const next of downstream) next(record);
          };
    return this.#create(context, forward);
  }
}
