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

-- The outbox, inbox and relay positions are the streaming client's: its own migration creates them
-- (libs/streaming/client/migrations, applied by the same runner). This file created them here
-- before, and databases migrated then recorded that version's checksum:
-- replaces checksum a7f6461191d257b97ab17c73e2ddbff33c59c3707b23765399c479a23da9b83b: the same file with the streaming client's tables.
