import pg from 'pg';
import { RateLinger } from '../linger/rate-linger.ts';
import type { PartitionOffsets, TopicInspector } from '../connection/topic-inspector.ts';
import type { Logger } from '../logger.ts';
import type { EventProducer } from '../producer/event-producer.ts';
import { recordOutboxWait, withBatchSpan, type RecordHeaders } from '../tracing/record-tracing.ts';
import {
  outboxChannel,
  outboxTable,
  relayPositionsTable,
  type SqlExecutor,
} from './outbox-schema.ts';

export interface OutboxRelayOptions {
  /** Reads and deletes outbox rows (the service's Prisma client). */
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
  /**
   * While rows keep coming, the least time between the starts of two drains, so a busy relay
   * publishes them a few per round trip instead of one by one; default 10 ms, 0 is off. A wake after
   * a quiet spell starts at once. It grows with the rate rows are published at, up to `maxLingerMs`
   * (default 50 ms; see RateLinger).
   */
  lingerMs?: number;
  maxLingerMs?: number;
}

interface OutboxRow {
  id: string;
  topic: string;
  key: string | null;
  value: string;
  headers: RecordHeaders;
  /** When the row was written (its transaction's time), epoch ms: where its outbox wait starts. */
  written_ms: number;
}

/** Any fixed number: only one relay per database may publish, or rows could overtake each other. */
const relayLockKey = 0x0b0c_5e1a;

