import { sku } from '@retail-streams/contracts';
import { describe, expect, it } from 'vitest';
import { catalogueItems } from './catalogue-items.ts';

describe('the seed catalogue', () => {
  it('has about twenty distinct SKUs that the contracts accept', () => {
    expect(catalogueItems.length).toBeGreaterThanOrEqual(18);
    expect(new Set(catalogueItems.map((item) => item.sku)).size).toBe(catalogueItems.length);
    for (const item of catalogueItems) expect(sku.safeParse(item.sku).success, item.sku).toBe(true);
  });

  it('starts every SKU above its reorder point, with a positive price and reorder quantity', () => {
    for (const item of catalogueItems) {
      expect(item.initialStock, item.sku).toBeGreaterThan(item.reorderPoint);
      expect(item.unitPriceCents, item.sku).toBeGreaterThan(0);
      expect(Number.isInteger(item.unitPriceCents), item.sku).toBe(true);
      expect(item.reorderQuantity, item.sku).toBeGreaterThan(0);
    }
  });
});
