import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  reservationRequest,
  type ReservationRequest,
  type ReservationResponse,
} from '@retail-streams/contracts';

export type InventoryBehaviour =
  /** Reserve from the stock it holds, idempotently per order id, as the contract says. */
  | { kind: 'reserve' }
  /** Answer correctly, but only after `delayMs` (longer than sales' timeout). */
  | { kind: 'slow'; delayMs: number }
  /** Answer 500. */
  | { kind: 'fail' }
  /** Answer 200 with something that is not the contract's response. */
  | { kind: 'garbage' };

/**
 * A stand-in for the inventory service over real HTTP: `POST /reservations` per the contract in
 * `@retail-streams/contracts`, with a small stock table and switchable misbehaviour. Sales may not
 * import apps/inventory, and this is the other service's API, not a mock of sales' own code.
 */
export async function startFakeInventory(stock: Stock) {
  const answers = new Map<string, ReservationResponse>();
  const requests: ReservationRequest[] = [];
  let behaviour: InventoryBehaviour = { kind: 'reserve' };
  let server: Server | undefined;
  let port = 0;
  let connections = 0;

  async function listen(): Promise<void> {
    const next = createServer((req, res) => {
      void (async () => {
        const parsed = reservationRequest.safeParse(parseJson(await bodyOf(req)));
        if (req.method !== 'POST' || req.url !== '/reservations' || !parsed.success) {
          res.writeHead(400, { 'content-type': 'application/problem+json' }).end('{}');
          return;
        }
        requests.push(parsed.data);
        const current = behaviour;
        if (current.kind === 'fail') {
          res.writeHead(500, { 'content-type': 'application/problem+json' }).end('{}');
          return;
        }
        if (current.kind === 'garbage') {
          res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
          return;
        }
        if (current.kind === 'slow') {
          await new Promise((resolve) => setTimeout(resolve, current.delayMs));
        }
        const answer = reserve(stock, answers, parsed.data);
        if (res.destroyed) return;
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
      })();
    });
    next.on('connection', () => (connections += 1));
    next.listen(port, '127.0.0.1');
    await once(next, 'listening');
    port = (next.address() as AddressInfo).port;
    server = next;
  }

  await listen();
  return {
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    stock,
    requests,
    /** TCP connections opened to it so far. */
    get connections() {
      return connections;
    },
    /** How many distinct orders it reserved or rejected. */
    get decidedOrders() {
      return answers.size;
    },
    behave(next: InventoryBehaviour) {
      behaviour = next;
    },
    /** Stops listening: nothing answers on its port until `start()`. */
    async stop() {
      const current = server;
      server = undefined;
      if (!current) return;
      current.closeAllConnections();
      await new Promise<void>((resolve) => current.close(() => resolve()));
    },
    /** Listens again on the same port. */
    async start() {
      if (!server) await listen();
    },
  };
}

export type FakeInventory = Awaited<ReturnType<typeof startFakeInventory>>;

type Stock = Record<string, { available: number; price: number }>;

/** Reserves all lines or none, and answers a repeated order id with its first answer. */
function reserve(
  stock: Stock,
  answers: Map<string, ReservationResponse>,
  request: ReservationRequest,
): ReservationResponse {
  const known = answers.get(request.orderId);
  if (known) return known;
  const short = request.lines.find((line) => (stock[line.sku]?.available ?? 0) < line.quantity);
  let answer: ReservationResponse;
  if (short) {
    const item = stock[short.sku];
    answer = {
      orderId: request.orderId,
      status: 'REJECTED',
      reason: item ? 'INSUFFICIENT_STOCK' : 'UNKNOWN_SKU',
      detail: `${short.sku}: ${item?.available ?? 0} available, ${short.quantity} requested`,
    };
  } else {
    const lines = request.lines.map((line) => {
      const item = stock[line.sku] as { available: number; price: number };
      item.available -= line.quantity;
      return { ...line, unitPrice: item.price };
    });
    const cents = lines.reduce((sum, l) => sum + Math.round(l.unitPrice * 100) * l.quantity, 0);
    answer = { orderId: request.orderId, status: 'CONFIRMED', lines, totalAmount: cents / 100 };
  }
  answers.set(request.orderId, answer);
  return answer;
}

async function bodyOf(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8') || 'null';
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
