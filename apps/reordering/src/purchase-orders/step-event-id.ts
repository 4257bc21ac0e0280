import { createHash } from 'node:crypto';

export type PurchaseOrderStep = 'created' | 'shipped' | 'received';

/**
 * The id of the event announcing one step of one purchase order: a name-based (version 5 style) UUID
 * of the order id and the step. Deterministic ids let the shipped event name the created event as its
 * cause without storing it, and make a step that somehow ran twice collide on the outbox's unique
 * event id instead of publishing twice.
 */
export function stepEventId(purchaseOrderId: string, step: PurchaseOrderStep): string {
  const bytes = createHash('sha1')
    .update(`retail-streams/reordering/purchase-order/${purchaseOrderId}/${step}`)
    .digest()
    .subarray(0, 16);
  // Version 5 in the high nibble of byte 6, the RFC 4122 variant in the top bits of byte 8.
  bytes.writeUInt8((bytes.readUInt8(6) & 0x0f) | 0x50, 6);
  bytes.writeUInt8((bytes.readUInt8(8) & 0x3f) | 0x80, 8);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
