import { withBatchSpan, type activeSpanContext } from '@retail-streams/service-kit';
import { NonRetriableError, type Logger } from '@retail-streams/streaming-client';
import {
  ProcessingError,
  StreamProcessor,
  type LateRecord,
  type ResumePosition,
  type StreamRecord,
} from '@retail-streams/streaming-processing';
import { AnalyticsError } from '../analytics-error.ts';
import type { AnalyticsTopology } from './analytics-topology.ts';
import { writeBatch, type Batch } from './batch-writer.ts';
import { effectsOf, type EffectInput, type RecordEffect } from './record-effects.ts';
import { CapturedState, readProcessingState } from './state-rows.ts';
import type { SqlExecutor, TransactionalClient } from '@retail-streams/streaming-client';

export type AnalyticsDatabase = TransactionalClient<SqlExecutor>;

/** A record as the consumer hands it over: its position and its decoded value. */
export interface IncomingRecord {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: unknown;
  /** The record's process span, which the commit storing its effects links to (see #flushLoop). */
  trace?: ReturnType<typeof activeSpanContext>;
}

export interface AnalyticsPipelineOptions {
  db: AnalyticsDatabase;
  /** The consumer group feeding this pipeline; the checkpoint is written only while it is current. */
  groupId: string;
  topology: AnalyticsTopology;
  logger: Logger;
  /** Called after each batch commits (the SSE stream's "something changed"). */
  onCommit?: () => void;
  /**
   * The least time between the starts of two commits (default 100 ms). Each commit rewrites the
   * whole checkpoint, so under load it pays to let records gather: a few commits a second carry
   * thousands of records. A record waits at most this long (plus the commit) for its offset to be
   * committed; under light load, when the last commit is older than this, a commit starts at once.
   */
  minCommitIntervalMs?: number;
}

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
}

interface PendingBatch {
  waiters: Waiter[];
  effects: RecordEffect[];
  lates: LateRecord[];
  /** The process spans of the records this commit carries: its span links to each. */
  traces: ReturnType<typeof activeSpanContext>[];
}

const emptyBatch = (): PendingBatch => ({ waiters: [], effects: [], lates: [], traces: [] });

/**
 * Runs the analytics topology over consumed records and keeps its results in Postgres, exactly once
 * per input position.
 *
 * Why this design: the consumer runner commits a batch's offsets as soon as its handler returns, so a
 * handler may return only once the batch's effects are durable. Each record is processed in memory
 * (synchronously), then the handler waits for a GROUP COMMIT: one atomic write holding the processor's
 * checkpoint (state + the input positions it reflects) and every result row that changed since the
 * previous commit, as one SQL statement (see writeBatch). Batches of other partitions that arrive
 * meanwhile join the next commit, and commits start at most every `minCommitIntervalMs`, so the cost
 * per record falls as load rises. After a crash the checkpoint says which offsets are already
 * counted; a redelivered record is recognised by the processor and changes nothing.
 *
 * If a commit fails, every record processed since the last good commit is failed back to the runner
 * (which retries it) and the processor is rebuilt from the last good checkpoint.
 */
export class AnalyticsPipeline {
  readonly groupId: string;
  readonly #options: AnalyticsPipelineOptions;
  #processor!: StreamProcessor;
  #state!: CapturedState;
  /** The positions of the last checkpoint in the database (see committedPositions). */
  #committedPositions: ResumePosition[] = [];
  #batch: PendingBatch = emptyBatch();
  #flushing: Promise<void> | undefined;
  #rebuilding: Promise<void> | undefined;
  #closed = false;
  #processed = 0;
  #commits = 0;
  #lastCommitStart = Number.NEGATIVE_INFINITY;
  readonly #minCommitIntervalMs: number;

  private constructor(options: AnalyticsPipelineOptions) {
    this.#options = options;
    this.#minCommitIntervalMs = options.minCommitIntervalMs ?? 100;
    this.groupId = options.groupId;
  }

  /** Opens the pipeline on the checkpoint stored in the database (none: empty state). */
  static async open(options: AnalyticsPipelineOptions): Promise<AnalyticsPipeline> {
    const pipeline = new AnalyticsPipeline(options);
    await pipeline.#load();
    return pipeline;
  }

