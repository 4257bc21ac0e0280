import {
  createEvent,
  topics,
  type ReservationRejected,
  type ReservationResponse,
} from '@retail-streams/contracts';
import { writeToOutbox } from '@retail-streams/streaming-client';
import type { InventoryTx } from '../database/inventory-database.ts';
import { announceStockChange, SERVICE_NAME } from '../stock/announce-stock-change.ts';
import { centsToAmount } from '../stock/money.ts';

export interface ReservationInput {
  orderId: string;
  lines: readonly { sku: string; quantity: number }[];
  /** Which order path asked: the event path (`async`) or `POST /reservations` (`sync`). */
  mode: 'async' | 'sync';
  /** The OrderPlaced event that asked, on the event path. */
  causationId?: string | null;
}

export interface ReservationOutcome {
  response: ReservationResponse;
  /** False when the order had been answered before: nothing was reserved or announced this time. */
  created: boolean;
}

interface LockedProduct {
  sku: string;
  unit_price_cents: number;
  available: number;
  reorder_point: number;
  reorder_quantity: number;
}

type RejectedLine = ReservationRejected['data']['lines'][number];

/**
 * Reserves every line of an order or none, inside the caller's transaction, and writes the result
 * (and the stock levels and low-stock alerts it causes) to the outbox in the same transaction.
 *
 * - Idempotent per order: the reservation row is claimed first; a second attempt for the same order
 *   (a retried HTTP call, an order placed again) waits for the first to commit, then returns its
 *   stored answer and changes nothing.
 * - No oversell: each SKU's row is locked (`FOR UPDATE`) before its stock is read, so concurrent
 *   reservations of the same SKU queue up and each sees what the previous one left. Rows are locked
 *   in SKU order, the same order in every transaction, so two orders sharing SKUs cannot deadlock.
 * - The CHECK constraint on `available` backs this up: a bug here aborts the transaction instead
 *   of storing negative stock.
 */
export async function reserveOrder(
  tx: InventoryTx,
  input: ReservationInput,
): Promise<ReservationOutcome> {
  const claimed = await tx.$executeRawUnsafe(
    `INSERT INTO "reservations" ("order_id", "mode", "status", "response")
     VALUES ($1::uuid, $2, 'PENDING', '{}'::jsonb)
     ON CONFLICT ("order_id") DO NOTHING`,
    input.orderId,
    input.mode,
  );
  if (claimed === 0) {
    const [existing] = await tx.$queryRawUnsafe<{ response: ReservationResponse }[]>(
      `SELECT "response" FROM "reservations" WHERE "order_id" = $1::uuid`,
      input.orderId,
    );
    if (!existing) throw new Error(`RESERVATION_VANISHED: order ${input.orderId}`);
    return { response: existing.response, created: false };
  }

  const lines = mergeLinesBySku(input.lines);
  const products = new Map<string, LockedProduct>();
  for (const line of lines) {
    const [product] = await tx.$queryRawUnsafe<LockedProduct[]>(
      `SELECT "sku", "unit_price_cents", "available", "reorder_point", "reorder_quantity"
       FROM "products" WHERE "sku" = $1 FOR UPDATE`,
      line.sku,
    );
    if (product) products.set(line.sku, product);
  }

  const rejection = checkReservable(lines, products);
  const response: ReservationResponse = rejection
    ? {
        orderId: input.orderId,
        status: 'REJECTED',
        reason: rejection.reason,
        detail: rejection.detail,
      }
    : await takeStock(tx, input, lines, products);

  await tx.$executeRawUnsafe(
    `UPDATE "reservations" SET "status" = $2, "response" = $3::jsonb WHERE "order_id" = $1::uuid`,
    input.orderId,
    response.status,
    JSON.stringify(response),
  );
  const metadata = {
    source: SERVICE_NAME,
    correlationId: input.orderId,
    causationId: input.causationId ?? null,
  };
  const result =
    response.status === 'CONFIRMED'
      ? createEvent(
          topics.reservationResult,
          'StockReserved',
          {
            orderId: input.orderId,
            mode: input.mode,
            lines: response.lines,
            totalAmount: response.totalAmount,
          },
          metadata,
        )
      : createEvent(
          topics.reservationResult,
          'ReservationRejected',
          {
            orderId: input.orderId,
            mode: input.mode,
            reason: response.reason,
            detail: response.detail,
            lines: rejection?.lines ?? [],
          },
          metadata,
        );
  await writeToOutbox(tx, topics.reservationResult, [result]);
  return { response, created: true };
}

/** One line per SKU, in SKU order: the lock order, and a SKU ordered twice is checked as its sum. */
export function mergeLinesBySku(
  lines: readonly { sku: string; quantity: number }[],
): { sku: string; quantity: number }[] {
  const totals = new Map<string, number>();
  for (const line of lines) totals.set(line.sku, (totals.get(line.sku) ?? 0) + line.quantity);
  return [...totals.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([sku, quantity]) => ({ sku, quantity }));
}

interface Rejection {
  reason: 'UNKNOWN_SKU' | 'INSUFFICIENT_STOCK';
  detail: string;
  lines: RejectedLine[];
}

function checkReservable(
  lines: readonly { sku: string; quantity: number }[],
  products: ReadonlyMap<string, LockedProduct>,
): Rejection | undefined {
  const report = lines.map((line) => ({
    sku: line.sku,
    requested: line.quantity,
    available: products.get(line.sku)?.available ?? 0,
  }));
  const unknown = lines.filter((line) => !products.has(line.sku)).map((line) => line.sku);
  if (unknown.length > 0) {
    return {
      reason: 'UNKNOWN_SKU',
      detail: `Unknown SKU${unknown.length === 1 ? '' : 's'}: ${unknown.join(', ')}.`,
      lines: report,
    };
  }
  const short = report.filter((line) => line.available < line.requested);
  if (short.length > 0) {
    return {
      reason: 'INSUFFICIENT_STOCK',
      detail: `Not enough stock for ${short
        .map((line) => `${line.sku} (requested ${line.requested}, available ${line.available})`)
        .join(', ')}.`,
      lines: report,
    };
  }
  return undefined;
}

async function takeStock(
  tx: InventoryTx,
  input: ReservationInput,
  lines: readonly { sku: string; quantity: number }[],
  products: ReadonlyMap<string, LockedProduct>,
): Promise<ReservationResponse> {
  let totalCents = 0;
  const reserved: { sku: string; quantity: number; unitPrice: number }[] = [];
  for (const line of lines) {
    const product = products.get(line.sku) as LockedProduct;
    const after = product.available - line.quantity;
    await tx.$executeRawUnsafe(
      `UPDATE "products" SET "available" = $2, "updated_at" = CURRENT_TIMESTAMP WHERE "sku" = $1`,
      line.sku,
      after,
    );
    await announceStockChange(tx, {
      product: {
        sku: product.sku,
        reorderPoint: product.reorder_point,
        reorderQuantity: product.reorder_quantity,
      },
      cause: 'reservation',
      before: product.available,
      after,
      correlationId: input.orderId,
      causationId: input.causationId ?? null,
    });
    totalCents += product.unit_price_cents * line.quantity;
    reserved.push({
      sku: line.sku,
      quantity: line.quantity,
      unitPrice: centsToAmount(product.unit_price_cents),
    });
  }
  return {
    orderId: input.orderId,
    status: 'CONFIRMED',
    lines: reserved,
    totalAmount: centsToAmount(totalCents),
  };
}
