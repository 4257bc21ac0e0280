import { randomUUID } from 'node:crypto';
import { topics } from '@retail-streams/contracts';
import type { Logger, Streaming } from '@retail-streams/streaming-client';
import { AnalyticsError } from '../analytics-error.ts';
import type { AnalyticsEngine } from '../consuming/analytics-engine.ts';
import { analyticsTopicNames } from '../consuming/analytics-consumer.ts';
import type { AnalyticsDatabase } from '../processing/analytics-pipeline.ts';
import { readProcessingState } from '../processing/state-rows.ts';
import { ReplayRateLimit } from './replay-rate-limit.ts';

/** Log end offsets per topic, per partition, when the replay started: what "caught up" means. */
export type ReplayTargets = Record<string, Record<string, number>>;

export interface ReplayView {
  id: string;
  groupId: string;
  /** paused: interrupted by a restart, waiting for an operator to resume it. */
  status: 'running' | 'paused' | 'completed' | 'failed';
  /** stopping → tables (stock levels first, so joins see them) → streams → done */
  phase: string;
  startedAt: string;
  finishedAt: string | null;
  error: string | null;
  progress: { targetRecords: number; processedRecords: number; fraction: number };
  /** The bound on the replay's pace, and how long it has held the replay back in this process. */
  rate: { maxRecordsPerSecond: number; throttledMs: number };
}

interface ReplayRow {
  id: string;
  group_id: string;
  status: ReplayView['status'];
  phase: string;
  targets: ReplayTargets;
  error: string | null;
  started_at: Date;
  finished_at: Date | null;
}

export interface ReplayCoordinatorOptions {
  db: AnalyticsDatabase;
  streaming: Streaming;
  engine: AnalyticsEngine;
  logger: Logger;
  /** How often to check whether the new group has caught up. */
  pollIntervalMs?: number;
  /** A replay's pace until it has caught up (REPLAY_MAX_RECORDS_PER_SECOND). */
  maxRecordsPerSecond: number;
}

/** The rows every aggregate lives in: cleared before a replay rebuilds them. */
const aggregateTables = [
  'window_results',
  'keyed_results',
  'late_events',
  'order_timings',
  'purchase_order_timings',
  'stock_levels',
  'stock_outs',
];

/**
 * Rebuilds every aggregate from the beginning of the topics: stop consuming, clear the aggregate rows
 * and the checkpoint, then consume again under a NEW consumer group (which starts at the beginning of
 * every topic; the old group's offsets are left alone). The stock-level table is read to the replay's
 * targets first, so that orders join with the levels the live run had already seen. The replay is done
 * when the group has reached every partition's end offset as it was when the replay started. Because
 * the processing depends only on the records (event time, per-partition stream time), the numbers end
 * as they were.
 */
export class ReplayCoordinator {
  readonly #options: ReplayCoordinatorOptions;
  #running: Promise<void> | undefined;
  #stopped = false;
  /** The running replay's rate limit (lifted once it has caught up). */
  #limit: ReplayRateLimit | undefined;
  /** A replay interrupted by a restart, held until an operator resumes it. */
  #pausedId: string | undefined;
  #trackedId: string | undefined;

  constructor(options: ReplayCoordinatorOptions) {
    this.#options = options;
  }

  get active(): boolean {
    return this.#running !== undefined;
  }

  /** A replay is waiting for an operator to resume it (the service serves, but does not consume). */
  get paused(): boolean {
    return this.#pausedId !== undefined;
  }