  /** A processor on the last committed checkpoint (of this group; another group's is not ours). */
  async #load(): Promise<void> {
    const began = performance.now();
    const row = await readProcessingState(this.#options.db);
    if (row.groupId !== this.groupId) {
      // Starting from empty state here would overwrite the current group's results with partial ones.
      throw new AnalyticsError(
        'STALE_CONSUMER_GROUP',
        `the aggregates belong to consumer group ${row.groupId}, not ${this.groupId}`,
      );
    }
    const state = new CapturedState(row.checkpoint);
    const processor = new StreamProcessor(this.#options.topology.topology, {
      state,
      collectChanges: true,
      onLate: (late) => this.#batch.lates.push(late),
    });
    processor.restore();
    this.#processor = processor;
    this.#state = state;
    this.#committedPositions = processor.positions();
    // One line per start (and per rebuild): the restore grows with the state, bench:start reads it.
    this.#options.logger.info(
      { groupId: this.groupId, ms: Math.round(performance.now() - began) },
      'analytics checkpoint restored',
    );
  }

  get processed(): number {
    return this.#processed;
  }

  get commits(): number {
    return this.#commits;
  }

  /**
   * The processor's positions: last processed offset per topic-partition. A record counts here as
   * soon as it is processed in memory, before its commit: a measure of progress, not of durability.
   */
  positions(): ResumePosition[] {
    return this.#processor.positions();
  }

  /**
   * The positions the checkpoint in the database reflects: every record up to them has its effects
   * committed, so the stored aggregates include it. A commit that fails leaves them as they were.
   */
  committedPositions(): ResumePosition[] {
    return this.#committedPositions;
  }

  /**
   * Processes one record and resolves once its effect is committed ('duplicate': it was already).
   * Rejects with a retriable error when the commit failed, and with a NonRetriableError when the
   * record itself cannot be processed.
   */
  async handle(record: IncomingRecord): Promise<'processed' | 'duplicate'> {
    const [outcome] = await this.handleBatch([record]);
    return outcome ?? 'duplicate';
  }

  /**
   * Processes records (a fetched batch, in order) and resolves once all their effects are committed,
   * by one group commit. If one of them cannot be processed, none of the batch counts: everything
   * since the last commit is discarded and rebuilt, and the error (a NonRetriableError) says which
   * record it was; the consumer then hands the records over one at a time.
   */
  async handleBatch(records: readonly IncomingRecord[]): Promise<('processed' | 'duplicate')[]> {
    while (this.#rebuilding !== undefined) await this.#rebuilding;
    if (this.#closed) throw new AnalyticsError('PIPELINE_CLOSED', 'the pipeline is closed');
    const batch = this.#batch;
    const outcomes = records.map((record) => this.#process(record, batch));
    if (!outcomes.includes('processed')) return outcomes;
    const committed = new Promise<void>((resolve, reject) =>
      batch.waiters.push({ resolve, reject }),
    );
    for (const record of records) batch.traces.push(record.trace);
    this.#flushing ??= this.#flushLoop();
    await committed;
    return outcomes;
  }

  /** Runs one record through the processor (in memory) and collects its effects for the next commit. */
  #process(record: IncomingRecord, batch: PendingBatch): 'processed' | 'duplicate' {
    const streamRecord: StreamRecord = {
      topic: record.topic,
      partition: record.partition,
      offset: BigInt(record.offset),
      timestamp: Number.NaN, // every source has a timestamp extractor (occurredAt / time)
      key: record.key,
      value: record.value,
    };
    try {
      const previouslyOut = this.#previouslyOut(record);
      const outcome = this.#processor.process(streamRecord);
      if (outcome !== 'processed') return 'duplicate';
      if (record.topic !== 'logs.access') {
        batch.effects.push(
          ...effectsOf({ ...record, event: record.value, previouslyOut } as EffectInput),
        );
      }
    } catch (error) {
      if (error instanceof ProcessingError && error.code === 'PROCESSOR_FAILED') throw error;
      // The record broke the processor part-way: nothing since the last commit can be trusted.
      this.#discard(error, this.#flushing);
      throw new NonRetriableError(
        error instanceof ProcessingError ? error.code : 'PROCESSING_FAILED',
        `analytics could not process ${record.topic}/${record.partition}@${record.offset}: ${
          (error as Error).message
        }`,
        { cause: error },
      );
    }
    this.#processed++;
    return 'processed';
  }

  #previouslyOut(record: IncomingRecord): boolean | undefined {
    if (record.topic !== this.#options.topology.stockTable.topic || record.key === null)
      return undefined;
    return this.#processor.tableValue(this.#options.topology.stockTable, record.key)?.out;
  }

  /** Resolves once everything processed so far is committed (or failed). */
  async idle(): Promise<void> {
    while (this.#flushing !== undefined || this.#rebuilding !== undefined) {
      await this.#flushing?.catch(() => undefined);
      await this.#rebuilding?.catch(() => undefined);
    }
  }

  /** Refuses further records once the pending ones are committed. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.idle();
  }

  async #flushLoop(): Promise<void> {
    // Yield once so that handlers already on their way join this commit.
    await Promise.resolve();
    for (;;) {
      const wait = this.#lastCommitStart + this.#minCommitIntervalMs - performance.now();
      if (wait > 0 && !this.#closed) await new Promise((resolve) => setTimeout(resolve, wait));
      this.#lastCommitStart = performance.now();
      const batch = this.#batch;
      if (batch.waiters.length === 0) {
        this.#flushing = undefined;
        return;
      }
      this.#batch = emptyBatch();
      let written: Batch;
      let positions: ResumePosition[];
      try {
        this.#processor.checkpoint();
        positions = this.#processor.positions();
        written = {
          checkpoint: this.#state.take()!,
          changes: this.#processor.drainChanges(),
          lates: batch.lates,
          effects: batch.effects,
        };
        // One commit for the records of many traces, in a span of its own that links to each
        // record's process span (as sales' group commit does): its statements are that span's
        // children, so each order's journey reaches them through its link. Without it they ran in
        // whatever context started this loop, an earlier batch's, long ended and of another trace.
        await withBatchSpan(
          'group commit analytics',
          batch.traces,
          () => writeBatch(this.#options.db, this.groupId, written),
          { 'messaging.consumer.group.name': this.groupId },
        );
      } catch (error) {
        this.#options.logger.warn(
          { groupId: this.groupId, error: (error as Error).message, records: batch.waiters.length },
          'analytics commit failed; the records will be retried',
        );
        for (const waiter of batch.waiters) waiter.reject(error);
        // Records processed after this batch was captured build on its state: they go too.
        this.#discard(error, undefined);
        continue;
      }
      this.#commits++;
      this.#committedPositions = positions;
      for (const waiter of batch.waiters) waiter.resolve();
      try {
        this.#options.onCommit?.();
      } catch {
        // A listener's failure is not the commit's.
      }
    }
  }

  /**
   * Fails every record processed since the last capture and rebuilds the processor from the last
   * committed checkpoint, once `settle` (a commit in flight, whose checkpoint is still good) is done.
   */
  #discard(cause: unknown, settle: Promise<void> | undefined): void {
    const pending = this.#batch;
    this.#batch = emptyBatch();
    const error = new AnalyticsError(
      'PIPELINE_DISCARDED',
      'an earlier record or commit failed; this record will be processed again',
      { cause },
    );
    for (const waiter of pending.waiters) waiter.reject(error);
    this.#rebuilding ??= (async () => {
      try {
        await settle?.catch(() => undefined);
        for (let attempt = 1; !this.#closed; attempt++) {
          try {
            await this.#load();
            return;
          } catch (loadError) {
            this.#options.logger.warn(
              { attempt, error: (loadError as Error).message },
              'reloading the analytics checkpoint failed; retrying',
            );
            await new Promise((resolve) =>
              setTimeout(resolve, Math.min(5_000, 100 * 2 ** attempt)),
            );
          }
        }
      } finally {
        this.#rebuilding = undefined;
      }
    })();
  }
}
