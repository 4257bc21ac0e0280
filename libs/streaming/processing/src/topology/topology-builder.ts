import { ProcessingError } from '../processing-error.ts';
import type { KeyValue, StreamRecord } from '../record.ts';
import { describeWindowSpec, type WindowSpec } from '../windows.ts';
import { keyedAggregateNode, type Aggregator, type Initializer } from './keyed-aggregate.ts';
import { OperatorNode, type StreamNode } from './runtime-context.ts';
import { windowedAggregateNode } from './windowed-aggregate.ts';

/** Reads a record's event time, e.g. from the envelope's `occurredAt`; defaults to the Kafka timestamp. */
export type TimestampExtractor<V> = (record: StreamRecord<V>) => number;

export interface StreamOptions<V> {
  readonly timestamp?: TimestampExtractor<V>;
  /**
   * The topic's partition count, when known. Windows then stay open until every partition has been
   * seen, which keeps results identical even when one partition's first record arrives late in a run.
   */
  readonly partitions?: number;
}

export interface TableOptions<V, S = V> {
  /** Names the table's store (and its entry in snapshots). */
  readonly name: string;
  readonly timestamp?: TimestampExtractor<V>;
  /**
   * How far back (event time) to keep older values, so that a stream record joins with the value that was
   * current at ITS time. 0 (the default) keeps only the latest value per key.
   */
  readonly historyMs?: number;
  /**
   * What the table keeps of each record's value (default: all of it); joins and `tableValue` see only
   * this. A table with history holds a version per record for `historyMs`, and every checkpoint carries
   * them all: keeping only what its readers need (and no record id or trace) keeps both small, and
   * versions that keep the same value collapse into one. `name` goes into the topology's description,
   * so a checkpoint written under another selection is not resumed as if it were this one.
   */
  readonly keep?: { readonly name: string; readonly select: (value: V) => S };
}

export interface WindowOptions {
  /** How long after a window's end records for it are still accepted (event time). Default 0. */
  readonly grace?: number;
}

/** Names an aggregation; the type parameter is the aggregate's type, for typed reads from the processor. */
export interface AggregationHandle<A> {
  readonly name: string;
  readonly windowed: boolean;
  /** Type information only; never set. */
  readonly valueType?: A;
}

export interface StreamSource {
  readonly topic: string;
  readonly root: StreamNode;
  readonly timestamp: TimestampExtractor<unknown> | undefined;
  readonly partitions: number | undefined;
}

export interface TableSource {
  readonly topic: string;
  readonly name: string;
  readonly historyMs: number;
  readonly timestamp: TimestampExtractor<unknown> | undefined;
  /** What the table keeps of a (non-null) record value; undefined keeps it whole. */
  readonly select: ((value: unknown) => unknown) | undefined;
}

export interface StoreDescription {
  readonly name: string;
  readonly kind: 'aggregate' | 'windowed-aggregate' | 'table';
  /** Everything about the store that changes what its contents mean. */
  readonly signature: string;
}

/** A finished, immutable description of the processing; run it with a `StreamProcessor`. */
export class Topology {
  readonly streams: ReadonlyMap<string, StreamSource>;
  readonly tables: ReadonlyMap<string, TableSource>;
  readonly stores: readonly StoreDescription[];

  constructor(
    streams: ReadonlyMap<string, StreamSource>,
    tables: ReadonlyMap<string, TableSource>,
    stores: readonly StoreDescription[],
  ) {
    this.streams = streams;
    this.tables = tables;
    this.stores = stores;
  }

  /**
   * A stable text naming every store and its configuration. A checkpoint taken under another description
   * cannot be resumed: its contents mean something else (another window size, another grace...).
   * Changes inside the user's functions are invisible here; after changing one, replay from scratch.
   */
  describe(): string {
    return this.stores
      .map((store) => store.signature)
      .sort()
      .join('\n');
  }
}

export class TopologyBuilder {
  readonly #streams = new Map<string, StreamSource>();
  readonly #tables = new Map<string, TableSource>();
  readonly #stores: StoreDescription[] = [];

