-- The catalogue, reservations per order and restocks per purchase order.
CREATE TABLE "products" (
    "sku" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "unit_price_cents" INTEGER NOT NULL,
    "available" INTEGER NOT NULL,
    "reorder_point" INTEGER NOT NULL,
    "reorder_quantity" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "products_pkey" PRIMARY KEY ("sku"),
    -- The last line of defence for the key invariant: no code path can drive stock below zero.
    CONSTRAINT "products_available_not_negative" CHECK ("available" >= 0),
    CONSTRAINT "products_unit_price_not_negative" CHECK ("unit_price_cents" >= 0),
    CONSTRAINT "products_reorder_point_not_negative" CHECK ("reorder_point" >= 0),
    CONSTRAINT "products_reorder_quantity_positive" CHECK ("reorder_quantity" > 0)
);

CREATE TABLE "reservations" (
    "order_id" UUID NOT NULL,
    "mode" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "response" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "reservations_pkey" PRIMARY KEY ("order_id")
);

CREATE TABLE "restocks" (
    "purchase_order_id" UUID NOT NULL,
    "sku" TEXT NOT NULL,
    "quantity" INTEGER NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "restocks_pkey" PRIMARY KEY ("purchase_order_id")
);

-- The streaming client's outbox, inbox and relay positions (outboxInboxMigrationSql).
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
