import type { Router } from 'express';
import { z } from 'zod';
import { sku } from '@retail-streams/contracts';
import { HttpProblem, validate } from '@retail-streams/service-kit';
import type { InventoryPrisma } from '../database/inventory-database.ts';
import { productView } from './product-view.ts';

/** `GET /products` (the whole catalogue, by SKU) and `GET /products/:sku`. */
export function productRoutes(router: Router, prisma: InventoryPrisma): void {
  router.get('/products', async (_req, res) => {
    const products = await prisma.product.findMany({ orderBy: { sku: 'asc' } });
    res.json({ products: products.map(productView) });
  });

  router.get('/products/:sku', validate({ params: z.object({ sku }) }), async (req, res) => {
    const product = await prisma.product.findUnique({ where: { sku: req.params.sku } });
    if (!product) throw HttpProblem.notFound(`No product ${req.params.sku}`, 'PRODUCT_NOT_FOUND');
    res.json(productView(product));
  });
}
