import {
  createEvent,
  topics,
  type ReservationRejected,
  type ReservationResponse,
} from '@retail-streams/contracts';
import {
  outboxInsertSql,
  outboxRows,
  type OutboxRow,
  type TraceContext,
} from '@retail-streams/streaming-client';
import type { InventoryTx } from '../database/inventory-database.ts';
import { SERVICE_NAME, stockChangeRows } from '../stock/announce-stock-change.ts';
import { centsToAmount } from '../stock/money.ts';

export interface ReservationInput {
  orderId: string;
  lines: readonly { sku: string; quantity: number }[];
  /** Which order path asked: the event path (`async`) or `POST /reservations` (`sync`). */
  mode: 'async' | 'sync';
  /** The OrderPlaced event that asked, on the event path. */
  causationId?: string | null;
  /** The trace the result and stock events continue (the record's, in a batch); else the active one. */
  trace?: TraceContext;
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

/** Reserves one order: `reserveOrders` for a batch of one (the HTTP path). */
export async function reserveOrder(
  tx: InventoryTx,
  input: ReservationInput,
): Promise<ReservationOutcome> {
  const [outcome] = await reserveOrders(tx, [input]);
  if (!outcome) throw new Error(`RESERVATION_MISSING: order ${input.orderId}`);
  return outcome;
}

/**
 * Reserves each order of a batch, every line of an order or none, in the order given, inside the
 * caller's transaction, and writes the results (and the stock levels and low-stock alerts they
 * cause) to the outbox in the same transaction. Returns one outcome per input.
 *
 * - Idempotent per order: the reservation rows are claimed first; a second attempt for the same order
 *   (a retried HTTP call, an order placed again, the same order twice in a batch) waits for the first
 *   to commit, then gets its stored answer and changes nothing.
 * - No oversell: the SKU rows the batch needs are locked (`FOR UPDATE`) before their stock is read,
 *   and the orders are then decided one after another against the stock the previous ones left, as
 *   if they had come one by one. Rows are locked in SKU order, the same order in every transaction,
 *   so two batches (or a batch and an HTTP call) sharing SKUs cannot deadlock.
 * - The CHECK constraint on `available` backs this up: a bug here aborts the transaction instead
 *   of storing negative stock.
 *
 * Round trips for a batch of any size: one statement that claims and locks, then one for stock,
 * answers and the outbox together.
 */
export async function reserveOrders(
  tx: InventoryTx,
  inputs: readonly ReservationInput[],
): Promise<ReservationOutcome[]> {
  const { claimed, products } = await claimAndLock(tx, inputs);
  const fresh = [...claimed.values()];
  const answers = new Map<string, ReservationResponse>();

  if (fresh.length > 0) {
    const levelsBefore = new Map([...products].map(([sku, product]) => [sku, product.available]));
    const rows: OutboxRow[] = [];
    for (const input of fresh) answers.set(idOf(input), decide(input, products, rows));
    await recordDecisions(tx, { products, levelsBefore, answers, rows });
  }

  const earlier = await storedAnswers(
    tx,
    inputs.map(idOf).filter((orderId) => !answers.has(orderId)),
  );
  return inputs.map((input) => {
    const response = answers.get(idOf(input)) ?? earlier.get(idOf(input));
    if (!response) throw new Error(`RESERVATION_VANISHED: order ${input.orderId}`);
    // Only the input that claimed its order reserved anything; a repeat of it got the same answer.
    return { response, created: claimed.get(idOf(input)) === input };
  });
}

/** Order ids compared as PostgreSQL prints uuids: lower case. */
function idOf(input: ReservationInput): string {
  return input.orderId.toLowerCase();
}

/**
 * ONE statement: inserts a PENDING reservation per order id not answered yet (the first input of each
 * order id in the batch winning), then locks the rows of the SKUs the batch orders, in SKU order, for
 * this transaction. Returns the inputs that now own their order, by (lower-case) order id, and the
 * locked products (unknown SKUs are simply absent).
 *
 * The claim runs before the lock: a claim that waits for another transaction claiming the same order
 * (a retried call) holds no product lock meanwhile, so the two cannot deadlock. The locked rows are
 * read as the latest committed versions, whatever the statement's snapshot (`FOR UPDATE`). The SKUs
 * of a repeated order are locked too, needlessly but harmlessly: repeats are rare.
 */
async function claimAndLock(
  tx: InventoryTx,
  inputs: readonly ReservationInput[],
): Promise<{ claimed: Map<string, ReservationInput>; products: Map<string, LockedProduct> }> {
  const firstOfEach = new Map<string, ReservationInput>();
  for (const input of inputs)
    if (!firstOfEach.has(idOf(input))) firstOfEach.set(idOf(input), input);
  const unique = [...firstOfEach.values()];
  const skus = [...new Set(unique.flatMap((input) => input.lines.map((line) => line.sku)))];
  const rows = await tx.$queryRawUnsafe<(Partial<LockedProduct> & { claimed: string[] | null })[]>(
    `WITH "claimed" AS (
       INSERT INTO "reservations" ("order_id", "mode", "status", "response")
       SELECT order_id, mode, 'PENDING', '{}'::jsonb
         FROM unnest($1::uuid[], $2::text[]) AS c(order_id, mode)
       ON CONFLICT ("order_id") DO NOTHING
       RETURNING "order_id"::text AS "order_id"
     )
     SELECT c."claimed", p.*
       FROM (SELECT array_agg("order_id") AS "claimed", count(*) AS "n" FROM "claimed") AS c
       -- The lateral reference to c makes the claim run to its end before the first row is locked.
       LEFT JOIN LATERAL (
         SELECT "sku", "unit_price_cents", "available", "reorder_point", "reorder_quantity"
           FROM "products" WHERE "sku" = ANY($3::text[]) AND c."n" >= 0 ORDER BY "sku" FOR UPDATE
       ) AS p ON true`,
    unique.map(idOf),
    unique.map((input) => input.mode),
    skus,
  );
  const claimedIds = new Set(rows[0]?.claimed ?? []);
  const products = new Map<string, LockedProduct>();
  for (const row of rows)
    if (row.sku !== undefined && row.sku !== null) products.set(row.sku, row as LockedProduct);
  return {
    claimed: new Map(
      unique.filter((input) => claimedIds.has(idOf(input))).map((input) => [idOf(input), input]),
    ),
    products,
  };
}

/**
 * Writes what a batch decided in ONE statement: the final level of every SKU it changed, each
 * order's answer, and the events (results, stock levels, low-stock alerts) in the outbox.
 */
async function recordDecisions(
  tx: InventoryTx,
  decided: {
    products: ReadonlyMap<string, LockedProduct>;
    levelsBefore: ReadonlyMap<string, number>;
    answers: ReadonlyMap<string, ReservationResponse>;
    rows: readonly OutboxRow[];
  },
): Promise<void> {
  const changed = [...decided.products.values()].filter(
    (product) => product.available !== decided.levelsBefore.get(product.sku),
  );
  const events = outboxInsertSql(decided.rows, 6);
  await tx.$executeRawUnsafe(
    `WITH "stock" AS (
       UPDATE "products" AS p SET "available" = c.available, "updated_at" = CURRENT_TIMESTAMP
         FROM unnest($1::text[], $2::int[]) AS c(sku, available)
        WHERE p."sku" = c.sku
     ), "answers" AS (
       UPDATE "reservations" AS r SET "status" = a.status, "response" = a.response::jsonb
         FROM unnest($3::uuid[], $4::text[], $5::text[]) AS a(order_id, status, response)
        WHERE r."order_id" = a.order_id
     )
     ${events.sql}`,
    changed.map((product) => product.sku),
    changed.map((product) => product.available),
    [...decided.answers.keys()],
    [...decided.answers.values()].map((response) => response.status),
    [...decided.answers.values()].map((response) => JSON.stringify(response)),
    ...events.values,
  );
}

async function storedAnswers(
  tx: InventoryTx,
  orderIds: readonly string[],
): Promise<Map<string, ReservationResponse>> {
  if (orderIds.length === 0) return new Map();
  const rows = await tx.$queryRawUnsafe<{ order_id: string; response: ReservationResponse }[]>(
    `SELECT "order_id"::text AS "order_id", "response" FROM "reservations"
      WHERE "order_id" = ANY($1::uuid[])`,
    orderIds,
  );
  return new Map(rows.map((row) => [row.order_id, row.response]));
}

/**
 * Decides one order against the stock as the orders before it in the batch left it: takes the
 * stock in `products` (in memory) when every line can be had, and adds the events to `rows`.
 */
function decide(
  input: ReservationInput,
  products: Map<string, LockedProduct>,
  rows: OutboxRow[],
): ReservationResponse {
  const lines = mergeLinesBySku(input.lines);
  const rejection = checkReservable(lines, products);
  const response: ReservationResponse = rejection
    ? {
        orderId: input.orderId,
        status: 'REJECTED',
        reason: rejection.reason,
        detail: rejection.detail,
      }
    : takeStock(input, lines, products, rows);
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
  rows.push(...outboxRows(topics.reservationResult, [result], input.trace));
  return response;
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

function takeStock(
  input: ReservationInput,
  lines: readonly { sku: string; quantity: number }[],
  products: Map<string, LockedProduct>,
  rows: OutboxRow[],
): ReservationResponse {
  let totalCents = 0;
  const reserved: { sku: string; quantity: number; unitPrice: number }[] = [];
  for (const line of lines) {
    const product = products.get(line.sku) as LockedProduct;
    const before = product.available;
    product.available = before - line.quantity;
    rows.push(
      ...stockChangeRows(
        {
          product: {
            sku: product.sku,
            reorderPoint: product.reorder_point,
            reorderQuantity: product.reorder_quantity,
          },
          cause: 'reservation',
          before,
          after: product.available,
          correlationId: input.orderId,
          causationId: input.causationId ?? null,
        },
        input.trace,
      ),
    );
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
