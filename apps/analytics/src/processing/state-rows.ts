import type { Checkpoint, StateBackend } from '@retail-streams/streaming-processing';
import type { SqlExecutor } from '@retail-streams/streaming-client';

export const DEFAULT_GROUP_ID = 'analytics';

/**
 * The processor's state backend when the checkpoint lives in Postgres: `save` only captures the
 * checkpoint, and the pipeline writes it in the same transaction as the results it explains. (The
 * processor's backends are synchronous; a database write is not.)
 */
export class CapturedState implements StateBackend {
  readonly durable = true;
  readonly #initial: Checkpoint | undefined;
  #latest: Checkpoint | undefined;

  constructor(initial: Checkpoint | undefined) {
    this.#initial = initial;
  }

  load(): Checkpoint | undefined {
    return this.#initial;
  }

  save(checkpoint: Checkpoint): void {
    this.#latest = checkpoint;
  }

  clear(): void {
    this.#latest = undefined;
  }

  /** The checkpoint saved last, once. */
  take(): Checkpoint | undefined {
    const latest = this.#latest;
    this.#latest = undefined;
    return latest;
  }
}

export interface ProcessingStateRow {
  groupId: string;
  checkpoint: Checkpoint | undefined;
  replayId: string | null;
}

/** Reads the one processing-state row, creating it (group `analytics`, empty state) on first start. */
export async function readProcessingState(db: SqlExecutor): Promise<ProcessingStateRow> {
  await db.$executeRawUnsafe(
    `INSERT INTO processing_state (id, group_id) VALUES (1, $1) ON CONFLICT (id) DO NOTHING`,
    DEFAULT_GROUP_ID,
  );
  const rows = await db.$queryRawUnsafe<
    Array<{ group_id: string; checkpoint: string | null; replay_id: string | null }>
  >(`SELECT group_id, checkpoint, replay_id::text AS replay_id FROM processing_state WHERE id = 1`);
  const row = rows[0]!;
  return {
    groupId: row.group_id,
    checkpoint: row.checkpoint === null ? undefined : (JSON.parse(row.checkpoint) as Checkpoint),
    replayId: row.replay_id,
  };
}

/**
 * Which group owns the aggregates and which replay built them, without the checkpoint: the summary
 * asks on every read, and the checkpoint (megabytes under load) is the pipeline's business only.
 */
export async function readProcessingPointer(
  db: SqlExecutor,
): Promise<Omit<ProcessingStateRow, 'checkpoint'>> {
  const rows = await db.$queryRawUnsafe<Array<{ group_id: string; replay_id: string | null }>>(
    `SELECT group_id, replay_id::text AS replay_id FROM processing_state WHERE id = 1`,
  );
  const row = rows[0];
  return { groupId: row?.group_id ?? DEFAULT_GROUP_ID, replayId: row?.replay_id ?? null };
}
