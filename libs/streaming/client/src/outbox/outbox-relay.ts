import pg from 'pg';
import type { PartitionOffsets, TopicInspector } from '../connection/topic-inspector.ts';
import type { Logger } from '../logger.ts';
import type { EventProducer, OutgoingRecord } from '../producer/event-producer.ts';
import { withBatchSpan, type RecordHeaders } from '../tracing/record-tracing.ts';
import {
  outboxChannel,
  outboxTable,
  relayPositionsTable,
  type SqlExecutor,
} from './outbox-schema.ts';

export interface OutboxRelayOptions {
  /** Reads and marks outbox rows (the service's Prisma client). */
  db: SqlExecutor;
  /** A connection string for the relay's own LISTEN connection. */
  databaseUrl: string;
  producer: EventProducer;
  /** Looks at topics when the relay takes over after a crash. */
  inspector: TopicInspector;
  logger: Logger;
  /** Rows published per round trip. */
  batchSize?: number;
  /**
   * A slow safety net: notifications are not delivered while the LISTEN connection is down, so the
   * relay also looks now and then. The happy path never waits for it.
   */
  fallbackPollMs?: number;
}

interface OutboxRow {
  id: string;
  topic: string;
  key: string | null;
  value: string;
  headers: RecordHeaders;
}

/** Any fixed number: only one relay per database may publish, or rows could overtake each other. */
const relayLockKey = 0x0b0c_5e1a;

/**
 * Publishes outbox rows in the order they were written and marks them published. It wakes on the
 * insert trigger's NOTIFY, so an event is on its topic milliseconds after the transaction commits.
 * One relay per database holds a session advisory lock; others stand by and take over if it dies.
 *
 * Each row is published once, even across a crash between the broker's acknowledgement and the mark.
 * Before each send the relay records where the topic's partitions end; everything below is accounted
 * for. A relay that takes over reads the records from those positions on and marks the pending rows
 * whose event ids it finds there as published instead of sending them again.
 */
export class OutboxRelay {
  readonly #options: Required<
    Omit<OutboxRelayOptions, 'db' | 'producer' | 'logger' | 'databaseUrl'>
  > &
    OutboxRelayOptions;
  #listener: pg.Client | undefined;
  #timer: NodeJS.Timeout | undefined;
  #leader = false;
  #draining: Promise<void> | undefined;
  #drainAgain = false;
  #stopped = false;
  #failures = 0;
  #published = 0;
  /** False until in-doubt rows are resolved: at take-over and after any failure mid-batch. */
  #recovered = false;

  constructor(options: OutboxRelayOptions) {
    this.#options = { batchSize: 200, fallbackPollMs: 5_000, ...options };
  }

  /** Rows published since start. */
  get published(): number {
    return this.#published;
  }

  get isLeader(): boolean {
    return this.#leader;
  }

