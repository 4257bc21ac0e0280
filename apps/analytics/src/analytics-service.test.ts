import { deadLetterTopicName, encodeEvent, topics } from '@retail-streams/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningAnalytics } from './start-analytics.ts';
import type { AnalyticsSummary } from './summary/summary-types.ts';
import {
  aggregatesOf,
  eventually,
  getSummary,
  startAnalyticsEnvironment,
  type AnalyticsEnvironment,
} from './test-support/analytics-environment.ts';
import {
  at,
  orderIds,
  orderPlaced,
  publishOrders,
  publishPurchaseOrders,
  purchaseOrderIds,
  stockLevels,
} from './test-support/retail-scenario.ts';

let env: AnalyticsEnvironment;
let analytics: RunningAnalytics;
const DATABASE = 'analytics_scenario';
/** The demo's control token, which replays need (as the fault controls do). */
const TOKEN = 'scenario-control-token';
const operator = { authorization: `Bearer ${TOKEN}` };

const minute = (summary: AnalyticsSummary, start: Date) =>
  summary.perMinute.find((row) => row.windowStart === start.toISOString());

/** Every scripted record has been processed (or dead-lettered, for the poison ones). */
const scenarioDone = (summary: AnalyticsSummary) =>
  summary.perMinute.reduce((sum, row) => sum + row.orders, 0) === 5 &&
  summary.late.total === 2 &&
  summary.outcomes.async.confirmed + summary.outcomes.async.rejected === 3 &&
  summary.outcomes.sync.confirmed === 1 &&
  summary.reordering.purchaseOrders === 3 &&
  summary.reordering.received === 2 &&
  summary.requests.length === 1 &&
  summary.latency.async.count === 3;

beforeAll(async () => {
  env = await startAnalyticsEnvironment();
  analytics = await env.startAnalytics(DATABASE, {
    WINDOW_GRACE_MS: '30000',
    DEMO_CONTROL_TOKEN: TOKEN,
  });
  // The stock table first (see retail-scenario.ts), then everything else.
  await env.publish(topics.stockLevel, stockLevels());
  await eventually(
    'the stock levels to be processed',
    () => getSummary(analytics.url),
    (summary) => summary.stock.find((row) => row.sku === 'SKU-C')?.available === 20,
  );
  await publishOrders(env);
  // Poison between good records: neither JSON, nor a valid OrderPlaced.
  await env.publishRaw(topics.orderPlaced.name, ['not json at all'], 0);
  const invalid = JSON.parse(
    encodeEvent(
      orderPlaced(orderIds.o6, 'async', [{ sku: 'SKU-A', quantity: 1 }], at(1, 56)),
    ).toString(),
  );
  invalid.data.lines = [];
  await env.publishRaw(topics.orderPlaced.name, [JSON.stringify(invalid)], 0);
  await publishPurchaseOrders(env);
  await env.publishRaw(topics.accessLog.name, [
    JSON.stringify({
      time: at(0, 30).toISOString(),
      service: 'sales',
      method: 'POST',
      path: '/orders',
      status: 202,
      durationMs: 4.5,
    }),
    '{"time":"yesterday"}',
  ]);
  await eventually('the scenario to be processed', () => getSummary(analytics.url), scenarioDone);
});

afterAll(async () => {
  await analytics?.stop();
  await env?.stop();
});

