import { centsToAmount } from '../stock/money.ts';

/** A product as the HTTP API shows it: the price as a decimal amount, as in the events. */
export interface ProductView {
  sku: string;
  name: string;
  unitPrice: number;
  available: number;
  reorderPoint: number;
  reorderQuantity: number;
  updatedAt: string;
}

export function productView(product: {
  sku: string;
  name: string;
  unitPriceCents: number;
  available: number;
  reorderPoint: number;
  reorderQuantity: number;
  updatedAt: Date;
}): ProductView {
  return {
    sku: product.sku,
    name: product.name,
    unitPrice: centsToAmount(product.unitPriceCents),
    available: product.available,
    reorderPoint: product.reorderPoint,
    reorderQuantity: product.reorderQuantity,
    updatedAt: product.updatedAt.toISOString(),
  };
}