  /** Records of `topic` flow through the operations chained on the returned stream. */
  stream<V>(topic: string, options: StreamOptions<V> = {}): KStream<V> {
    this.#claimTopic(topic);
    if (
      options.partitions !== undefined &&
      !(Number.isSafeInteger(options.partitions) && options.partitions > 0)
    ) {
      throw new ProcessingError(
        'INVALID_OPTION',
        `partitions must be a positive integer, got ${options.partitions}`,
      );
    }
    const root = new OperatorNode((_context, forward) => forward);
    this.#streams.set(topic, {
      topic,
      root,
      timestamp: options.timestamp as TimestampExtractor<unknown> | undefined,
      partitions: options.partitions,
    });
    return new KStream<V>(this, root, [topic]);
  }

  /**
   * The latest value per key of `topic` (typically compacted: `inventory.stock-level` keyed by sku).
   * A table is a stream of updates read as state: each record replaces its key's value.
   */
  table<V, S = V>(topic: string, options: TableOptions<V, S>): KTable<S> {
    this.#claimTopic(topic);
    const historyMs = options.historyMs ?? 0;
    if (!(Number.isSafeInteger(historyMs) && historyMs >= 0)) {
      throw new ProcessingError(
        'INVALID_OPTION',
        `historyMs must be a whole number >= 0, got ${historyMs}`,
      );
    }
    this.registerStore({
      name: options.name,
      kind: 'table',
      signature:
        `table ${options.name} topic=${topic} history=${historyMs}` +
        (options.keep ? ` keep=${options.keep.name}` : ''),
    });
    this.#tables.set(topic, {
      topic,
      name: options.name,
      historyMs,
      timestamp: options.timestamp as TimestampExtractor<unknown> | undefined,
      select: options.keep?.select as ((value: unknown) => unknown) | undefined,
    });
    return new KTable<S>(options.name, topic);
  }

  build(): Topology {
    return new Topology(new Map(this.#streams), new Map(this.#tables), [...this.#stores]);
  }

  /** @internal stores are named by the user; two with one name would share (and corrupt) state. */
  registerStore(store: StoreDescription): void {
    if (store.name.length === 0)
      throw new ProcessingError('INVALID_OPTION', 'a store name must not be empty');
    if (this.#stores.some((existing) => existing.name === store.name)) {
      throw new ProcessingError(
        'DUPLICATE_NAME',
        `a store named "${store.name}" already exists in this topology`,
      );
    }
    this.#stores.push(store);
  }

  #claimTopic(topic: string): void {
    if (this.#streams.has(topic) || this.#tables.has(topic)) {
      // One source per topic keeps input positions unambiguous; branch the returned stream instead.
      throw new ProcessingError(
        'DUPLICATE_TOPIC',
        `topic "${topic}" is already a source of this topology; chain several operations on the same stream instead`,
      );
    }
  }
}

/** A table handle, to join streams with and to read from the processor. */
export class KTable<V> {
  readonly name: string;
  readonly topic: string;
  /** Type information only; never set. */
  readonly valueType?: V;

  constructor(name: string, topic: string) {
    this.name = name;
    this.topic = topic;
  }
}

export interface JoinOptions<V> {
  /** The table key to look up; defaults to the stream record's key. */
  readonly key?: (record: StreamRecord<V>) => string | null;
}

/** A stream of records: stateless operations return new streams; chaining twice on one stream branches. */
export class KStream<V> {
  readonly #builder: TopologyBuilder;
  readonly #node: StreamNode;
  readonly #sourceTopics: readonly string[];

  constructor(builder: TopologyBuilder, node: StreamNode, sourceTopics: readonly string[]) {
    this.#builder = builder;
    this.#node = node;
    this.#sourceTopics = sourceTopics;
  }