  async start(): Promise<void> {
    const listener = new pg.Client({ connectionString: this.#options.databaseUrl });
    listener.on('error', (error) =>
      this.#options.logger.warn({ error: error.message }, 'outbox relay LISTEN connection failed'),
    );
    listener.on('notification', () => this.wake());
    await listener.connect();
    await listener.query(`LISTEN ${outboxChannel}`);
    this.#listener = listener;
    this.#timer = setInterval(() => this.wake(), this.#options.fallbackPollMs);
    this.#timer.unref();
    this.wake();
  }

  /** Asks the relay to publish what is pending; the trigger calls this through NOTIFY. */
  wake(): void {
    if (this.#stopped) return;
    if (this.#draining) {
      this.#drainAgain = true;
      return;
    }
    this.#draining = this.#drainLoop().finally(() => {
      this.#draining = undefined;
    });
  }

  /** Publishes everything pending now and resolves when the outbox is empty (for tests and shutdown). */
  async flush(): Promise<void> {
    this.wake();
    while (this.#draining) await this.#draining;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    while (this.#draining) await this.#draining;
    await this.#listener?.end().catch(() => undefined);
    this.#listener = undefined;
    this.#leader = false;
  }

  async #drainLoop(): Promise<void> {
    do {
      this.#drainAgain = false;
      try {
        if (!(await this.#ensureLeader())) return;
        if (!this.#recovered) {
          await this.#recoverInDoubtRows();
          this.#recovered = true;
        }
        while (!this.#stopped && (await this.#publishBatch()) === this.#options.batchSize) {
          // a full batch: there may be more
        }
        this.#failures = 0;
      } catch (error) {
        // The failure may have come after a send and before its mark: look before sending again.
        this.#recovered = false;
        this.#failures += 1;
        const delay = Math.min(5_000, 100 * 2 ** this.#failures);
        this.#options.logger.warn(
          { error: (error as Error).message, retryInMs: delay },
          'outbox relay could not publish; rows stay pending',
        );
        await new Promise((resolve) => setTimeout(resolve, delay).unref());
        this.#drainAgain = !this.#stopped;
      }
    } while (this.#drainAgain && !this.#stopped);
  }

  async #ensureLeader(): Promise<boolean> {
    if (this.#leader) return true;
    if (!this.#listener) return false;
    const { rows } = await this.#listener.query<{ locked: boolean }>(
      'SELECT pg_try_advisory_lock($1) AS locked',
      [relayLockKey],
    );
    if (rows[0]?.locked !== true) return false;
    this.#leader = true;
    this.#options.logger.info({}, 'outbox relay is publishing for this database');
    return true;
  }

  /**
   * Finds pending rows that a previous relay sent but did not get to mark (it crashed in between)
   * by their event ids on the topics, from the positions recorded before that send.
   */
  async #recoverInDoubtRows(): Promise<void> {
    const topics = await this.#options.db.$queryRawUnsafe<{ topic: string }[]>(
      `SELECT DISTINCT "topic" FROM "${outboxTable}" WHERE "published_at" IS NULL`,
    );
    for (const { topic } of topics) {
      const positions = await this.#options.db.$queryRawUnsafe<
        { partition: number; offset: string }[]
      >(
        `SELECT "partition", "offset"::text AS "offset" FROM "${relayPositionsTable}" WHERE "topic" = $1`,
        topic,
      );
      if (positions.length === 0) continue; // nothing was ever sent to this topic
      const from: PartitionOffsets = new Map(positions.map((row) => [row.partition, row.offset]));
      const published = await this.#options.inspector.eventIdsSince(topic, from);
      if (published.size === 0) continue;
      const marked = await this.#options.db.$executeRawUnsafe(
        `UPDATE "${outboxTable}" SET "published_at" = CURRENT_TIMESTAMP
          WHERE "published_at" IS NULL AND "topic" = $1 AND "event_id"::text = ANY($2::text[])`,
        topic,
        [...published],
      );
      if (marked > 0) {
        this.#options.logger.warn(
          { topic, rows: marked },
          'outbox rows were already on the topic after a relay crash; marked them instead of resending',
        );
      }
    }
  }

  /** Everything below the partitions' current ends is accounted for: recovery starts from here. */
  async #recordPositions(topic: string): Promise<void> {
    const ends = await this.#options.inspector.endOffsets(topic);
    await this.#options.db.$executeRawUnsafe(
      `INSERT INTO "${relayPositionsTable}" ("topic", "partition", "offset")
       SELECT $1, p, o FROM unnest($2::int[], $3::bigint[]) AS ends(p, o)
       ON CONFLICT ("topic", "partition") DO UPDATE SET "offset" = EXCLUDED."offset"`,
      topic,
      [...ends.keys()],
      [...ends.values()],
    );
  }

  async #publishBatch(): Promise<number> {
    const rows = await this.#options.db.$queryRawUnsafe<OutboxRow[]>(
      `SELECT "id"::text AS "id", "topic", "key", "value", "headers"
         FROM "${outboxTable}" WHERE "published_at" IS NULL
        ORDER BY "${outboxTable}"."id" LIMIT $1`, // the bigint column: the text alias sorts "10" before "6"
      this.#options.batchSize,
    );
    if (rows.length === 0) return 0;
    // Consecutive rows for the same topic go in one request; topics are visited in row order, so no
    // event is published before one written earlier.
    for (const run of consecutiveRuns(rows)) {
      const records: OutgoingRecord[] = run.map((row) => ({
        key: row.key,
        value: row.value,
        headers: row.headers,
      }));
      await this.#recordPositions(run[0]?.topic ?? '');
      await withBatchSpan(
        `send ${run[0]?.topic} (outbox)`,
        run.map((row) => row.headers),
        { topic: run[0]?.topic ?? '' },
        () => this.#options.producer.sendRecords(run[0]?.topic ?? '', records),
      );
      await this.#options.db.$executeRawUnsafe(
        `UPDATE "${outboxTable}" SET "published_at" = CURRENT_TIMESTAMP WHERE "id" = ANY($1::bigint[])`,
        run.map((row) => row.id),
      );
      this.#published += run.length;
    }
    return rows.length;
  }
}

function consecutiveRuns(rows: readonly OutboxRow[]): OutboxRow[][] {
  const runs: OutboxRow[][] = [];
  for (const row of rows) {
    const last = runs[runs.length - 1];
    if (last && last[0]?.topic === row.topic) last.push(row);
    else runs.push([row]);
  }
  return runs;
}
