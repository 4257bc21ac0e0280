import { createLogger, createServiceApp, startHttpServer } from '@retail-streams/service-kit';
import { startTestPostgres, type TestPostgres } from '@retail-streams/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InventoryPrisma } from '../database/inventory-database.ts';
import { freshInventoryDatabase } from '../test-support/inventory-database.ts';
import { catalogueItems } from './catalogue-items.ts';
import { productRoutes } from './product-routes.ts';

let postgres: TestPostgres;
let prisma: InventoryPrisma;
let server: Awaited<ReturnType<typeof startHttpServer>>;

beforeAll(async () => {
  postgres = await startTestPostgres();
  ({ prisma } = await freshInventoryDatabase(postgres, 'product_routes'));
  const app = createServiceApp({
    name: 'inventory',
    logger: createLogger('inventory', { level: 'silent' }),
    routes: (router) => productRoutes(router, prisma),
  });
  server = await startHttpServer(app, 0, '127.0.0.1');
});
afterAll(async () => {
  await server?.close();
  await prisma?.$disconnect();
  await postgres?.stop();
});

describe('GET /products', () => {
  it('lists the whole seeded catalogue by SKU, with decimal prices', async () => {
    const response = await fetch(`${server.url}/products`);
    expect(response.status).toBe(200);
    const { products } = (await response.json()) as {
      products: { sku: string; unitPrice: number; available: number }[];
    };
    expect(products.map((entry) => entry.sku)).toEqual(
      catalogueItems.map((item) => item.sku).sort(),
    );
    expect(products.find((entry) => entry.sku === 'SKU-KETTLE-01')).toMatchObject({
      unitPrice: 34.99,
      available: 120,
    });
  });
});

describe('GET /products/:sku', () => {
  it('shows one product', async () => {
    const response = await fetch(`${server.url}/products/SKU-MUG-01`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      sku: 'SKU-MUG-01',
      name: 'Stoneware mug',
      unitPrice: 7.99,
      available: 400,
      reorderPoint: 60,
      reorderQuantity: 300,
    });
  });

  it('answers 404 PRODUCT_NOT_FOUND for a SKU it does not stock', async () => {
    const response = await fetch(`${server.url}/products/SKU-NOPE-01`);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(await response.json()).toMatchObject({
      code: 'PRODUCT_NOT_FOUND',
      detail: 'No product SKU-NOPE-01',
    });
  });

  it('answers 400 for something that cannot be a SKU', async () => {
    const response = await fetch(`${server.url}/products/${encodeURIComponent("x' OR 1=1")}`);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it.each(['/products/%%%%', '/products?sku=%E0%A4%A'])(
    'answers 400 problem+json, not 500, for malformed percent-encoding: %s',
    async (path) => {
      const response = await fetch(`${server.url}${path}`);
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await response.json()).toMatchObject({ code: 'MALFORMED_URI' });
    },
  );
});
