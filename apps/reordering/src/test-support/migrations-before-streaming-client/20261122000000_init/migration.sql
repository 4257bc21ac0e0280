-- CreateEnum
CREATE TYPE "PurchaseOrderStatus" AS ENUM ('ORDERED', 'SHIPPED', 'RECEIVED');

-- CreateTable
CREATE TABLE "purchase_orders" (
    "id" UUID NOT NULL,
    "sku" TEXT NOT NULL,
    "quantity" INTEGER NOT NULL,
    "status" "PurchaseOrderStatus" NOT NULL DEFAULT 'ORDERED',
    "low_stock_event_id" UUID NOT NULL,
    "low_stock_signals" INTEGER NOT NULL DEFAULT 1,
    "available_at_order" INTEGER NOT NULL,
    "reorder_point" INTEGER NOT NULL,
    "ordered_at" TIMESTAMPTZ(3) NOT NULL,
    "next_step_at" TIMESTAMPTZ(3),
    "expected_at" TIMESTAMPTZ(3) NOT NULL,
    "shipped_at" TIMESTAMPTZ(3),
    "received_at" TIMESTAMPTZ(3),

    CONSTRAINT "purchase_orders_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "purchase_orders_quantity_positive" CHECK ("quantity" > 0)
);

-- CreateIndex
CREATE INDEX "purchase_orders_sku_ordered_at_idx" ON "purchase_orders"("sku", "ordered_at");

-- CreateIndex
CREATE INDEX "purchase_orders_status_ordered_at_idx" ON "purchase_orders"("status", "ordered_at");

-- CreateIndex
CREATE INDEX "purchase_orders_next_step_at_idx" ON "purchase_orders"("next_step_at");

-- At most one open purchase order per SKU, whoever inserts it and however concurrently: the low-stock
-- handler inserts with ON CONFLICT against this index, so a second open order cannot exist.
CREATE UNIQUE INDEX "purchase_orders_one_open_per_sku" ON "purchase_orders"("sku") WHERE "status" <> 'RECEIVED';

-- Outbox, inbox and relay positions (@retail-streams/streaming-client outboxInboxMigrationSql)

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