/**
 * Publishes outbox rows in the order they were written and deletes them once the broker has them:
 * the outbox holds only what is still to be sent (rows an earlier version marked with
 * `published_at` instead count as sent, and are never resent). It wakes on the
 * insert trigger's NOTIFY, so an event is on its topic milliseconds after the transaction commits.
 * One relay per database holds a session advisory lock; others stand by and take over if it dies.
 *
 * Each row is published once, even across a crash between the broker's acknowledgement and the
 * mark (the delete). The relay keeps, per topic-partition, a position below which every record it
 * sent is marked: the partitions' ends before its first send to a topic, then, with every mark, the
 * offset where the marked send began. A relay that takes over reads the records from those
 * positions on and marks the pending rows whose event ids it finds there instead of sending them
 * again.
 *
 * Round trips per drained batch (up to `batchSize` rows, any topics): a SELECT, one produce request,
 * one statement that marks and moves the positions. A busy relay lingers between drains (`lingerMs`)
 * so that those round trips carry several rows.
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
  /** When the last drain began and the rate rows go out at: the next drain waits out the linger. */
  readonly #linger: RateLinger;
  /** False until in-doubt rows are resolved: at take-over and after any failure mid-batch. */
  #recovered = false;
  /** Topics with recorded positions (read at recovery): the others get theirs before a first send. */
  #positioned = new Set<string>();

  constructor(options: OutboxRelayOptions) {
    this.#options = {
      batchSize: 200,
      fallbackPollMs: 5_000,
      lingerMs: 10,
      maxLingerMs: 50,
      ...options,
    };
    this.#linger = new RateLinger({
      minMs: this.#options.lingerMs,
      maxMs: this.#options.maxLingerMs,
    });
  }

  /** Rows published since start. */
  get published(): number {
    return this.#published;
  }

  get isLeader(): boolean {
    return this.#leader;
  }

  async start(): Promise<void> {
    this.#listener = await this.#listen();
    this.#timer = setInterval(() => this.wake(), this.#options.fallbackPollMs);
    this.#timer.unref();
    this.wake();
  }

  /**
   * The relay's own connection: it LISTENs for the insert trigger and holds the advisory lock. If
   * it breaks (a database restart, an outage), the lock went with it: the relay stops publishing at
   * once and, at its next wake (the fallback poll), connects again and must win the lock again.
   */
  async #listen(): Promise<pg.Client> {
    const listener = new pg.Client({ connectionString: this.#options.databaseUrl });
    const lost = (reason: string) => {
      if (this.#listener !== listener) return;
      this.#listener = undefined;
      this.#leader = false;
      this.#recovered = false;
      this.#options.logger.warn(
        { reason },
        'outbox relay lost its database connection (and its lock); it reconnects at its next poll',
      );
    };
    listener.on('error', (error) => lost(error.message));
    listener.on('end', () => lost('connection ended'));
    listener.on('notification', () => this.wake());
    try {
      await listener.connect();
      await listener.query(`LISTEN ${outboxChannel}`);
    } catch (error) {
      await listener.end().catch(() => undefined);
      throw error;
    }
    return listener;
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
    const listener = this.#listener;
    this.#listener = undefined;
    this.#leader = false;
    await listener?.end().catch(() => undefined);
  }

  async #drainLoop(): Promise<void> {
    do {
      await this.#lingerBeforeDrain();
      this.#drainAgain = false;
      this.#linger.cycleStarted();
      try {
        if (!(await this.#ensureLeader())) return;
        if (!this.#recovered) {
          await this.#recoverInDoubtRows();
          this.#recovered = true;
        }
        while (
          !this.#stopped &&
          this.#leader &&
          (await this.#publishBatch()) === this.#options.batchSize
        ) {
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

  /**
   * Waits out the rest of the linger since the last drain began. Rows committed meanwhile go out
   * together: one SELECT, one produce and one mark for all of them, instead of three round trips per
   * row when orders come faster than a drain takes.
   */
  async #lingerBeforeDrain(): Promise<void> {
    const wait = this.#linger.waitMs();
    if (wait > 0 && !this.#stopped) await new Promise((resolve) => setTimeout(resolve, wait));
  }

  async #ensureLeader(): Promise<boolean> {
    if (this.#leader) return true;
    if (this.#stopped) return false;
    this.#listener ??= await this.#listen();
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
    const positions = await this.#options.db.$queryRawUnsafe<
      { topic: string; partition: number; offset: string }[]
    >(`SELECT "topic", "partition", "offset"::text AS "offset" FROM "${relayPositionsTable}"`);
    this.#positioned = new Set(positions.map((row) => row.topic));
    const pending = await this.#options.db.$queryRawUnsafe<{ topic: string }[]>(
      `SELECT DISTINCT "topic" FROM "${outboxTable}" WHERE "published_at" IS NULL`,
    );
    for (const { topic } of pending) {
      // No positions: nothing was ever sent to this topic (they are recorded before the first send).
      if (!this.#positioned.has(topic)) continue;
      const from: PartitionOffsets = new Map(
        positions.filter((row) => row.topic === topic).map((row) => [row.partition, row.offset]),
      );
      const published = await this.#options.inspector.eventIdsSince(topic, from);
      if (published.size === 0) continue;
      const marked = await this.#options.db.$executeRawUnsafe(
        `DELETE FROM "${outboxTable}"
          WHERE "published_at" IS NULL AND "topic" = $1 AND "event_id"::text = ANY($2::text[])`,
        topic,
        [...published],
      );
      if (marked > 0) {
        this.#options.logger.warn(
          { topic, rows: marked },
          'outbox rows were already on the topic after a relay crash; deleted them instead of resending',
        );
      }
    }
  }

  /**
   * Everything below the partitions' current ends is accounted for: recovery starts from here. Asked
   * of the broker only for a topic this database never published to; after that every mark moves the
   * positions on with the offsets the broker acknowledged.
   */
  async #recordEndPositions(topic: string): Promise<void> {
    const ends = await this.#options.inspector.endOffsets(topic);
    await this.#options.db.$executeRawUnsafe(
      `INSERT INTO "${relayPositionsTable}" ("topic", "partition", "offset")
       SELECT $1, p, o FROM unnest($2::int[], $3::bigint[]) AS ends(p, o)
       ON CONFLICT ("topic", "partition") DO UPDATE SET "offset" = EXCLUDED."offset"`,
      topic,
      [...ends.keys()],
      [...ends.values()],
    );
    this.#positioned.add(topic);
  }

  /**
   * Publishes the oldest pending rows: one SELECT, one produce request for all their topics, and
   * one statement that marks them (deletes them) and records where this send began on each partition.
   *
   * Why that record is enough for exactly-once across a crash: below the offset where a send began,
   * every record of ours was sent by an earlier batch, and positions move only in the same statement
   * as that batch's mark, so all of those are marked. Whatever a crash leaves in doubt was sent at or
   * after the recorded positions, which is where a successor looks.
   */
  async #publishBatch(): Promise<number> {
    const rows = await this.#options.db.$queryRawUnsafe<OutboxRow[]>(
      `SELECT "id"::text AS "id", "topic", "key", "value", "headers",
              (extract(epoch FROM "created_at") * 1000)::float8 AS "written_ms"
         FROM "${outboxTable}" WHERE "published_at" IS NULL
        ORDER BY "${outboxTable}"."id" LIMIT $1`, // the bigint column: the text alias sorts "10" before "6"
      this.#options.batchSize,
    );
    if (rows.length === 0) return 0;
    const byTopic = groupByTopic(rows);
    for (const topic of byTopic.keys()) {
      if (!this.#positioned.has(topic)) await this.#recordEndPositions(topic);
    }
    for (const row of rows) recordOutboxWait(row.headers, row.written_ms, { topic: row.topic });
    const published = await withBatchSpan(
      'send (outbox)',
      rows.map((row) => row.headers),
      { topic: [...byTopic.keys()].join(',') },
      () =>
        this.#options.producer.sendBatch(
          [...byTopic].map(([topic, topicRows]) => ({
            topic,
            records: topicRows.map((row) => ({
              key: row.key,
              value: row.value,
              headers: row.headers,
            })),
          })),
        ),
    );
    await this.#options.db.$executeRawUnsafe(
      `WITH "marked" AS (
         DELETE FROM "${outboxTable}" WHERE "id" = ANY($1::bigint[])
       )
       INSERT INTO "${relayPositionsTable}" ("topic", "partition", "offset")
       SELECT t, p, o FROM unnest($2::text[], $3::int[], $4::bigint[]) AS sent(t, p, o)
       ON CONFLICT ("topic", "partition") DO UPDATE
         SET "offset" = GREATEST("${relayPositionsTable}"."offset", EXCLUDED."offset")`,
      rows.map((row) => row.id),
      published.map((entry) => entry.topic),
      published.map((entry) => entry.partition),
      published.map((entry) => entry.offset),
    );
    this.#published += rows.length;
    this.#linger.took(rows.length);
    return rows.length;
  }
}

/** Rows per topic, each topic's rows in the order they were written (Map keeps insertion order). */
function groupByTopic(rows: readonly OutboxRow[]): Map<string, OutboxRow[]> {
  const byTopic = new Map<string, OutboxRow[]>();
  for (const row of rows) {
    const list = byTopic.get(row.topic);
    if (list) list.push(row);
    else byTopic.set(row.topic, [row]);
  }
  return byTopic;
}
