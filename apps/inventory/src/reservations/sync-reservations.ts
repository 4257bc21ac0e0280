import type { Logger } from '@retail-streams/service-kit';
import { activeSpanContext, activeTraceContext, withBatchSpan } from '@retail-streams/service-kit';
import { GroupCommit } from '@retail-streams/streaming-client';
import { inTransaction, type InventoryPrisma } from '../database/inventory-database.ts';
import { reserveOrders, type ReservationInput, type ReservationOutcome } from './reserve-order.ts';

interface Pending {
  input: ReservationInput;
  /** The request's span, which the batch's span links to. */
  link: ReturnType<typeof activeSpanContext>;
}

/** The most orders one transaction reserves. */
const maxBatch = 200;

/**
 * Reserves the sync path's orders (`POST /reservations`) by GROUP COMMIT: the calls that arrive
 * while a reservation transaction is in flight are reserved together by the next one. Each call cost
 * a transaction of its own before (BEGIN, claim, lock, record, COMMIT: five round trips), and calls
 * for the same SKUs queued on its row locks one transaction at a time; now a burst shares one. At
 * 300 orders/s half sync: sync accept p99 175-187 ms against 288-358 ms, and a fifth less CPU in
 * inventory's PostgreSQL backends.
 *
 * `reserveOrders` decides a batch's orders one after another in arrival order, against the stock
 * the previous ones left, exactly as if they had come one by one: same answers, same idempotency
 * (a retry in the same batch gets the first call's answer), same events, each continuing its own
 * request's trace. Under light load a transaction carries one call and nothing waits.
 *
 * If a batch fails, its orders are reserved again one by one, so one order the database refuses
 * fails only its own call; when the database is unavailable, the whole batch fails at once (503).
 */
export class SyncReservations {
  readonly #prisma: InventoryPrisma;
  readonly #commits: GroupCommit<Pending, ReservationOutcome>;

  constructor(prisma: InventoryPrisma, logger: Logger) {
    this.#prisma = prisma;
    this.#commits = new GroupCommit({
      commit: (batch) => this.#reserve(batch),
      logger,
      what: 'sync reservations',
      maxBatch,
    });
  }

  /** Reserves one order (every line or none) and resolves with its answer. */
  reserve(input: Omit<ReservationInput, 'mode' | 'trace'>): Promise<ReservationOutcome> {
    return this.#commits.submit({
      // Captured now: the events of this order continue the request's trace.
      input: { ...input, mode: 'sync', trace: activeTraceContext() },
      link: activeSpanContext(),
    });
  }

  #reserve(batch: readonly Pending[]): Promise<ReservationOutcome[]> {
    return withBatchSpan(
      'reserve sync orders',
      batch.map((pending) => pending.link),
      () =>
        inTransaction(this.#prisma, (tx) =>
          reserveOrders(
            tx,
            batch.map((pending) => pending.input),
          ),
        ),
    );
  }
}
