import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ContractError } from './contract-error.ts';
import { createEvent, decodeEvent, encodeEvent, keyOf } from './event-codec.ts';
import { topics } from './registry.ts';

const orderId = randomUUID();
const meta = { source: 'sales', correlationId: orderId };

function placeOrder() {
  return createEvent(
    topics.orderPlaced,
    'OrderPlaced',
    { orderId, customerId: 'c-1', lines: [{ sku: 'SKU-1', quantity: 2 }], mode: 'async' },
    meta,
  );
}

function errorOf(run: () => unknown): ContractError {
  try {
    run();
  } catch (error) {
    if (error instanceof ContractError) return error;
    throw error;
  }
  throw new Error('expected a ContractError');
}

describe('creating an event', () => {
  it('fills the envelope: a fresh id, the schema version, the time and no cause', () => {
    const event = placeOrder();
    expect(event).toMatchObject({
      type: 'OrderPlaced',
      version: 1,
      source: 'sales',
      correlationId: orderId,
      causationId: null,
      data: { orderId },
    });
    expect(event.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Date.parse(event.occurredAt)).not.toBeNaN();
  });

  it('refuses an invalid payload before anything is published, naming each problem', () => {
    const error = errorOf(() =>
      createEvent(
        topics.orderPlaced,
        'OrderPlaced',
        { orderId: 'not-a-uuid', customerId: '', lines: [], mode: 'async' },
        meta,
      ),
    );
    expect(error.code).toBe('EVENT_PAYLOAD_INVALID');
    expect(error.issues.map((issue) => issue.split(':')[0])).toEqual([
      'data.orderId',
      'data.customerId',
      'data.lines',
    ]);
  });

  it('keys the record by the field the registry names', () => {
    expect(keyOf(topics.orderPlaced, placeOrder())).toBe(orderId);
    const level = createEvent(
      topics.stockLevel,
      'StockLevelChanged',
      { sku: 'SKU-9', available: 3, reorderPoint: 5, reorderQuantity: 20, cause: 'reservation' },
      meta,
    );
    expect(keyOf(topics.stockLevel, level)).toBe('SKU-9');
  });
});

describe('decoding an event', () => {
  it('reads back exactly what was encoded', () => {
    const event = placeOrder();
    expect(decodeEvent(topics.orderPlaced, encodeEvent(event))).toEqual(event);
  });

  it('tolerates fields it does not know, so producers can add fields', () => {
    const event = { ...placeOrder(), region: 'eu' };
    const withExtraPayload = { ...event, data: { ...event.data, giftWrap: true } };
    const decoded = decodeEvent(topics.orderPlaced, JSON.stringify(withExtraPayload));
    expect(decoded.data.orderId).toBe(orderId);
  });

  it('distinguishes the events a topic carries by type', () => {
    const rejected = createEvent(
      topics.reservationResult,
      'ReservationRejected',
      {
        orderId,
        mode: 'sync',
        reason: 'INSUFFICIENT_STOCK',
        detail: 'SKU-1: 1 available, 2 requested',
        lines: [{ sku: 'SKU-1', requested: 2, available: 1 }],
      },
      meta,
    );
    const decoded = decodeEvent(topics.reservationResult, encodeEvent(rejected));
    expect(decoded.type).toBe('ReservationRejected');
    if (decoded.type === 'ReservationRejected')
      expect(decoded.data.reason).toBe('INSUFFICIENT_STOCK');
  });

  it.each([
    ['a value that is not JSON', '{"id":', 'EVENT_NOT_JSON'],
    ['a missing value (tombstone)', null, 'EVENT_NOT_JSON'],
    ['JSON without an envelope', '{"hello":"world"}', 'EVENT_ENVELOPE_INVALID'],
  ] as const)('rejects %s with a code the dead-letter headers can carry', (_, value, code) => {
    expect(errorOf(() => decodeEvent(topics.orderPlaced, value)).code).toBe(code);
  });

  it('rejects an event type or version the topic does not carry, listing what it does', () => {
    const future = { ...placeOrder(), version: 2 };
    const error = errorOf(() => decodeEvent(topics.orderPlaced, JSON.stringify(future)));
    expect(error.code).toBe('EVENT_TYPE_UNKNOWN');
    expect(error.message).toContain('known: OrderPlaced v1');
  });

  it('rejects a payload that breaks the schema', () => {
    const event = placeOrder();
    const broken = { ...event, data: { ...event.data, lines: [{ sku: 'SKU-1', quantity: -1 }] } };
    const error = errorOf(() => decodeEvent(topics.orderPlaced, JSON.stringify(broken)));
    expect(error.code).toBe('EVENT_PAYLOAD_INVALID');
    expect(error.issues[0]).toMatch(/^data\.lines\.0\.quantity:/);
  });
});
