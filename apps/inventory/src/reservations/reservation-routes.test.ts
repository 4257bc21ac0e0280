import { randomUUID } from 'node:crypto';
import { reservationResponse } from '@retail-streams/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  eventually,
  product,
  startInventoryTestbed,
  type InventoryTestbed,
} from '../test-support/inventory-testbed.ts';

let testbed: InventoryTestbed;
let inventory: Awaited<ReturnType<InventoryTestbed['startInventory']>>;

beforeAll(async () => {
  testbed = await startInventoryTestbed();
  inventory = await testbed.startInventory('reservation_routes');
});
afterAll(async () => {
  await testbed?.stop();
});

function postReservation(body: unknown) {
  return fetch(`${inventory.url}/reservations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

async function reserve(lines: { sku: string; quantity: number }[], orderId = randomUUID()) {
  const response = await postReservation({ orderId, lines });
  expect(response.status).toBe(200);
  return reservationResponse.parse(await response.json());
}

describe('POST /reservations (the sync order path)', () => {
  it('reserves and answers CONFIRMED with prices, and announces it with mode sync', async () => {
    const before = (await product(inventory.url, 'SKU-PAN-01')).available;
    const orderId = randomUUID();
    const answer = await reserve([{ sku: 'SKU-PAN-01', quantity: 2 }], orderId);

    expect(answer).toEqual({
      orderId,
      status: 'CONFIRMED',
      lines: [{ sku: 'SKU-PAN-01', quantity: 2, unitPrice: 39.99 }],
      totalAmount: 79.98,
    });
    expect((await product(inventory.url, 'SKU-PAN-01')).available).toBe(before - 2);
    const announced = await eventually('the StockReserved event of the sync reservation', () =>
      testbed.events.reservationResults.find((event) => event.data.orderId === orderId),
    );
    expect(announced).toMatchObject({ type: 'StockReserved', data: { mode: 'sync' } });
  });

  it('answers REJECTED (still 200) when stock is short, and reserves nothing', async () => {
    const before = (await product(inventory.url, 'SKU-SCALE-01')).available;
    const answer = await reserve([
      { sku: 'SKU-SCALE-01', quantity: 1 },
      { sku: 'SKU-SCALE-01', quantity: before },
    ]);
    expect(answer).toMatchObject({ status: 'REJECTED', reason: 'INSUFFICIENT_STOCK' });
    expect((await product(inventory.url, 'SKU-SCALE-01')).available).toBe(before);
  });

  it('is idempotent per orderId: a retry gets the first answer and reserves nothing more', async () => {
    const before = (await product(inventory.url, 'SKU-KNIFE-01')).available;
    const orderId = randomUUID();
    const first = await reserve([{ sku: 'SKU-KNIFE-01', quantity: 1 }], orderId);
    const retried = await Promise.all([
      reserve([{ sku: 'SKU-KNIFE-01', quantity: 1 }], orderId),
      reserve([{ sku: 'SKU-KNIFE-01', quantity: 5 }], orderId),
    ]);

    for (const answer of retried) expect(answer).toEqual(first);
    expect((await product(inventory.url, 'SKU-KNIFE-01')).available).toBe(before - 1);
    // (That the retries announce nothing either is reserveOrder's spec.)
  });

  it('never oversells the last units under concurrent calls', async () => {
    // SKU-POT-01 starts with 60: 40 concurrent calls for 2 units each can confirm 30.
    const before = (await product(inventory.url, 'SKU-POT-01')).available;
    const answers = await Promise.all(
      Array.from({ length: 40 }, () => reserve([{ sku: 'SKU-POT-01', quantity: 2 }])),
    );
    const confirmed = answers.filter((answer) => answer.status === 'CONFIRMED');
    expect(confirmed).toHaveLength(Math.floor(before / 2));
    expect((await product(inventory.url, 'SKU-POT-01')).available).toBe(before % 2);
  });

  describe('rejects invalid requests with a 400 problem that names the field', () => {
    const orderId = randomUUID();
    const cases: [string, unknown, string][] = [
      ['no orderId', { lines: [{ sku: 'SKU-MUG-01', quantity: 1 }] }, 'orderId'],
      [
        'an orderId that is no UUID',
        { orderId: '42', lines: [{ sku: 'SKU-MUG-01', quantity: 1 }] },
        'orderId',
      ],
      ['no lines', { orderId, lines: [] }, 'lines'],
      [
        'a zero quantity',
        { orderId, lines: [{ sku: 'SKU-MUG-01', quantity: 0 }] },
        'lines.0.quantity',
      ],
      [
        'a fractional quantity',
        { orderId, lines: [{ sku: 'SKU-MUG-01', quantity: 1.5 }] },
        'lines.0.quantity',
      ],
      [
        'a malformed SKU',
        { orderId, lines: [{ sku: 'mug; drop table', quantity: 1 }] },
        'lines.0.sku',
      ],
      ['an array body', [1, 2, 3], ''],
    ];
    it.each(cases)('%s', async (_name, body, path) => {
      const response = await postReservation(body);
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      const problem = (await response.json()) as { code: string; issues: { path: string }[] };
      expect(problem.code).toBe('VALIDATION_FAILED');
      expect(problem.issues.map((issue) => issue.path)).toContain(path);
    });

    it('malformed JSON', async () => {
      const response = await postReservation('{"orderId": ');
      expect(response.status).toBe(400);
      expect(((await response.json()) as { code: string }).code).toBe('MALFORMED_JSON');
    });

    it('and none of them reserved anything', async () => {
      const reserved = await fetch(`${inventory.url}/products`);
      const { products } = (await reserved.json()) as {
        products: { sku: string; available: number }[];
      };
      expect(products.find((entry) => entry.sku === 'SKU-MUG-01')?.available).toBe(400);
    });
  });

  it('keeps the admin endpoints away unless ADMIN_ENDPOINTS=true', async () => {
    const response = await fetch(`${inventory.url}/admin/latency`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ms: 1000 }),
    });
    expect(response.status).toBe(404);
    expect(inventory.latency.ms).toBe(0);
  });
});
