import { ProcessingError } from '../processing-error.ts';
import { parseTopicPartitionId, type StreamRecord } from '../record.ts';
import { InMemoryKeyValueStore } from '../state/key-value-store.ts';
import { memoryState, type Checkpoint, type StateBackend } from '../state/state-backend.ts';
import type { AggregationHandle, KTable, Topology } from '../topology/topology-builder.ts';
import type {
  AggregateResult,
  Forward,
  LateRecord,
  RuntimeContext,
} from '../topology/runtime-context.ts';
import {
  applyTableRecord,
  latestTableValue,
  lookupTable,
  type TableVersion,
} from '../topology/versioned-table.ts';
import type { WindowEntry } from '../topology/windowed-aggregate.ts';
import type { Window } from '../windows.ts';
import { InputPositions, type ResumePosition } from './input-positions.ts';
import { StreamTimes } from './stream-time.ts';

export interface StreamProcessorOptions {
  /** Where checkpoints go; `memoryState()` unless given (see `fileCheckpointState`). */
  readonly state?: StateBackend;
  /** Every change of an aggregate, and once more (final: true) when a window closes. */
  readonly onResult?: (result: AggregateResult) => void;
  /** Records that arrived too late for (some of) their windows; they are not counted in those. */
  readonly onLate?: (event: LateRecord) => void;
  /** Checkpoint automatically after this many processed records (0 or absent: only on demand). */
  readonly checkpointEvery?: number;
  /** Keep the latest result per (aggregation, key, window) until `drainChanges()`. Default false. */
  readonly collectChanges?: boolean;
}

/** What `process` did with a record. */
export type ProcessOutcome = 'processed' | 'duplicate' | 'unknown-topic';

export interface AggregateEntry<A> {
  readonly key: string;
  readonly window: Window | null;
  readonly value: A;
}

/** Everything the processor holds, in a stable order: equal inputs give deep-equal snapshots. */
export interface ProcessorSnapshot {
  readonly aggregations: Readonly<Record<string, ReadonlyArray<AggregateEntry<unknown>>>>;
  readonly tables: Readonly<
    Record<string, ReadonlyArray<{ readonly key: string; readonly value: unknown }>>
  >;
  readonly lateCounts: Readonly<Record<string, number>>;
  readonly positions: readonly ResumePosition[];
  readonly streamTimes: Readonly<Record<string, number>>;
}

export interface ProcessorMetrics {
  /** Records processed by this instance (not persisted). */
  readonly processed: number;
  /** Records skipped because their offset was already processed (not persisted). */
  readonly duplicates: number;
  /** Late records per aggregation since the state began (persisted with the state). */
  readonly late: Readonly<Record<string, number>>;
}

/**
 * Runs a topology over records fed to it one at a time, synchronously. The processor is a pure
 * function of the input sequence of each partition: no clocks, no timers, so the same input gives the
 * same state and the same results, live or replayed.
 *
 * Life cycle: `restore()` (loads the checkpoint, says where to resume), `process()` each record,
 * `checkpoint()` now and then (and after the last record), then commit consumer offsets if wanted.
 */
export class StreamProcessor {
  readonly #topology: Topology;
  readonly #state: StateBackend;
  readonly #options: StreamProcessorOptions;
  readonly #stores = new Map<string, InMemoryKeyValueStore<unknown>>();
  readonly #afterEachRecord: Array<() => void> = [];
  readonly #streamRoots = new Map<string, Forward>();
  readonly #changes = new Map<string, AggregateResult>();
  #positions = new InputPositions();
  #streamTimes = new StreamTimes();
  #closedBefore = new Map<string, number>();
  #lateCounts = new Map<string, number>();
  #restored = false;
  #failure: unknown = undefined;
  #processed = 0;
  #duplicates = 0;
  #sinceCheckpoint = 0;

  constructor(topology: Topology, options: StreamProcessorOptions = {}) {
    const every = options.checkpointEvery ?? 0;
    if (!(Number.isSafeInteger(every) && every >= 0)) {
      throw new ProcessingError(
        'INVALID_OPTION',
        `checkpointEvery must be a whole number >= 0, got ${every}`,
      );
    }
    this.#topology = topology;
    this.#state = options.state ?? memoryState();
    this.#options = options;
  }

  /**
   * Loads the latest checkpoint (if any) and returns the positions to resume from: seek each listed
   * partition to `nextOffset`, start unlisted ones from the beginning. Idempotent.
   */
  restore(): ResumePosition[] {
    this.#ensureRestored();
    return this.#positions.list();
  }