  /** Replaces key and value; event time and input position stay those of the source record. */
  map<V2>(fn: (record: StreamRecord<V>) => KeyValue<V2>): KStream<V2> {
    return this.#then<V2>((forward) => (record) => {
      const { key, value } = fn(record as StreamRecord<V>);
      forward({ ...record, key, value });
    });
  }

  mapValues<V2>(fn: (value: V, record: StreamRecord<V>) => V2): KStream<V2> {
    return this.#then<V2>((forward) => (record) => {
      forward({ ...record, value: fn(record.value as V, record as StreamRecord<V>) });
    });
  }

  selectKey(fn: (record: StreamRecord<V>) => string | null): KStream<V> {
    return this.#then<V>((forward) => (record) => {
      forward({ ...record, key: fn(record as StreamRecord<V>) });
    });
  }

  filter(predicate: (value: V, record: StreamRecord<V>) => boolean): KStream<V> {
    return this.#then<V>((forward) => (record) => {
      if (predicate(record.value as V, record as StreamRecord<V>)) forward(record);
    });
  }

  /** Zero or more records per record, e.g. one per order line. */
  flatMap<V2>(fn: (record: StreamRecord<V>) => Iterable<KeyValue<V2>>): KStream<V2> {
    return this.#then<V2>((forward) => (record) => {
      for (const { key, value } of fn(record as StreamRecord<V>))
        forward({ ...record, key, value });
    });
  }

  /** A terminal operation: hands each record to the caller (e.g. to publish or to alert). */
  forEach(fn: (record: StreamRecord<V>) => void): void {
    this.#then<never>(() => (record) => fn(record as StreamRecord<V>));
  }

  /**
   * Stream-table join: each stream record looks up the table's value for its key as of the record's
   * event time, and continues only when there is one (inner join).
   */
  join<T, V2>(
    table: KTable<T>,
    joiner: (value: V, tableValue: T, record: StreamRecord<V>) => V2,
    options: JoinOptions<V> = {},
  ): KStream<V2> {
    return this.#lookup(table, options, (forward, record, tableValue) => {
      if (tableValue !== undefined) {
        forward({ ...record, value: joiner(record.value, tableValue as T, record) });
      }
    });
  }

  /** Like `join`, but a record without a table value continues with `undefined` for it. */
  leftJoin<T, V2>(
    table: KTable<T>,
    joiner: (value: V, tableValue: T | undefined, record: StreamRecord<V>) => V2,
    options: JoinOptions<V> = {},
  ): KStream<V2> {
    return this.#lookup(table, options, (forward, record, tableValue) => {
      forward({ ...record, value: joiner(record.value, tableValue as T | undefined, record) });
    });
  }

  /** Groups by a new key (records whose key function returns null are dropped), for aggregation. */
  groupBy(keyFn: (record: StreamRecord<V>) => string | null): GroupedStream<V> {
    const rekeyed = this.selectKey(keyFn);
    return new GroupedStream<V>(this.#builder, rekeyed.#node, this.#sourceTopics);
  }

  /** Groups by the record key as it is (records with a null key are dropped). */
  groupByKey(): GroupedStream<V> {
    return new GroupedStream<V>(this.#builder, this.#node, this.#sourceTopics);
  }

  #lookup<T, V2>(
    table: KTable<T>,
    options: JoinOptions<V>,
    emit: (
      forward: (record: StreamRecord) => void,
      record: StreamRecord<V>,
      tableValue: unknown,
    ) => void,
  ): KStream<V2> {
    const keyOf = options.key ?? ((record: StreamRecord<V>) => record.key);
    const node = new OperatorNode((context, forward) => (record) => {
      const typed = record as StreamRecord<V>;
      const key = keyOf(typed);
      emit(
        forward,
        typed,
        key === null ? undefined : context.lookup(table.name, key, record.timestamp),
      );
    });
    this.#node.children.push(node);
    return new KStream<V2>(this.#builder, node, this.#sourceTopics);
  }

  #then<V2>(
    step: (forward: (record: StreamRecord) => void) => (record: StreamRecord) => void,
  ): KStream<V2> {
    const node = new OperatorNode((_context, forward) => step(forward));
    this.#node.children.push(node);
    return new KStream<V2>(this.#builder, node, this.#sourceTopics);
  }
}

export class GroupedStream<V> {
  readonly #builder: TopologyBuilder;
  readonly #node: StreamNode;
  readonly #sourceTopics: readonly string[];

  constructor(builder: TopologyBuilder, node: StreamNode, sourceTopics: readonly string[]) {
    this.#builder = builder;
    this.#node = node;
    this.#sourceTopics = sourceTopics;
  }

  count(name: string): AggregationHandle<number> {
    return this.aggregate<number>(
      name,
      () => 0,
      (count) => count + 1,
    );
  }

  /** A running aggregate per key over all time. `add` returns the new aggregate; it must be JSON-serialisable. */
  aggregate<A>(name: string, init: Initializer<A>, add: Aggregator<V, A>): AggregationHandle<A> {
    this.#builder.registerStore({ name, kind: 'aggregate', signature: `aggregate ${name}` });
    this.#node.children.push(keyedAggregateNode(name, init, add));
    return { name, windowed: false };
  }

  windowedBy(spec: WindowSpec, options: WindowOptions = {}): WindowedStream<V> {
    const graceMs = options.grace ?? 0;
    if (!(Number.isSafeInteger(graceMs) && graceMs >= 0)) {
      throw new ProcessingError(
        'INVALID_WINDOW',
        `grace must be a whole number of ms >= 0, got ${graceMs}`,
      );
    }
    return new WindowedStream<V>(this.#builder, this.#node, this.#sourceTopics, spec, graceMs);
  }
}

export class WindowedStream<V> {
  readonly #builder: TopologyBuilder;
  readonly #node: StreamNode;
  readonly #sourceTopics: readonly string[];
  readonly #spec: WindowSpec;
  readonly #graceMs: number;

  constructor(
    builder: TopologyBuilder,
    node: StreamNode,
    sourceTopics: readonly string[],
    spec: WindowSpec,
    graceMs: number,
  ) {
    this.#builder = builder;
    this.#node = node;
    this.#sourceTopics = sourceTopics;
    this.#spec = spec;
    this.#graceMs = graceMs;
  }

  count(name: string): AggregationHandle<number> {
    return this.aggregate<number>(
      name,
      () => 0,
      (count) => count + 1,
    );
  }

  /** An aggregate per key and window. `add` returns the new aggregate; it must be JSON-serialisable. */
  aggregate<A>(name: string, init: Initializer<A>, add: Aggregator<V, A>): AggregationHandle<A> {
    this.#builder.registerStore({
      name,
      kind: 'windowed-aggregate',
      signature: `windowed-aggregate ${name} ${describeWindowSpec(this.#spec)} grace=${this.#graceMs}`,
    });
    this.#node.children.push(
      windowedAggregateNode<V, A>({
        name,
        spec: this.#spec,
        graceMs: this.#graceMs,
        sourceTopics: this.#sourceTopics,
        init,
        add,
      }),
    );
    return { name, windowed: true };
  }
}
