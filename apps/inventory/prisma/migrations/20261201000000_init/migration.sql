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

-- The outbox, inbox and relay positions are the streaming client's: its own migration creates them
-- (libs/streaming/client/migrations, applied by the same runner). This file created them here
-- before, and databases migrated then recorded that version's checksum:
-- replaces checksum 7ae082f9967b199a4a217f3df69c75a67960b338f5814e136bfd3e7a2c17c2d0: the same file with the streaming client's tables.