describe('analytics over a scripted retail scenario', () => {
  it('counts orders, units and revenue per event-time minute', async () => {
    const summary = await getSummary(analytics.url);
    expect(minute(summary, at(0, 0))).toMatchObject({
      orders: 2,
      asyncOrders: 1,
      syncOrders: 1,
      units: 4,
      revenue: 55.5,
      confirmedOrders: 2,
    });
    expect(minute(summary, at(1, 0))).toMatchObject({ orders: 2, units: 6, revenue: 0 });
    expect(minute(summary, at(2, 0))).toMatchObject({ orders: 1, units: 2, revenue: 51 });
  });

  it('counts a late event inside the grace period and reports one that came later', async () => {
    const summary = await getSummary(analytics.url);
    // O6 (10:01:55) arrived when its partition was at 10:02:20: inside 30 s of grace, counted above.
    // O5 (10:00:50) arrived at the same point: its minute closed at 10:01:30, so it is reported.
    expect(summary.late.byAggregation).toEqual({ 'orders-per-minute': 1, 'units-per-sku': 1 });
    const late = summary.late.recent.find((row) => row.aggregation === 'orders-per-minute')!;
    expect(late).toMatchObject({
      topic: 'sales.order-placed',
      partition: 0,
      eventTime: at(0, 50).toISOString(),
      streamTime: at(2, 20).toISOString(),
      windows: [{ start: at(0, 0).toISOString(), end: at(1, 0).toISOString() }],
    });
  });

  it('ranks products over the last five-minute hopping window', async () => {
    const summary = await getSummary(analytics.url);
    expect(summary.topProducts.current).toEqual({
      windowStart: at(-2, 0).toISOString(),
      windowEnd: at(3, 0).toISOString(),
      products: [
        { sku: 'SKU-B', units: 6 },
        { sku: 'SKU-C', units: 5 },
        { sku: 'SKU-A', units: 4 },
      ],
    });
    // When O5 (10:00:50) came at 10:02:20, only the window ending at 10:01 was past its grace: O5 is
    // missing there and counted in its four other windows.
    const late = summary.late.recent.find((row) => row.aggregation === 'units-per-sku')!;
    expect(late.windows).toEqual([{ start: at(-4, 0).toISOString(), end: at(1, 0).toISOString() }]);
  });

  it('counts outcomes by mode and joins orders with their results for latency percentiles', async () => {
    const summary = await getSummary(analytics.url);
    expect(summary.outcomes).toEqual({
      async: { confirmed: 2, rejected: 1 },
      sync: { confirmed: 1, rejected: 0 },
    });
    // async: 200, 300, 400 ms; sync: 50 ms (its result was read before its OrderPlaced).
    expect(summary.latency.async).toEqual({
      count: 3,
      p50: 300,
      p95: 400,
      p99: 400,
      min: 200,
      max: 400,
      mean: 300,
    });
    expect(summary.latency.sync).toMatchObject({ count: 1, p50: 50, max: 50 });
  });

  it('joins order lines with the stock level of their time and counts stock-outs', async () => {
    const summary = await getSummary(analytics.url);
    expect(summary.stock).toEqual([
      {
        sku: 'SKU-A',
        available: 6,
        reorderPoint: 3,
        belowReorderPoint: false,
        stockOuts: 0,
        lastStockOutAt: null,
        unitsOrdered: 4,
        orderLines: 3,
        unitsOrderedWhileLow: 0,
        unitsOrderedWhileOut: 0,
      },
      {
        sku: 'SKU-B',
        available: 2,
        reorderPoint: 2,
        belowReorderPoint: true,
        stockOuts: 0,
        lastStockOutAt: null,
        unitsOrdered: 6,
        orderLines: 3,
        unitsOrderedWhileLow: 0,
        unitsOrderedWhileOut: 0,
      },
      {
        sku: 'SKU-C',
        available: 20,
        reorderPoint: 2,
        belowReorderPoint: false,
        stockOuts: 1,
        lastStockOutAt: at(1, 30).toISOString(),
        // O3 ordered 5 at 10:01:05, when SKU-C had 1 left (reorder point 2).
        unitsOrdered: 5,
        orderLines: 1,
        unitsOrderedWhileLow: 5,
        unitsOrderedWhileOut: 0,
      },
    ]);
    expect(summary.stockOuts).toEqual({
      total: 1,
      recent: [{ sku: 'SKU-C', at: at(1, 30).toISOString() }],
    });
  });

  it('measures reorder lead times per purchase order, whichever event came first', async () => {
    const summary = await getSummary(analytics.url);
    expect(summary.reordering).toMatchObject({ purchaseOrders: 3, open: 1, received: 2 });
    expect(summary.reordering.leadTimeMs).toMatchObject({ count: 2, p50: 60_000, max: 88_000 });
    expect(
      summary.reordering.recent.find((row) => row.purchaseOrderId === purchaseOrderIds.c),
    ).toMatchObject({ sku: 'SKU-C', leadTimeMs: 88_000 });
  });

  it('counts access log lines per service and minute', async () => {
    const summary = await getSummary(analytics.url);
    expect(summary.requests).toEqual([
      {
        windowStart: at(0, 0).toISOString(),
        service: 'sales',
        requests: 1,
        clientErrors: 0,
        serverErrors: 0,
        meanDurationMs: 4.5,
      },
    ]);
  });

  it('sends invalid events to the dead-letter topic without stalling their partition', async () => {
    const parked = await env.readTopic(
      deadLetterTopicName(topics.orderPlaced.name, 'analytics'),
      2,
    );
    expect(parked.map((record) => record.headers?.['dlq-error-code']?.toString()).sort()).toEqual([
      'EVENT_NOT_JSON',
      'EVENT_PAYLOAD_INVALID',
    ]);
    const lines = await env.readTopic(deadLetterTopicName(topics.accessLog.name, 'analytics'), 1);
    expect(lines[0]!.headers?.['dlq-error-code']?.toString()).toBe('INVALID_ACCESS_LOG_LINE');
    // Records after the poison on the same partition were processed: the scenario completed above.
  });

  it('keeps its aggregates across a restart', async () => {
    const before = aggregatesOf(await getSummary(analytics.url));
    await analytics.stop();
    analytics = await env.startAnalytics(DATABASE, {
      WINDOW_GRACE_MS: '30000',
      DEMO_CONTROL_TOKEN: TOKEN,
    });
    expect(aggregatesOf(await getSummary(analytics.url))).toEqual(before);
    // Still consuming: a new order in a new minute is counted once.
    await env.publish(
      topics.orderPlaced,
      [
        orderPlaced(
          '00000000-0000-4000-8000-0000000000a1',
          'async',
          [{ sku: 'SKU-A', quantity: 1 }],
          at(3, 5),
        ),
      ],
      0,
    );
    const after = await eventually(
      'the order after the restart',
      () => getSummary(analytics.url),
      (summary) => minute(summary, at(3, 0))?.orders === 1,
    );
    expect(minute(after, at(0, 0))).toEqual(minute(await getSummary(analytics.url), at(0, 0)));
  });

  it('answers malformed percent-encoding in a path or query with a 400 problem', async () => {
    for (const path of ['/api/replay/%%%%', '/api/summary?minutes=%E0%A4%A']) {
      const response = await fetch(`${analytics.url}${path}`);
      expect({ path, status: response.status }).toEqual({ path, status: 400 });
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(((await response.json()) as { code: string }).code).toBe('MALFORMED_URI');
    }
  });

  it('rebuilds every aggregate from the beginning of the topics with the same numbers', async () => {
    const before = await getSummary(analytics.url);
    const response = await fetch(`${analytics.url}/api/replay`, {
      method: 'POST',
      headers: operator,
    });
    expect(response.status).toBe(202);
    const replay = (await response.json()) as { id: string; groupId: string; status: string };
    expect(replay.groupId).toMatch(/^analytics-replay-1-/);
    const done = await eventually(
      'the replay to complete',
      async () =>
        (await (await fetch(`${analytics.url}/api/replay/${replay.id}`)).json()) as {
          status: string;
          progress: { fraction: number };
        },
      (view) => view.status !== 'running',
    );
    expect(done).toMatchObject({ status: 'completed', progress: { fraction: 1 } });
    const after = await getSummary(analytics.url);
    expect(after.processing.groupId).toBe(replay.groupId);
    expect(aggregatesOf(after)).toEqual(aggregatesOf(before));
  });
  it('rebuilds its aggregates by itself when a window setting changed', async () => {
    const before = await getSummary(analytics.url);
    await analytics.stop();
    analytics = await env.startAnalytics(DATABASE, { WINDOW_GRACE_MS: '40000' });
    const after = await eventually(
      'the automatic replay to complete',
      () => getSummary(analytics.url),
      (summary) =>
        summary.processing.replay?.status === 'completed' &&
        summary.processing.groupId !== before.processing.groupId,
    );
    expect(after.settings.graceMs).toBe(40_000);
    // 40 s of grace changes nothing in this scenario: O5 is still 20 s too late for its minute.
    const { settings: _a, ...rebuilt } = aggregatesOf(after);
    const { settings: _b, ...previous } = aggregatesOf(before);
    expect(rebuilt).toEqual(previous);
  });
});

