-- CreateTable
CREATE TABLE "processing_state" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "group_id" TEXT NOT NULL,
    "checkpoint" TEXT,
    "replay_id" UUID,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "processing_state_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "window_results" (
    "aggregation" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "window_start" BIGINT NOT NULL,
    "window_end" BIGINT NOT NULL,
    "value" JSONB NOT NULL,
    "final" BOOLEAN NOT NULL DEFAULT false,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "window_results_pkey" PRIMARY KEY ("aggregation","key","window_start")
);

-- CreateTable
CREATE TABLE "keyed_results" (
    "aggregation" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "value" JSONB NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "keyed_results_pkey" PRIMARY KEY ("aggregation","key")
);

-- CreateTable
CREATE TABLE "late_events" (
    "aggregation" TEXT NOT NULL,
    "topic" TEXT NOT NULL,
    "partition" INTEGER NOT NULL,
    "offset" BIGINT NOT NULL,
    "event_time" TIMESTAMPTZ(3) NOT NULL,
    "stream_time" TIMESTAMPTZ(3) NOT NULL,
    "windows" JSONB NOT NULL,

    CONSTRAINT "late_events_pkey" PRIMARY KEY ("aggregation","topic","partition","offset")
);

-- CreateTable
CREATE TABLE "order_timings" (
    "order_id" UUID NOT NULL,
    "mode" TEXT,
    "placed_at" TIMESTAMPTZ(3),
    "resolved_at" TIMESTAMPTZ(3),
    "outcome" TEXT,

    CONSTRAINT "order_timings_pkey" PRIMARY KEY ("order_id")
);

-- CreateTable
CREATE TABLE "purchase_order_timings" (
    "purchase_order_id" UUID NOT NULL,
    "sku" TEXT NOT NULL,
    "quantity" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3),
    "received_at" TIMESTAMPTZ(3),

    CONSTRAINT "purchase_order_timings_pkey" PRIMARY KEY ("purchase_order_id")
);

-- CreateTable
CREATE TABLE "stock_levels" (
    "sku" TEXT NOT NULL,
    "available" INTEGER NOT NULL,
    "reorder_point" INTEGER NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "stock_levels_pkey" PRIMARY KEY ("sku")
);

-- CreateTable
CREATE TABLE "stock_outs" (
    "topic" TEXT NOT NULL,
    "partition" INTEGER NOT NULL,
    "offset" BIGINT NOT NULL,
    "sku" TEXT NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "stock_outs_pkey" PRIMARY KEY ("topic","partition","offset")
);

-- CreateTable
CREATE TABLE "replays" (
    "id" UUID NOT NULL,
    "group_id" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "phase" TEXT NOT NULL,
    "targets" JSONB NOT NULL,
    "error" TEXT,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "replays_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "late_events_event_time_idx" ON "late_events"("event_time");

-- CreateIndex
CREATE INDEX "stock_outs_sku_idx" ON "stock_outs"("sku");

-- The outbox, inbox and relay positions every service declares (streaming-client), with the NOTIFY trigger.
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
