// An open-loop order generator: order i leaves at start + i / rate whatever happened to the orders
// before it, so a slow answer shows up as latency (and as requests in flight) instead of slowing
// the sender down. Sends that leave late (the generator itself was starved of CPU) are counted.
import http from 'node:http';
import { randomOrder } from '../src/load/order-factory.ts';

export type OrderPath = 'async' | 'sync';

/** One order as the generator saw it. Times are epoch milliseconds (fractional). */
export interface SentOrder {
  path: OrderPath;
  scheduledAt: number;
  sentAt: number;
  /** NaN until answered, and for orders that got no HTTP answer. */
  answeredAt: number;
  /** HTTP status, 0 without an answer. */
  status: number;
  /** Why it failed (`HTTP 503`, `timeout`, `ECONNRESET`, `in-flight cap`), null when accepted. */
  error: string | null;
  orderId: string | null;
  /** The order status sales answered with (PENDING, CONFIRMED, REJECTED). */
  answer: string | null;
}

export interface OpenLoopOptions {
  salesUrl: string;
  rate: number;
  durationMs: number;
  /** Share of orders placed with ?mode=sync, spread evenly (every other order at 0.5). */
  syncRatio: number;
  skus: readonly string[];
  random?: () => number;
  /** Requests waiting for an answer at most; an order due beyond it fails as `in-flight cap`. */
  maxInFlight?: number;
  timeoutMs?: number;
}

export interface OpenLoopRun {
  orders: SentOrder[];
  /** Resolves with the epoch time the last order was sent. */
  sendingDone: Promise<number>;
  /** Resolves once every order has its answer, error or timeout. */
  allAnswered: Promise<void>;
  inFlight(): number;
}

export const epochNow = (): number => performance.timeOrigin + performance.now();

/** Whether order `index` takes the sync path: an even spread with exactly the asked share. */
export function isSyncOrder(index: number, syncRatio: number): boolean {
  return Math.floor((index + 1) * syncRatio) > Math.floor(index * syncRatio);
}

export function startOpenLoop(options: OpenLoopOptions): OpenLoopRun {
  if (!(options.rate > 0)) throw new Error(`rate must be positive, got ${options.rate}`);
  const random = options.random ?? Math.random;
  const maxInFlight = options.maxInFlight ?? 4000;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const url = new URL('/orders', options.salesUrl);
  // One keep-alive pool without a socket limit: a limit would queue requests inside the client,
  // which is a closed loop in disguise.
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 1024 });
  const total = Math.round((options.rate * options.durationMs) / 1000);
  const interval = 1000 / options.rate;
  const orders: SentOrder[] = [];
  let inFlight = 0;
  let resolveAnswered: () => void = () => undefined;
  const allAnswered = new Promise<void>((resolve) => (resolveAnswered = resolve));
  let sendingFinished = false;
  const settle = () => {
    inFlight--;
    if (sendingFinished && inFlight === 0) resolveAnswered();
  };

  const send = (order: SentOrder) => {
    if (inFlight >= maxInFlight) {
      order.error = 'in-flight cap';
      return;
    }
    inFlight++;
    postOrder(
      order,
      { url, agent, timeoutMs, body: JSON.stringify(randomOrder(options.skus, random)) },
      settle,
    );
  };

  const started = epochNow();
  const sendingDone = new Promise<number>((resolve) => {
    let next = 0;
    const tick = () => {
      const now = epochNow();
      while (next < total && started + next * interval <= now) {
        const order: SentOrder = {
          path: isSyncOrder(next, options.syncRatio) ? 'sync' : 'async',
          scheduledAt: started + next * interval,
          sentAt: Number.NaN,
          answeredAt: Number.NaN,
          status: 0,
          error: null,
          orderId: null,
          answer: null,
        };
        orders.push(order);
        send(order);
        next++;
      }
      if (next >= total) {
        const endedAt = epochNow();
        sendingFinished = true;
        if (inFlight === 0) resolveAnswered();
        resolve(endedAt);
        return;
      }
      setTimeout(tick, Math.max(0, started + next * interval - epochNow()));
    };
    tick();
  });
  void allAnswered.then(() => agent.destroy());
  return { orders, sendingDone, allAnswered, inFlight: () => inFlight };
}

/**
 * POSTs one order and fills in its answer (status, order id, answer time) or its error; calls
 * `settled` exactly once, whatever happens.
 */
function postOrder(
  order: SentOrder,
  target: { url: URL; agent: http.Agent; timeoutMs: number; body: string },
  settled: () => void,
): void {
  const { url, agent, timeoutMs, body } = target;
  let done = false;
  const finish = (error: string | null) => {
    if (done) return;
    done = true;
    order.error = error;
    settled();
  };
  const request = http.request(
    {
      host: url.hostname,
      port: url.port,
      path: order.path === 'sync' ? '/orders?mode=sync' : '/orders',
      method: 'POST',
      agent,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    },
    (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', () => finish('response aborted'));
      response.on('end', () => {
        order.answeredAt = epochNow();
        order.status = response.statusCode ?? 0;
        if (order.status !== 201 && order.status !== 202) {
          finish(`HTTP ${order.status}`);
          return;
        }
        const parsed = parseBody(Buffer.concat(chunks).toString('utf8'));
        order.orderId = parsed.orderId;
        order.answer = parsed.status;
        // Without its id an accepted order cannot be followed to its decision.
        finish(parsed.orderId === null ? `HTTP ${order.status} without an orderId` : null);
      });
    },
  );
  request.setTimeout(timeoutMs, () => {
    finish('timeout');
    request.destroy();
  });
  request.on('error', (error: NodeJS.ErrnoException) => finish(error.code ?? 'network error'));
  order.sentAt = epochNow();
  request.end(body);
}

function parseBody(text: string): { orderId: string | null; status: string | null } {
  try {
    const body = JSON.parse(text) as { orderId?: unknown; status?: unknown };
    return {
      orderId: typeof body.orderId === 'string' ? body.orderId : null,
      status: typeof body.status === 'string' ? body.status : null,
    };
  } catch {
    return { orderId: null, status: null };
  }
}
