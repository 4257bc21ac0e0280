import {
  annotateActiveSpan,
  HttpProblem,
  ORDER_ID_ATTRIBUTE,
  validate,
} from '@retail-streams/service-kit';
import type { Request, Response, Router } from 'express';
import type { Prisma, PrismaClient } from '../generated/prisma/client.ts';
import { requestFingerprint } from '../idempotency/request-fingerprint.ts';
import type { InventoryClient } from '../inventory/inventory-client.ts';
import {
  idempotencyKeyHeader,
  listOrdersQuery,
  orderIdParams,
  placeOrderBody,
  placeOrderQuery,
  type PlaceOrderBody,
} from './order-requests.ts';
import { toOrderView, withLines } from './order-view.ts';
import { placeAsyncOrder, type OrderAnswer, type OrderRequest } from './place-async-order.ts';
import { placeSyncOrder } from './place-sync-order.ts';
import { acceptAsyncOrder } from './accept-async-order.ts';
import type { OrderWriter } from './order-writer.ts';

export interface OrderRoutesDependencies {
  prisma: PrismaClient;
  inventory: InventoryClient;
  /** Stores orders without an Idempotency-Key by group commit (see OrderWriter). */
  writer: OrderWriter;
}

export function orderRoutes(router: Router, deps: OrderRoutesDependencies): void {
  router.post(
    '/orders',
    validate({ body: placeOrderBody, query: placeOrderQuery }),
    async (req, res) => {
      const receivedAt = new Date();
      const body = req.body as PlaceOrderBody;
      const { mode } = req.query;
      const key = idempotencyKeyOf(req);
      const request: OrderRequest = {
        body,
        receivedAt,
        idempotency:
          key === undefined ? undefined : { key, fingerprint: requestFingerprint({ mode, body }) },
      };
      let answer: OrderAnswer;
      try {
        answer =
          mode === 'sync'
            ? await placeSyncOrder(deps, request)
            : request.idempotency
              ? await placeAsyncOrder(deps.prisma, request)
              : await acceptAsyncOrder(deps.writer, request);
      } catch (error) {
        // A refused sync order (inventory away) is a journey too: the failed call is its story.
        const orderId = error instanceof HttpProblem ? error.extensions['orderId'] : undefined;
        if (typeof orderId === 'string') annotateTrace(orderId, mode);
        throw error;
      }
      annotateTrace(answer.orderId, mode);
      send(res, answer);
    },
  );

  router.get('/orders/:id', validate({ params: orderIdParams }), async (req, res) => {
    const order = await deps.prisma.order.findUnique({
      where: { id: req.params.id },
      include: withLines,
    });
    if (!order)
      throw HttpProblem.notFound(`There is no order ${req.params.id}.`, 'ORDER_NOT_FOUND');
    res.json(toOrderView(order));
  });

  router.get('/orders', validate({ query: listOrdersQuery }), async (req, res) => {
    const { status, customerId, limit } = req.query;
    const where: Prisma.OrderWhereInput = {};
    if (status !== undefined) where.status = status;
    if (customerId !== undefined) where.customerId = customerId;
    const orders = await deps.prisma.order.findMany({
      where,
      include: withLines,
      orderBy: [{ receivedAt: 'desc' }, { id: 'asc' }],
      take: limit,
    });
    res.json({ orders: orders.map(toOrderView) });
  });
}

/** Names the order on the request's span: the trace store finds an order's journey by it. */
function annotateTrace(orderId: string, mode: string | undefined): void {
  annotateActiveSpan({ [ORDER_ID_ATTRIBUTE]: orderId, 'retail.order.mode': mode ?? 'async' });
}

function idempotencyKeyOf(req: Request): string | undefined {
  const value = req.get('idempotency-key');
  if (value === undefined) return undefined;
  const parsed = idempotencyKeyHeader.safeParse(value);
  if (!parsed.success) {
    throw new HttpProblem({
      status: 400,
      code: 'VALIDATION_FAILED',
      title: 'Request validation failed',
      detail: 'The request has 1 invalid field.',
      extensions: {
        issues: parsed.error.issues.map((issue) => ({
          location: 'headers',
          path: 'idempotency-key',
          message: issue.message,
          code: issue.code,
        })),
      },
    });
  }
  return parsed.data;
}

function send(res: Response, answer: OrderAnswer): void {
  res.location(`/orders/${answer.orderId}`);
  if (answer.replayed) res.set('idempotent-replayed', 'true');
  res.status(answer.status).json(answer.body);
}
