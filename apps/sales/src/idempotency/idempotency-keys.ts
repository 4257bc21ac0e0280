import { HttpProblem } from '@retail-streams/service-kit';
import type { Prisma } from '../generated/prisma/client.ts';

type Tx = Prisma.TransactionClient;

/** An answer given to a client, stored so a repeated Idempotency-Key gets exactly the same one. */
export interface StoredAnswer {
  status: number;
  body: unknown;
}

export type KeyClaim =
  /** First use of the key: it now belongs to this request and this order id. */
  | { kind: 'claimed'; orderId: string }
  /** The key was used before and answered: give that answer again. */
  | { kind: 'answered'; orderId: string; answer: StoredAnswer }
  /**
   * The key was claimed for the same request but never answered (a sync order that got a 503, or one
   * still in flight): carry on with the same order id, so inventory recognises the order.
   */
  | { kind: 'unanswered'; orderId: string };

/**
 * Claims an Idempotency-Key for a request inside the caller's transaction. A concurrent request with
 * the same key blocks on the key's unique index until the first transaction ends, then sees its row,
 * so two racing requests never create two orders.
 */
export async function claimIdempotencyKey(
  tx: Tx,
  key: string,
  fingerprint: string,
  orderId: string,
): Promise<KeyClaim> {
  const inserted = await tx.$executeRawUnsafe(
    `INSERT INTO "idempotency_keys" ("key", "request_hash", "order_id")
     VALUES ($1, $2, $3::uuid) ON CONFLICT ("key") DO NOTHING`,
    key,
    fingerprint,
    orderId,
  );
  if (inserted === 1) return { kind: 'claimed', orderId };

  const existing = await tx.idempotencyKey.findUniqueOrThrow({ where: { key } });
  if (existing.requestHash !== fingerprint) {
    throw new HttpProblem({
      status: 422,
      code: 'IDEMPOTENCY_KEY_REUSED',
      detail:
        'This Idempotency-Key was already used for a different request (another body or mode). ' +
        'Use a new key for a new order.',
      extensions: { orderId: existing.orderId },
    });
  }
  if (existing.responseStatus === null) return { kind: 'unanswered', orderId: existing.orderId };
  return {
    kind: 'answered',
    orderId: existing.orderId,
    answer: { status: existing.responseStatus, body: existing.responseBody },
  };
}

/** Stores the first final answer for a key; a later one (a racing duplicate) does not replace it. */
export async function recordAnswer(tx: Tx, key: string, answer: StoredAnswer): Promise<void> {
  await tx.$executeRawUnsafe(
    `UPDATE "idempotency_keys" SET "response_status" = $2, "response_body" = $3::jsonb
     WHERE "key" = $1 AND "response_status" IS NULL`,
    key,
    answer.status,
    JSON.stringify(answer.body),
  );
}

/** The answer stored for a key, if there is one (after a racing duplicate answered first). */
export async function storedAnswer(tx: Tx, key: string): Promise<StoredAnswer | undefined> {
  const row = await tx.idempotencyKey.findUnique({ where: { key } });
  if (row === null || row.responseStatus === null) return undefined;
  return { status: row.responseStatus, body: row.responseBody };
}
