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

-- The outbox, inbox and relay positions are the streaming client's: its own migration creates them
-- (libs/streaming/client/migrations, applied by the same runner). This file created them here
-- before, and databases migrated then recorded that version's checksum:
-- replaces checksum f4310b7ce891fff886e7c463ed8a86fdae45df5e55d5f1d0c561822fdf953aaf: the same file with the streaming client's tables.
