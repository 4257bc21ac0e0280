import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ephemeralPorts } from './ports.ts';
import { SERVICE_NAMES, serviceExists } from './services.ts';
import { startStack } from './stack.ts';
import type { RunningStack } from './stack.ts';

const allServicesExist = SERVICE_NAMES.every((name) => serviceExists(name));
const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && process.env.CI === 'true')
  throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (required under CI=true)`);

interface JourneySpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  service: string;
  name: string;
  kind: string;
  startMs: number;
  durationMs: number;
  status: string;
  links: { traceId: string; spanId: string }[];
  attributes: Record<string, unknown>;
}
interface Journey {
  orderId: string;
  traceId: string;
  spans: JourneySpan[];
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** A waterfall's rows as the dashboard draws them. */
function rows(page: Page, pane: string) {
  return page.$$eval(`#${pane} li`, (items) =>
    items.map((item) => ({
      service: item.getAttribute('data-service'),
      kind: item.getAttribute('data-kind'),
      topic: item.getAttribute('data-topic'),
      failed: item.classList.contains('error'),
    })),
  );
}

// One order as one trace, collected by analytics on the embedded default: the real services, the
// real broker and PostgreSQL, spans exported over OTLP/HTTP to analytics.
describe.skipIf(!allServicesExist)('an order journey, traced across the whole stack', () => {
  let dataDir: string;
  let stack: RunningStack;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'demo-journey-'));
    stack = await startStack({
      dataDir,
      ports: await ephemeralPorts(),
      durable: false,
      connectors: false,
      readyTimeoutMs: 90_000,
    });
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  /** Opens the dashboard, presses "Latest sync + async" and hands over the page once both show. */
  const onLatestJourneys = async (check: (page: Page) => Promise<void>): Promise<void> => {
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      page.setDefaultTimeout(90_000);
      await page.goto(stack.urls.analytics);
      await page.click('#journey-latest');
      await page.waitForSelector('#journey-left[data-state="shown"]');
      await page.waitForSelector('#journey-right[data-state="shown"]');
      await check(page);
    } finally {
      await browser.close();
    }
  };

  /** POSTs one order on the given path; answers the HTTP status and the order id sales gave it. */
  const postOrder = async (
    mode: 'sync' | 'async',
  ): Promise<{ status: number; orderId: string }> => {
    const response = await fetch(
      `${stack.urls.sales}/orders${mode === 'sync' ? '?mode=sync' : ''}`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          customerId: 'journey-test',
          lines: [{ sku: 'SKU-MUG-01', quantity: 1 }],
        }),
      },
    );
    const { orderId } = (await response.json()) as { orderId: string };
    return { status: response.status, orderId };
  };

  /** Places an order that succeeds (201 sync, 202 async); answers its id. */
  const placeOrder = async (mode: 'sync' | 'async'): Promise<string> => {
    const { status, orderId } = await postOrder(mode);
    expect(status).toBe(mode === 'sync' ? 201 : 202);
    return orderId;
  };

  let waitingFor = '';
  /** The journey once analytics has consumed the order's result (the last hop). */
  const journeyOf = (orderId: string) =>
    until(`order ${orderId}'s journey to reach analytics`, async () => {
      const response = await fetch(`${stack.urls.analytics}/api/orders/${orderId}/trace`);
      if (response.status !== 200) return undefined;
      const journey = (await response.json()) as Journey;
      const analyticsResult = journey.spans.some(
        (span) =>
          span.service === 'analytics' &&
          span.attributes['messaging.destination.name'] === 'inventory.reservation-result',
      );
      // Each process exports on its own schedule: wait until no span's parent is still missing.
      const ids = new Set(journey.spans.map((span) => span.spanId));
      const orphans = journey.spans.filter(
        (span) => span.parentSpanId !== null && !ids.has(span.parentSpanId),
      );
      waitingFor = orphans.map((span) => `${span.service} ${span.name}`).join(', ');
      return analyticsResult && orphans.length === 0 ? journey : undefined;
    }).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}; spans without their parent: ${waitingFor}`);
    });

  it('answers an async order with every hop: HTTP, database, outbox, topics, consumers', async () => {
    const orderId = await placeOrder('async');
    const journey = await journeyOf(orderId);
    expect(journey.orderId).toBe(orderId);
    const { spans } = journey;

    for (const span of spans) {
      expect(span).toMatchObject({
        traceId: expect.stringMatching(/^[0-9a-f]{32}$/),
        spanId: expect.stringMatching(/^[0-9a-f]{16}$/),
        service: expect.any(String),
        name: expect.any(String),
        kind: expect.stringMatching(/^(internal|server|client|producer|consumer)$/),
        startMs: expect.any(Number),
        durationMs: expect.any(Number),
      });
      expect(span.durationMs).toBeGreaterThanOrEqual(0);
    }
    // Oldest first; every span of the order's own trace hangs off one root: the POST to sales.
    expect(spans.map((s) => s.startMs)).toEqual(
      [...spans.map((s) => s.startMs)].sort((a, b) => a - b),
    );
    const own = spans.filter((span) => span.traceId === journey.traceId);
    const roots = own.filter((span) => span.parentSpanId === null);
    expect(roots.map((span) => [span.service, span.kind, span.name])).toEqual([
      ['sales', 'server', 'POST /orders'],
    ]);
    expect(roots[0]?.attributes).toMatchObject({
      'retail.order.id': orderId,
      'http.request.method': 'POST',
      'http.route': '/orders',
      'http.response.status_code': 202,
    });
    const ids = new Set(own.map((span) => span.spanId));
    for (const span of own)
      if (span.parentSpanId !== null) expect(ids).toContain(span.parentSpanId);

    // The database work, as CLIENT spans with their SQL, in every service the order touched.
    const dbSpans = spans.filter((span) => span.attributes['db.system.name'] === 'postgresql');
    expect(new Set(dbSpans.map((span) => span.service))).toEqual(
      new Set(['sales', 'inventory', 'analytics']),
    );
    for (const span of dbSpans) {
      expect(span.kind).toBe('client');
      expect(span.attributes['db.query.text']).toEqual(expect.any(String));
    }

    // The outbox wait (commit to publish) and the relay's send, linked to this order's trace.
    const outboxWait = spans.find(
      (span) => span.service === 'sales' && span.name === 'outbox wait sales.order-placed',
    );
    expect(outboxWait?.attributes).toMatchObject({
      'messaging.system': 'kafka',
      'messaging.destination.name': 'sales.order-placed',
    });
    const send = spans.find(
      (span) => span.service === 'sales' && span.kind === 'producer' && span.links.length > 0,
    );
    expect(send?.links.map((link) => link.traceId)).toContain(journey.traceId);

    // Consumers of each topic, with the messaging attributes.
    const consumed = (service: string, topic: string) =>
      own.find(
        (span) =>
          span.service === service &&
          span.kind === 'consumer' &&
          span.attributes['messaging.destination.name'] === topic,
      );
    const reserve = consumed('inventory', 'sales.order-placed');
    expect(reserve?.attributes).toMatchObject({
      'messaging.system': 'kafka',
      'messaging.operation.type': 'process',
      'messaging.consumer.group.name': 'inventory',
      'messaging.destination.partition.id': expect.any(String),
      'messaging.kafka.offset': expect.any(String),
      'messaging.message.id': expect.any(String),
    });
    // Inventory reserves a fetched batch in one transaction: a batch span linked to each record's
    // process span, parent of the transaction's database spans.
    const batch = spans.find(
      (span) =>
        span.service === 'inventory' &&
        span.kind === 'consumer' &&
        span.links.some((link) => link.spanId === reserve?.spanId),
    );
    expect(batch?.attributes['messaging.batch.message_count']).toEqual(expect.any(Number));
    expect(
      spans.some((span) => span.parentSpanId === batch?.spanId && span.service === 'inventory'),
    ).toBe(true);
    expect(consumed('sales', 'inventory.reservation-result')).toBeDefined();
    expect(consumed('analytics', 'sales.order-placed')).toBeDefined();
    expect(consumed('analytics', 'inventory.reservation-result')).toBeDefined();
    // The consumer starts after the publish: the gap is the time the record waited in the topic.
    expect(reserve!.startMs).toBeGreaterThanOrEqual(send!.startMs);
  }, 120_000);

  it('answers a sync order with the HTTP call to inventory inside the request', async () => {
    const orderId = await placeOrder('sync');
    const { spans } = await journeyOf(orderId);
    const server = spans.find((span) => span.service === 'sales' && span.kind === 'server');
    const call = spans.find(
      (span) => span.service === 'sales' && span.kind === 'client' && span.name === 'POST',
    );
    expect(call?.parentSpanId).toBe(server?.spanId);
    expect(call?.attributes).toMatchObject({
      'http.request.method': 'POST',
      'http.response.status_code': 200,
      'server.address': '127.0.0.1',
    });
    const callee = spans.find((span) => span.service === 'inventory' && span.kind === 'server');
    expect(callee?.parentSpanId).toBe(call?.spanId);
    expect(callee?.attributes['http.route']).toBe('/reservations');
    expect(server?.attributes['retail.order.mode']).toBe('sync');
  }, 120_000);

  it('names the latest sync and async orders, and answers 404 for an order it never saw', async () => {
    const latest = (await (await fetch(`${stack.urls.analytics}/api/traces/latest`)).json()) as {
      orders: { orderId: string; mode: string }[];
    };
    expect(latest.orders.map((order) => order.mode).sort()).toEqual(['async', 'sync']);
    const unknown = await fetch(
      `${stack.urls.analytics}/api/orders/00000000-0000-4000-8000-000000000000/trace`,
    );
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { code: string }).code).toBe('TRACE_NOT_FOUND');
  });

  // Skipped only where Chromium is not installed (and never under CI=true, see above).
  it.skipIf(!haveChromium)(
    "shows the latest sync and async orders' waterfalls side by side in the dashboard",
    async () => {
      await onLatestJourneys(async (page) => {
        const sync = await rows(page, 'journey-left');
        const async = await rows(page, 'journey-right');
        for (const pane of [sync, async])
          expect(new Set(pane.map((row) => row.service))).toEqual(
            new Set([null, 'sales', 'inventory', 'analytics']),
          );
        // The sync order's call to inventory; the async order's wait in sales.order-placed.
        expect(sync).toContainEqual({
          service: 'sales',
          kind: 'client',
          topic: null,
          failed: false,
        });
        expect(async).toContainEqual({
          service: null,
          kind: 'topic-wait',
          topic: 'sales.order-placed',
          failed: false,
        });
        expect(async.filter((row) => row.kind === 'consumer').length).toBeGreaterThanOrEqual(3);
        const headings = await page.$$eval('.journey-pane h3', (hs) =>
          hs.map((h) => h.textContent),
        );
        expect(headings[0]).toMatch(/^sync order .* ms end to end/);
        expect(headings[1]).toMatch(/^async order .* ms waiting in topics$/);
        if (process.env.JOURNEY_SCREENSHOT)
          await page.locator('#journeys').screenshot({ path: process.env.JOURNEY_SCREENSHOT });
      });
    },
    180_000,
  );

  it('refuses OTLP it cannot read with a clear error', async () => {
    const protobuf = await fetch(`${stack.urls.analytics}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf' },
      body: new Uint8Array([1, 2, 3]),
    });
    expect(protobuf.status).toBe(415);
    const malformed = await fetch(`${stack.urls.analytics}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: 'nope' }] }] }] }),
    });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { code: string }).code).toBe('OTLP_MALFORMED');
  });

  // Last: it takes inventory away for a while, and leaves a failed sync order as the latest.
  it('during an inventory outage, shows the sync order its failed call and the async order its wait in the topic', async () => {
    const outageMs = 2_000;
    await stack.stopProcess('inventory');
    let syncOrderId: string;
    let asyncOrderId: string;
    try {
      const sync = await postOrder('sync');
      expect(sync.status).toBe(503);
      syncOrderId = sync.orderId;
      asyncOrderId = await placeOrder('async');
      await new Promise((resolve) => setTimeout(resolve, outageMs));
    } finally {
      await stack.startProcess('inventory');
    }

    // The sync order: the request answered 503 and its call to inventory failed, nothing behind it.
    const failed = await until(`sync order ${syncOrderId}'s journey`, async () => {
      const response = await fetch(`${stack.urls.analytics}/api/orders/${syncOrderId}/trace`);
      return response.status === 200 ? ((await response.json()) as Journey) : undefined;
    });
    const server = failed.spans.find((span) => span.service === 'sales' && span.kind === 'server');
    expect(server?.attributes['http.response.status_code']).toBe(503);
    const call = failed.spans.find((span) => span.service === 'sales' && span.kind === 'client');
    expect(call?.parentSpanId).toBe(server?.spanId);
    expect(call?.status).toBe('error');
    expect(call?.attributes['error.type']).toEqual(expect.any(String));
    expect(failed.spans.filter((span) => span.service === 'inventory')).toEqual([]);

    // The async order: published at once, consumed by inventory only once it was back.
    const { spans, traceId } = await journeyOf(asyncOrderId);
    const send = spans.find(
      (span) =>
        span.kind === 'producer' &&
        // One send may carry several topics' rows: the attribute then names them all.
        String(span.attributes['messaging.destination.name'])
          .split(',')
          .includes('sales.order-placed') &&
        span.links.some((link) => link.traceId === traceId),
    );
    const reserve = spans.find(
      (span) =>
        span.service === 'inventory' &&
        span.kind === 'consumer' &&
        span.traceId === traceId &&
        span.attributes['messaging.destination.name'] === 'sales.order-placed',
    );
    if (send === undefined || reserve === undefined)
      throw new Error(`the async journey lacks its ${send ? 'consumer' : 'send'} span`);
    expect(reserve.startMs - (send.startMs + send.durationMs)).toBeGreaterThanOrEqual(outageMs);

    // The dashboard draws the same: the sync call failed, the async order waited in its topic.
    if (!haveChromium) return; // skipped only where Chromium is not installed (never under CI=true)
    await onLatestJourneys(async (page) => {
      expect(await page.getAttribute('#journey-left', 'data-order-id')).toBe(syncOrderId);
      expect(await page.getAttribute('#journey-right', 'data-order-id')).toBe(asyncOrderId);
      expect(await rows(page, 'journey-left')).toContainEqual({
        service: 'sales',
        kind: 'client',
        topic: null,
        failed: true,
      });
      expect(await rows(page, 'journey-right')).toContainEqual({
        service: null,
        kind: 'topic-wait',
        topic: 'sales.order-placed',
        failed: false,
      });
    });
  }, 180_000);
});
