/**
 * The tables behind the transactional outbox and the inbox (and the relay's positions: below them,
 * every record on a topic is known to be accounted for). Each service owns them in its own
 * database: declare the models in its schema.prisma (see the README of this library) and put this SQL
 * in one of its migrations. The trigger is what lets the relay wake on insert instead of polling.
 */
export const outboxTable = 'outbox_events';
export const inboxTable = 'inbox_events';
export const outboxChannel = 'outbox_events_inserted';
export const relayPositionsTable = 'outbox_relay_positions';

export const outboxInboxMigrationSql = `
CREATE TABLE "${outboxTable}" (
    "id" BIGSERIAL NOT NULL,
    "event_id" UUID NOT NULL,
    "topic" TEXT NOT NULL,
    "key" TEXT,
    "value" TEXT NOT NULL,
    "headers" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "published_at" TIMESTAMPTZ(3),
    CONSTRAINT "${outboxTable}_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "${outboxTable}_event_id_key" ON "${outboxTable}"("event_id");
CREATE INDEX "${outboxTable}_pending_idx" ON "${outboxTable}"("id") WHERE "published_at" IS NULL;

CREATE TABLE "${inboxTable}" (
    "consumer_group" TEXT NOT NULL,
    "event_id" UUID NOT NULL,
    "topic" TEXT NOT NULL,
    "partition" INTEGER NOT NULL,
    "offset" BIGINT NOT NULL,
    "processed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "${inboxTable}_pkey" PRIMARY KEY ("consumer_group", "event_id")
);

CREATE TABLE "${relayPositionsTable}" (
    "topic" TEXT NOT NULL,
    "partition" INTEGER NOT NULL,
    "offset" BIGINT NOT NULL,
    CONSTRAINT "${relayPositionsTable}_pkey" PRIMARY KEY ("topic", "partition")
);

CREATE FUNCTION "${outboxTable}_notify"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('${outboxChannel}', '');
  RETURN NULL;
END;
$$;
CREATE TRIGGER "${outboxTable}_inserted" AFTER INSERT ON "${outboxTable}"
  FOR EACH STATEMENT EXECUTE FUNCTION "${outboxTable}_notify"();
`;

/**
 * What the outbox and inbox need from a database client: raw SQL with positional parameters. A
 * Prisma client and a Prisma interactive-transaction client both fit, so the library does not depend
 * on any service's generated client.
 */
export interface SqlExecutor {
  $executeRawUnsafe(query: string, ...values: unknown[]): Promise<number>;
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>;
}

/** A client that can run a function in one database transaction (a Prisma client). */
export interface TransactionalClient<Tx extends SqlExecutor> extends SqlExecutor {
  $transaction<R>(work: (tx: Tx) => Promise<R>): Promise<R>;
}