  /**
   * At start-up, before anything consumes: a replay that a stop interrupted after its switch-over is
   * paused, not continued. Nobody may have wanted it (a stray request started it), and it re-reads
   * every topic: it goes on only when an operator resumes it. One interrupted before the switch
   * failed (the old aggregates are intact). Returns true when a paused replay now owns the
   * aggregates, in which case nothing may consume until it is resumed.
   */
  async holdInterrupted(): Promise<boolean> {
    const state = await readProcessingState(this.#options.db);
    const unfinished = await this.#options.db.$queryRawUnsafe<ReplayRow[]>(
      `SELECT id::text AS id, group_id, status, phase, targets, error, started_at, finished_at
         FROM replays WHERE status IN ('running', 'paused')`,
    );
    for (const replay of unfinished) {
      if (replay.id === state.replayId && replay.phase !== 'stopping') {
        await this.#options.db.$executeRawUnsafe(
          `UPDATE replays SET status = 'paused', error = $2 WHERE id = $1::uuid`,
          replay.id,
          `interrupted by a restart at phase "${replay.phase}": resume it with POST /api/replay/${replay.id}/resume (control token)`,
        );
        this.#pausedId = replay.id;
        this.#options.logger.warn(
          { replayId: replay.id, phase: replay.phase },
          'a replay was interrupted by a restart: paused until an operator resumes it',
        );
      } else {
        await this.#finish(replay.id, 'failed', 'interrupted before the switch to its group');
      }
    }
    return this.#pausedId !== undefined;
  }

  /** An operator resumes a paused replay: it goes on from its group's committed offsets. */
  async resume(id: string): Promise<ReplayView> {
    const replay = await this.#row(id);
    if (replay === undefined) throw new AnalyticsError('REPLAY_NOT_FOUND', `no replay ${id}`);
    if (replay.status !== 'paused' || this.#pausedId !== id || this.#running !== undefined) {
      throw new AnalyticsError(
        'REPLAY_NOT_PAUSED',
        `replay ${id} is ${replay.status}: only a paused replay can be resumed`,
      );
    }
    await this.#options.db.$executeRawUnsafe(
      `UPDATE replays SET status = 'running', error = NULL WHERE id = $1::uuid`,
      id,
    );
    this.#pausedId = undefined;
    this.#options.logger.info({ replayId: id, phase: replay.phase }, 'replay resumed');
    this.#track(id, this.#rebuild({ ...replay, status: 'running' }));
    return this.view(id) as Promise<ReplayView>;
  }

  async start(): Promise<ReplayView> {
    if (this.#running !== undefined || this.#pausedId !== undefined) {
      throw new AnalyticsError(
        'REPLAY_IN_PROGRESS',
        this.#pausedId !== undefined
          ? `replay ${this.#pausedId} is paused: resume it rather than starting another`
          : 'a replay is already running',
      );
    }
    const id = randomUUID();
    const [{ count }] = await this.#options.db.$queryRawUnsafe<Array<{ count: number }>>(
      `SELECT count(*)::int AS count FROM replays`,
    );
    // A new group starts at the beginning of every topic; the id suffix keeps it new even if the
    // database was reset while the broker kept its groups.
    const groupId = `analytics-replay-${count + 1}-${id.slice(0, 8)}`;
    const targets = await this.#endOffsets();
    await this.#options.db.$executeRawUnsafe(
      `INSERT INTO replays (id, group_id, status, phase, targets) VALUES ($1::uuid, $2, 'running', 'stopping', $3::jsonb)`,
      id,
      groupId,
      JSON.stringify(targets),
    );
    const replay = (await this.#row(id))!;
    this.#track(id, this.#run(replay));
    return this.view(id) as Promise<ReplayView>;
  }

  async view(id: string): Promise<ReplayView | undefined> {
    const replay = await this.#row(id);
    if (replay === undefined) return undefined;
    const progress = await this.#progress(replay);
    return {
      id: replay.id,
      groupId: replay.group_id,
      status: replay.status,
      phase: replay.phase,
      startedAt: replay.started_at.toISOString(),
      finishedAt: replay.finished_at?.toISOString() ?? null,
      error: replay.error,
      progress,
      rate: {
        maxRecordsPerSecond: this.#options.maxRecordsPerSecond,
        throttledMs: this.#limitOf(replay.id)?.waitedMs ?? 0,
      },
    };
  }

  /** Waits for a running replay to end (tests, shutdown). */
  async settled(): Promise<void> {
    await this.#running;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#limit?.release();
    await this.#running;
  }

  #track(id: string, work: Promise<void>): void {
    this.#trackedId = id;
    this.#running = work
      .catch(async (error: unknown) => {
        // Interrupted by shutdown: the row stays 'running' and resume() watches it after the restart.
        if (this.#stopped) return;
        this.#options.logger.error(
          { replayId: id, error: (error as Error).message },
          'replay failed',
        );
        await this.#finish(id, 'failed', (error as Error).message).catch(() => undefined);
        // Whatever failed, keep consuming the group the database names (the old one or the replay's).
        if (!this.#stopped && !this.#options.engine.running) {
          await this.#options.engine.start().catch((startError: unknown) => {
            this.#options.logger.error(
              { error: (startError as Error).message },
              'analytics could not resume consuming after a failed replay',
            );
          });
        }
      })
      .finally(() => {
        this.#running = undefined;
      });
  }

  async #run(replay: ReplayRow): Promise<void> {
    const { db, engine, logger } = this.#options;
    logger.info({ replayId: replay.id, groupId: replay.group_id }, 'replay starting');
    await engine.stop();
    try {
      await db.$transaction(async (tx) => {
        for (const table of aggregateTables) await tx.$executeRawUnsafe(`DELETE FROM ${table}`);
        await tx.$executeRawUnsafe(
          `UPDATE processing_state SET group_id = $1, checkpoint = NULL, replay_id = $2::uuid, updated_at = now() WHERE id = 1`,
          replay.group_id,
          replay.id,
        );
        await tx.$executeRawUnsafe(
          `UPDATE replays SET phase = 'tables' WHERE id = $1::uuid`,
          replay.id,
        );
      });
    } catch (error) {
      await engine.start(); // nothing changed: carry on with the old group
      throw error;
    }
    await this.#rebuild({ ...replay, phase: 'tables' });
  }

  /**
   * Consumes the replay's group at the bounded pace: the stock table first (phase `tables`), then
   * every topic (phase `streams`), until the targets are reached; then the bound is lifted and the
   * group carries on as the live one. A resumed replay starts at its recorded phase.
   */
  async #rebuild(replay: ReplayRow): Promise<void> {
    const { db, engine, logger } = this.#options;
    const limit = new ReplayRateLimit(this.#options.maxRecordsPerSecond);
    this.#limit = limit;
    const throttle = (records: number) => limit.take(records);
    if (replay.phase === 'tables') {
      await engine.consume(replay.group_id, [topics.stockLevel.name], throttle);
      await this.#waitCaughtUp(replay, [topics.stockLevel.name]);
      await db.$executeRawUnsafe(
        `UPDATE replays SET phase = 'streams' WHERE id = $1::uuid`,
        replay.id,
      );
    }
    await engine.consume(replay.group_id, undefined, throttle);
    await this.#waitCaughtUp(replay, analyticsTopicNames);
    limit.lift();
    await this.#finish(replay.id, 'completed', null);
    logger.info(
      { replayId: replay.id, groupId: replay.group_id, throttledMs: limit.waitedMs },
      'replay completed',
    );
  }

  #limitOf(replayId: string): ReplayRateLimit | undefined {
    return this.#running !== undefined && this.#trackedId === replayId ? this.#limit : undefined;
  }

  async #finish(id: string, status: 'completed' | 'failed', error: string | null): Promise<void> {
    await this.#options.db.$executeRawUnsafe(
      `UPDATE replays SET status = $2, phase = CASE WHEN $2 = 'completed' THEN 'done' ELSE phase END,
              error = $3, finished_at = now() WHERE id = $1::uuid`,
      id,
      status,
      error,
    );
  }

  async #waitCaughtUp(replay: ReplayRow, topicNames: readonly string[]): Promise<void> {
    const interval = this.#options.pollIntervalMs ?? 200;
    for (;;) {
      if (this.#stopped) throw new Error('the service is stopping');
      if (await this.#caughtUp(replay, topicNames)) return;
      await new Promise((resolve) => setTimeout(resolve, interval));
    }
  }

  /**
   * A partition is done when the pipeline has COMMITTED its last record before the target (processed
   * in memory is not enough: the replay would be reported complete while its last records' effects
   * are still on their way to the database, and a summary read then would miss them), or the group's
   * committed offset has reached the target (records the runner dead-lettered never reach the
   * pipeline, but their offsets are committed).
   */
  async #caughtUp(replay: ReplayRow, topicNames: readonly string[]): Promise<boolean> {
    const processed = this.#processedOffsets(replay.group_id, 'committed');
    const pending: string[] = [];
    for (const topic of topicNames) {
      for (const [partition, target] of Object.entries(replay.targets[topic] ?? {})) {
        const last = processed.get(`${topic}:${partition}`);
        if (target > 0 && (last === undefined || last + 1 < target)) pending.push(topic);
      }
    }
    if (pending.length === 0) return true;
    const lag = await this.#options.streaming.lag(replay.group_id, [...new Set(pending)]);
    return lag.every((entry) => {
      const target = replay.targets[entry.topic]?.[String(entry.partition)] ?? 0;
      const last = processed.get(`${entry.topic}:${entry.partition}`);
      return (
        target <= entry.logStartOffset ||
        (entry.committedOffset ?? -1) >= target ||
        (last !== undefined && last + 1 >= target)
      );
    });
  }

  /** The pipeline's last offset per partition: processed in memory, or committed with its effects. */
  #processedOffsets(
    groupId: string,
    which: 'processed' | 'committed' = 'processed',
  ): Map<string, number> {
    const pipeline = this.#options.engine.pipeline;
    const positions = new Map<string, number>();
    if (pipeline === undefined || pipeline.groupId !== groupId) return positions;
    const list = which === 'committed' ? pipeline.committedPositions() : pipeline.positions();
    for (const position of list) {
      positions.set(`${position.topic}:${position.partition}`, Number(position.nextOffset) - 1);
    }
    return positions;
  }

  async #progress(replay: ReplayRow): Promise<ReplayView['progress']> {
    let processed = this.#processedOffsets(replay.group_id);
    // Nothing consumes the group here (a paused replay): what its group has committed is the measure.
    if (processed.size === 0 && replay.status !== 'completed') {
      processed = await this.#committedOffsets(replay);
    }
    let targetRecords = 0;
    let processedRecords = 0;
    for (const [topic, partitions] of Object.entries(replay.targets)) {
      for (const [partition, target] of Object.entries(partitions)) {
        targetRecords += target;
        const last = processed.get(`${topic}:${partition}`);
        processedRecords +=
          replay.status === 'completed'
            ? target
            : Math.min(target, last === undefined ? 0 : last + 1);
      }
    }
    return {
      targetRecords,
      processedRecords,
      fraction:
        targetRecords === 0 ? 1 : Math.round((processedRecords / targetRecords) * 1000) / 1000,
    };
  }

  async #committedOffsets(replay: ReplayRow): Promise<Map<string, number>> {
    const positions = new Map<string, number>();
    try {
      const lag = await this.#options.streaming.lag(replay.group_id, Object.keys(replay.targets));
      for (const entry of lag) {
        if (entry.committedOffset !== null) {
          positions.set(`${entry.topic}:${entry.partition}`, entry.committedOffset - 1);
        }
      }
    } catch {
      // The broker is away: no progress to show rather than no answer.
    }
    return positions;
  }

  async #endOffsets(): Promise<ReplayTargets> {
    const targets: ReplayTargets = {};
    for (const topic of analyticsTopicNames) {
      const ends = await this.#options.streaming.inspector.endOffsets(topic);
      targets[topic] = Object.fromEntries(
        [...ends].map(([partition, offset]) => [String(partition), Number(offset)]),
      );
    }
    return targets;
  }

  async #row(id: string): Promise<ReplayRow | undefined> {
    const rows = await this.#options.db.$queryRawUnsafe<ReplayRow[]>(
      `SELECT id::text AS id, group_id, status, phase, targets, error, started_at, finished_at
         FROM replays WHERE id = $1::uuid`,
      id,
    );
    return rows[0];
  }
}
