import type { Prisma, PrismaClient } from './generated/prisma/client.ts';

/** The service's Prisma client, and the client a Prisma interactive transaction hands out. */
export type ReorderingDb = PrismaClient;
export type ReorderingTx = Prisma.TransactionClient;

/** Timestamps go to raw SQL as ISO strings cast to timestamptz: unambiguous whatever the driver. */
export function sqlTime(date: Date): string {
  return date.toISOString();
}
