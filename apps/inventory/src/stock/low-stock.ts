/** Why a SKU's stock level changed: the `cause` of a StockLevelChanged event. */
export type StockChangeCause = 'seed' | 'reservation' | 'restock';

export interface StockChange {
  cause: StockChangeCause;
  before: number;
  after: number;
  reorderPoint: number;
}

/**
 * Whether a stock change should raise LowStockDetected. A reservation raises it only when it crosses
 * the reorder point (from above to at-or-below), so a run of orders on a low SKU does not flood
 * reordering with duplicates. A delivery that still leaves the SKU at or below the point raises it
 * again: the purchase order it closed was not enough, and nothing else would ask for another. A SKU
 * seeded at or below its point asks at once.
 */
export function raisesLowStock(change: StockChange): boolean {
  const lowAfter = change.after <= change.reorderPoint;
  switch (change.cause) {
    case 'reservation':
      return change.before > change.reorderPoint && lowAfter;
    case 'restock':
    case 'seed':
      return lowAfter;
  }
}
