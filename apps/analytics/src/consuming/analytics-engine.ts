import type { ConsumerRunner, Logger, Streaming } from '@retail-streams/streaming-client';
import type { AnalyticsTopology } from '../processing/analytics-topology.ts';
import { AnalyticsPipeline, type AnalyticsDatabase } from '../processing/analytics-pipeline.ts';
import { readProcessingState } from '../processing/state-rows.ts';
import { createAnalyticsConsumer } from './analytics-consumer.ts';

export interface AnalyticsEngineOptions {
  db: AnalyticsDatabase;
  streaming: Streaming;
  topology: AnalyticsTopology;
  logger: Logger;
  /** After every committed batch: the aggregates changed. */
  onCommit?: () => void;
}

/**
 * Who consumes right now: one pipeline and one consumer runner for the consumer group recorded in
 * `processing_state`. A replay swaps both for a new group (see ReplayCoordinator).
 */
export class AnalyticsEngine {
  readonly #options: AnalyticsEngineOptions;
  #pipeline: AnalyticsPipeline | undefined;
  #runner: ConsumerRunner | undefined;

  constructor(options: AnalyticsEngineOptions) {
    this.#options = options;
  }

  get groupId(): string | undefined {
    return this.#pipeline?.groupId;
  }

  get pipeline(): AnalyticsPipeline | undefined {
    return this.#pipeline;
  }

  get running(): boolean {
    return this.#runner?.running ?? false;
  }

  /** Starts consuming for the group recorded in the database. */
  async start(): Promise<void> {
    const state = await readProcessingState(this.#options.db);
    await this.consume(state.groupId);
  }

  /**
   * Starts a pipeline and a runner for `groupId` (on `topicNames` only, when given), each batch
   * waiting for `throttle` first when one is given (a replay's rate limit).
   */
  async consume(
    groupId: string,
    topicNames?: readonly string[],
    throttle?: (records: number) => Promise<void>,
  ): Promise<void> {
    await this.stop();
    const pipeline = await AnalyticsPipeline.open({
      db: this.#options.db,
      groupId,
      topology: this.#options.topology,
      logger: this.#options.logger,
      onCommit: this.#options.onCommit,
    });
    const runner = createAnalyticsConsumer(this.#options.streaming, pipeline, {
      groupId,
      topicNames,
      throttle,
    });
    this.#pipeline = pipeline;
    this.#runner = runner;
    await runner.start();
    this.#options.logger.info({ groupId, topics: topicNames ?? 'all' }, 'analytics consuming');
  }

  /** Stops the runner (in-flight records finish and commit) and closes the pipeline. */
  async stop(): Promise<void> {
    const runner = this.#runner;
    const pipeline = this.#pipeline;
    this.#runner = undefined;
    await runner?.stop();
    await pipeline?.close();
  }
}
