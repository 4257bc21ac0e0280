-- The streaming client's tables, owned here and applied by each service's migration runner
-- (`libraryMigrationsDirs: [streamingClientMigrationsDir]`): the transactional outbox, the inbox,
-- and the relay's positions (below them every record on a topic is accounted for), with the NOTIFY
-- trigger that wakes the relay on insert instead of polling.
--
-- Every statement is a no-op where its object exists: databases migrated before this library owned
-- the tables got the same ones from the service's own first migration. Change them only in a new
-- migration beside this one.
CREATE TABLE IF NOT EXISTS "outbox_events" (
    "id" BIGSERIAL NOT NULL,
    "event_id" UUID NOT NULL,
    "topic" TEXT NOT NULL,
    "key" TEXT,
    "value" TEXT NOT NULL,
    "headers" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "published_at" TIMESTAMPTZ(3),
    CONSTRAINT "outbox_events_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX IF NOT EXISTS "outbox_events_event_id_key" ON "outbox_events"("event_id");
CREATE INDEX IF NOT EXISTS "outbox_events_pending_idx" ON "outbox_events"("id") WHERE "published_at" IS NULL;

CREATE TABLE IF NOT EXISTS "inbox_events" (
    "consumer_group" TEXT NOT NULL,
    "event_id" UUID NOT NULL,
    "topic" TEXT NOT NULL,
    "partition" INTEGER NOT NULL,
    "offset" BIGINT NOT NULL,
    "processed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "inbox_events_pkey" PRIMARY KEY ("consumer_group", "event_id")
);

CREATE TABLE IF NOT EXISTS "outbox_relay_positions" (
    "topic" TEXT NOT NULL,
    "partition" INTEGER NOT NULL,
    "offset" BIGINT NOT NULL,
    CONSTRAINT "outbox_relay_positions_pkey" PRIMARY KEY ("topic", "partition")
);

CREATE OR REPLACE FUNCTION "outbox_events_notify"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('outbox_events_inserted', '');
  RETURN NULL;
END;
$$;
-- CREATE OR REPLACE TRIGGER needs PostgreSQL 14 or later (the project runs 17 and 18).
CREATE OR REPLACE TRIGGER "outbox_events_inserted" AFTER INSERT ON "outbox_events"
  FOR EACH STATEMENT EXECUTE FUNCTION "outbox_events_notify"();
