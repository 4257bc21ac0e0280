import { z } from 'zod';
import { envelopeOf } from '../envelope.ts';
import { orderMode, sku } from './sales.ts';

const money = z.number().nonnegative().multipleOf(0.01);

export const stockReserved = envelopeOf(
  'StockReserved',
  1,
  z.object({
    orderId: z.uuid(),
    mode: orderMode,
    lines: z
      .array(z.object({ sku, quantity: z.number().int().positive(), unitPrice: money }))
      .min(1),
    totalAmount: money,
  }),
);

export const reservationRejected = envelopeOf(
  'ReservationRejected',
  1,
  z.object({
    orderId: z.uuid(),
    mode: orderMode,
    reason: z.enum(['INSUFFICIENT_STOCK', 'UNKNOWN_SKU']),
    detail: z.string(),
    lines: z.array(
      z.object({ sku, requested: z.number().int().positive(), available: z.number().int().min(0) }),
    ),
  }),
);

export const stockLevelChanged = envelopeOf(
  'StockLevelChanged',
  1,
  z.object({
    sku,
    available: z.number().int().min(0),
    reorderPoint: z.number().int().min(0),
    reorderQuantity: z.number().int().positive(),
    cause: z.enum(['seed', 'reservation', 'restock']),
  }),
);

export const lowStockDetected = envelopeOf(
  'LowStockDetected',
  1,
  z.object({
    sku,
    available: z.number().int().min(0),
    reorderPoint: z.number().int().min(0),
    reorderQuantity: z.number().int().positive(),
  }),
);

export type StockReserved = z.infer<typeof stockReserved>;
export type ReservationRejected = z.infer<typeof reservationRejected>;
export type StockLevelChanged = z.infer<typeof stockLevelChanged>;
export type LowStockDetected = z.infer<typeof lowStockDetected>;
