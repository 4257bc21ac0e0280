import { announceStockChange } from '../stock/announce-stock-change.ts';
import { inTransaction, type InventoryPrisma } from '../database/inventory-database.ts';
import { catalogueItems, type CatalogueItem } from './catalogue-items.ts';

/** The correlation id of the stock levels announced by seeding (they belong to no order). */
export const SEED_CORRELATION_ID = 'catalogue-seed';

/**
 * Inserts the catalogue items that are not there yet and announces their stock levels through the
 * outbox in the same transaction. An item that exists is left alone (its stock has moved on since),
 * so running this at every start-up is safe, and each SKU's seed level is announced exactly once:
 * two replicas starting together serialise on the primary key and only one inserts.
 * Returns the SKUs it inserted.
 */
export async function seedCatalogue(
  prisma: InventoryPrisma,
  items: readonly CatalogueItem[] = catalogueItems,
): Promise<string[]> {
  return inTransaction(prisma, async (tx) => {
    const inserted: string[] = [];
    for (const item of items) {
      const rows = await tx.$queryRawUnsafe<{ sku: string }[]>(
        `INSERT INTO "products" ("sku", "name", "unit_price_cents", "available", "reorder_point", "reorder_quantity")
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT ("sku") DO NOTHING
         RETURNING "sku"`,
        item.sku,
        item.name,
        item.unitPriceCents,
        item.initialStock,
        item.reorderPoint,
        item.reorderQuantity,
      );
      if (rows.length === 0) continue;
      inserted.push(item.sku);
      await announceStockChange(tx, {
        product: item,
        cause: 'seed',
        before: 0,
        after: item.initialStock,
        correlationId: SEED_CORRELATION_ID,
      });
    }
    return inserted;
  });
}
