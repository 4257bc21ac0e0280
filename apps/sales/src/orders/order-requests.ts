import { orderLine, orderMode, orderStatus } from '@retail-streams/contracts';
import { z } from 'zod';

/**
 * What clients may send to the orders API. Objects are strict: a misspelt field (`qty`, `?mdoe=sync`)
 * is a 400 naming it rather than an order placed with a default the client did not mean.
 */
export const placeOrderBody = z.strictObject({
  customerId: z.string().trim().min(1).max(100),
  lines: z.array(orderLine.strict()).min(1).max(100),
});
export type PlaceOrderBody = z.output<typeof placeOrderBody>;

export const placeOrderQuery = z.strictObject({
  mode: orderMode.default('async'),
});

export const orderIdParams = z.strictObject({
  id: z.uuid({ error: 'an order id is a UUID' }),
});

export const listOrdersQuery = z.strictObject({
  status: orderStatus.optional(),
  customerId: z.string().trim().min(1).max(100).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type ListOrdersQuery = z.output<typeof listOrdersQuery>;

/** Printable ASCII without spaces, as the IETF Idempotency-Key draft's examples use; bounded. */
export const idempotencyKeyHeader = z
  .string()
  .regex(/^[\x21-\x7E]{1,200}$/, 'an Idempotency-Key is 1-200 printable ASCII characters');