  #ensureRestored(): void {
    if (!this.#restored) {
      const checkpoint = this.#state.load();
      if (checkpoint !== undefined && checkpoint.topology !== this.#topology.describe()) {
        throw new ProcessingError(
          'STATE_TOPOLOGY_MISMATCH',
          'the checkpoint was written by a different topology (stores or their windows changed); ' +
            'clear the state (StateBackend.clear) and replay the topics from the beginning',
        );
      }
      this.#load(checkpoint);
      this.#instantiate();
      this.#restored = true;
    }
  }

  process(record: StreamRecord): ProcessOutcome {
    this.#checkUsable();
    this.#ensureRestored();
    checkRecord(record);
    const stream = this.#topology.streams.get(record.topic);
    const table = this.#topology.tables.get(record.topic);
    if (stream === undefined && table === undefined) return 'unknown-topic';
    if (this.#positions.alreadyProcessed(record.topic, record.partition, record.offset)) {
      this.#duplicates++;
      return 'duplicate';
    }
    const extract = stream?.timestamp ?? table?.timestamp;
    const timestamp = extract === undefined ? record.timestamp : extract(record);
    if (!(Number.isFinite(timestamp) && timestamp >= 0)) {
      throw new ProcessingError(
        'INVALID_TIMESTAMP',
        `record ${record.topic}/${record.partition}@${record.offset} has no usable event time (${timestamp})`,
      );
    }
    const timed: StreamRecord = timestamp === record.timestamp ? record : { ...record, timestamp };
    try {
      if (stream !== undefined) {
        this.#streamTimes.observe(record.topic, record.partition, timestamp);
        this.#streamRoots.get(record.topic)!(timed);
      } else {
        applyTableRecord(
          this.#tableStore(table!.name),
          kept(timed, table!.select),
          table!.historyMs,
        );
      }
      this.#positions.advance(record.topic, record.partition, record.offset);
      for (const hook of this.#afterEachRecord) hook();
    } catch (error) {
      // The record may have changed part of the state (one of its windows, not the next): this instance
      // no longer matches any input position. Refuse further work so it can never be checkpointed.
      this.#failure = error;
      throw error;
    }
    this.#processed++;
    this.#sinceCheckpoint++;
    const every = this.#options.checkpointEvery ?? 0;
    if (every > 0 && this.#sinceCheckpoint >= every) this.checkpoint();
    return 'processed';
  }

  /** Writes the state with the input positions it reflects, in one atomic step. */
  checkpoint(): void {
    this.#checkUsable();
    this.#ensureRestored();
    const stores: Record<string, Array<readonly [string, unknown]>> = {};
    for (const [name, store] of this.#stores) stores[name] = store.all();
    const checkpoint: Checkpoint = {
      format: 1,
      topology: this.#topology.describe(),
      positions: this.#positions.toJSON(),
      streamTimes: this.#streamTimes.toJSON(),
      closedBefore: Object.fromEntries(this.#closedBefore),
      lateCounts: Object.fromEntries(this.#lateCounts),
      stores,
    };
    try {
      this.#state.save(checkpoint);
    } catch (error) {
      if (error instanceof TypeError && /BigInt/i.test(error.message)) {
        throw new ProcessingError(
          'STATE_NOT_SERIALIZABLE',
          'an aggregate holds a bigint; aggregates must be JSON values (use numbers or strings)',
          { cause: error },
        );
      }
      throw error;
    }
    this.#sinceCheckpoint = 0;
  }

  /** The positions processed so far (what `restore()` would return after a checkpoint now). */
  positions(): ResumePosition[] {
    return this.#positions.list();
  }

  /** The current entries of one aggregation, ordered by window start, then key. */
  entries<A>(aggregation: AggregationHandle<A> | string): Array<AggregateEntry<A>> {
    this.#ensureRestored();
    const name = typeof aggregation === 'string' ? aggregation : aggregation.name;
    const description = this.#topology.stores.find((store) => store.name === name);
    if (description === undefined || description.kind === 'table') {
      throw new ProcessingError(
        'UNKNOWN_AGGREGATION',
        `this topology has no aggregation named "${name}"`,
      );
    }
    const store = this.#stores.get(name)!;
    if (description.kind === 'aggregate') {
      return store.all().map(([key, value]) => ({ key, window: null, value: value as A }));
    }
    return store.all().map(([, entry]) => {
      const { key, start, end, value } = entry as WindowEntry<A>;
      return { key, window: { start, end }, value };
    });
  }

  /** The latest value of a table key (what a join would see for a record newer than every update). */
  tableValue<V>(table: KTable<V>, key: string): V | undefined {
    this.#ensureRestored();
    return latestTableValue(this.#tableStore(table.name), key) as V | undefined;
  }

  snapshot(): ProcessorSnapshot {
    this.#ensureRestored();
    const aggregations: Record<string, Array<AggregateEntry<unknown>>> = {};
    const tables: Record<string, Array<{ key: string; value: unknown }>> = {};
    for (const store of this.#topology.stores) {
      if (store.kind === 'table') {
        const contents = this.#tableStore(store.name);
        tables[store.name] = contents
          .all()
          .map(([key]) => ({ key, value: latestTableValue(contents, key) }))
          .filter((row) => row.value !== undefined);
      } else {
        aggregations[store.name] = this.entries(store.name);
      }
    }
    return {
      aggregations,
      tables,
      lateCounts: Object.fromEntries(this.#lateCounts),
      positions: this.#positions.list(),
      streamTimes: this.#streamTimes.toJSON(),
    };
  }

  /** The latest result per (aggregation, key, window) since the last drain; needs `collectChanges`. */
  drainChanges(): AggregateResult[] {
    const changes = [...this.#changes.values()];
    this.#changes.clear();
    return changes;
  }

  get metrics(): ProcessorMetrics {
    return {
      processed: this.#processed,
      duplicates: this.#duplicates,
      late: Object.fromEntries(this.#lateCounts),
    };
  }

  #checkUsable(): void {
    if (this.#failure !== undefined) {
      throw new ProcessingError(
        'PROCESSOR_FAILED',
        'an earlier record failed part-way; create a new processor to resume from the last checkpoint',
        { cause: this.#failure },
      );
    }
  }

  #load(checkpoint: Checkpoint | undefined): void {
    for (const store of this.#topology.stores) {
      this.#stores.set(store.name, new InMemoryKeyValueStore(checkpoint?.stores[store.name] ?? []));
    }
    if (checkpoint === undefined) return;
    this.#positions = new InputPositions(checkpoint.positions);
    this.#streamTimes = new StreamTimes(
      Object.entries(checkpoint.streamTimes).map(([id, time]) => {
        const { topic, partition } = parseTopicPartitionId(id);
        return [topic, partition, time] as [string, number, number];
      }),
    );
    this.#closedBefore = new Map(Object.entries(checkpoint.closedBefore));
    this.#lateCounts = new Map(Object.entries(checkpoint.lateCounts));
  }

  #instantiate(): void {
    const context: RuntimeContext = {
      store: <V>(name: string) => this.#stores.get(name)! as InMemoryKeyValueStore<V>,
      streamTime: (record) => this.#streamTimes.of(record.topic, record.partition),
      minStreamTime: (topics) =>
        this.#streamTimes.min(topics, (topic) => this.#topology.streams.get(topic)?.partitions),
      closedBefore: (aggregation) => this.#closedBefore.get(aggregation) ?? -Infinity,
      setClosedBefore: (aggregation, time) => this.#closedBefore.set(aggregation, time),
      emitResult: (result) => {
        if (this.#options.collectChanges === true) {
          this.#changes.set(
            `${result.aggregation}\u0000${result.key}\u0000${result.window?.start ?? ''}`,
            result,
          );
        }
        this.#options.onResult?.(result);
      },
      reportLate: (event) => {
        this.#lateCounts.set(event.aggregation, (this.#lateCounts.get(event.aggregation) ?? 0) + 1);
        this.#options.onLate?.(event);
      },
      afterEachRecord: (hook) => this.#afterEachRecord.push(hook),
      lookup: (table, key, timestamp) => lookupTable(this.#tableStore(table), key, timestamp),
    };
    for (const [topic, source] of this.#topology.streams) {
      this.#streamRoots.set(topic, source.root.instantiate(context));
    }
  }

  #tableStore(name: string): InMemoryKeyValueStore<TableVersion[]> {
    return this.#stores.get(name) as InMemoryKeyValueStore<TableVersion[]>;
  }
}

function checkRecord(record: StreamRecord): void {
  if (
    typeof record.topic !== 'string' ||
    !Number.isSafeInteger(record.partition) ||
    record.partition < 0 ||
    typeof record.offset !== 'bigint'
  ) {
    throw new ProcessingError(
      'INVALID_RECORD',
      'a record needs a topic, a partition (integer >= 0) and an offset (bigint: Kafka offsets are int64)',
    );
  }
}

/** The record as its table keeps it: the selected part of its value (a tombstone stays one). */
function kept(
  record: StreamRecord,
  select: ((value: unknown) => unknown) | undefined,
): StreamRecord {
  if (select === undefined || record.value === null || record.value === undefined) return record;
  return { ...record, value: select(record.value) };
}