describe('the analytics HTTP API', () => {
  it('answers problem+json for unknown replays, malformed ids and unknown parameters', async () => {
    const missing = await fetch(`${analytics.url}/api/replay/00000000-0000-4000-8000-00000000ffff`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(await missing.json()).toMatchObject({ code: 'REPLAY_NOT_FOUND' });

    const malformed = await fetch(`${analytics.url}/api/replay/not-a-uuid`);
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ code: 'VALIDATION_FAILED' });

    const extra = await fetch(`${analytics.url}/api/summary?window=7`);
    expect(extra.status).toBe(400);
  });

  it('streams a summary on connect and again when the aggregates change', async () => {
    const controller = new AbortController();
    const response = await fetch(`${analytics.url}/api/stream`, { signal: controller.signal });
    expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    const nextSummary = async (): Promise<AnalyticsSummary> => {
      for (;;) {
        const end = buffer.indexOf('\n\n');
        if (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block.split('\n').find((line) => line.startsWith('data: '));
          if (block.includes('event: summary') && data) {
            return JSON.parse(data.slice('data: '.length)) as AnalyticsSummary;
          }
          continue;
        }
        const { value, done } = await reader.read();
        if (done) throw new Error('the event stream ended');
        buffer += value;
      }
    };
    try {
      const first = await nextSummary();
      const ordersAt4 = minute(first, at(4, 0))?.orders ?? 0;
      await env.publish(
        topics.orderPlaced,
        [
          orderPlaced(
            '00000000-0000-4000-8000-0000000000b1',
            'sync',
            [{ sku: 'SKU-B', quantity: 1 }],
            at(4, 1),
          ),
        ],
        0,
      );
      let update = await nextSummary();
      while ((minute(update, at(4, 0))?.orders ?? 0) === ordersAt4) update = await nextSummary();
      expect(minute(update, at(4, 0))?.orders).toBe(ordersAt4 + 1);
    } finally {
      controller.abort();
    }
  });
});
