-- CreateTable
CREATE TABLE "orders" (
    "id" UUID NOT NULL,
    "customer_id" TEXT NOT NULL,
    "mode" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "total_cents" BIGINT,
    "rejection_reason" TEXT,
    "rejection_detail" TEXT,
    "received_at" TIMESTAMPTZ(3) NOT NULL,
    "decided_at" TIMESTAMPTZ(3),

    CONSTRAINT "orders_pkey" PRIMARY KEY ("id"),
    -- Not modelled by Prisma: the database itself refuses states the service has no name for.
    CONSTRAINT "orders_mode_check" CHECK ("mode" IN ('async', 'sync')),
    CONSTRAINT "orders_status_check" CHECK ("status" IN ('PENDING', 'CONFIRMED', 'REJECTED'))
);

-- CreateTable
CREATE TABLE "order_lines" (
    "order_id" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "sku" TEXT NOT NULL,
    "quantity" INTEGER NOT NULL,
    "unit_price_cents" BIGINT,

    CONSTRAINT "order_lines_pkey" PRIMARY KEY ("order_id","position")
);

-- CreateTable
CREATE TABLE "idempotency_keys" (
    "key" TEXT NOT NULL,
    "request_hash" TEXT NOT NULL,
    "order_id" UUID NOT NULL,
    "response_status" INTEGER,
    "response_body" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "idempotency_keys_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "unmatched_reservation_results" (
    "event_id" UUID NOT NULL,
    "order_id" UUID NOT NULL,
    "mode" TEXT NOT NULL,
    "outcome" TEXT NOT NULL,
    "event" JSONB NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "unmatched_reservation_results_pkey" PRIMARY KEY ("event_id")
);

-- CreateIndex
CREATE INDEX "orders_status_received_at_idx" ON "orders"("status", "received_at");

-- CreateIndex
CREATE INDEX "orders_received_at_idx" ON "orders"("received_at");

-- CreateIndex
CREATE INDEX "unmatched_reservation_results_order_id_idx" ON "unmatched_reservation_results"("order_id");

-- AddForeignKey
ALTER TABLE "order_lines" ADD CONSTRAINT "order_lines_order_id_fkey" FOREIGN KEY ("order_id") REFERENCES "orders"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The streaming client's outbox, inbox and relay positions, with the NOTIFY trigger the relay wakes on
-- (outboxInboxMigrationSql of @retail-streams/streaming-client, verbatim).
CREATE TABLE "outbox_events" (
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
CREATE UNIQUE INDEX "outbox_events_event_id_key" ON "outbox_events"("event_id");
CREATE INDEX "outbox_events_pending_idx" ON "outbox_events"("id") WHERE "published_at" IS NULL;

CREATE TABLE "inbox_events" (
    "consumer_group" TEXT NOT NULL,
    "event_id" UUID NOT NULL,
    "topic" TEXT NOT NULL,
    "partition" INTEGER NOT NULL,
    "offset" BIGINT NOT NULL,
    "processed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "inbox_events_pkey" PRIMARY KEY ("consumer_group", "event_id")
);

CREATE TABLE "outbox_relay_positions" (
    "topic" TEXT NOT NULL,
    "partition" INTEGER NOT NULL,
    "offset" BIGINT NOT NULL,
    CONSTRAINT "outbox_relay_positions_pkey" PRIMARY KEY ("topic", "partition")
);

CREATE FUNCTION "outbox_events_notify"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('outbox_events_inserted', '');
  RETURN NULL;
END;
$$;
CREATE TRIGGER "outbox_events_inserted" AFTER INSERT ON "outbox_events"
  FOR EACH STATEMENT EXECUTE FUNCTION "outbox_events_notify"();
