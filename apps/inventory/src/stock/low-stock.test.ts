import { describe, expect, it } from 'vitest';
import { raisesLowStock } from './low-stock.ts';

describe('raisesLowStock', () => {
  it('raises for a reservation that takes stock from above the reorder point to at or below it', () => {
    expect(raisesLowStock({ cause: 'reservation', before: 11, after: 10, reorderPoint: 10 })).toBe(
      true,
    );
    expect(raisesLowStock({ cause: 'reservation', before: 30, after: 0, reorderPoint: 10 })).toBe(
      true,
    );
  });

  it('stays quiet for reservations above the point and for those already below it', () => {
    expect(raisesLowStock({ cause: 'reservation', before: 30, after: 11, reorderPoint: 10 })).toBe(
      false,
    );
    expect(raisesLowStock({ cause: 'reservation', before: 10, after: 9, reorderPoint: 10 })).toBe(
      false,
    );
  });

  it('raises again when a delivery still leaves the SKU at or below the point', () => {
    expect(raisesLowStock({ cause: 'restock', before: 0, after: 10, reorderPoint: 10 })).toBe(true);
    expect(raisesLowStock({ cause: 'restock', before: 0, after: 11, reorderPoint: 10 })).toBe(
      false,
    );
  });

  it('raises for a SKU seeded at or below its point', () => {
    expect(raisesLowStock({ cause: 'seed', before: 0, after: 3, reorderPoint: 5 })).toBe(true);
    expect(raisesLowStock({ cause: 'seed', before: 0, after: 100, reorderPoint: 5 })).toBe(false);
  });
});
