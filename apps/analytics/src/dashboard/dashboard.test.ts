import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PARTICIPANTS, accessOf } from '@retail-streams/contracts';
import { startBroker, type RunningBroker } from '@retail-streams/streaming-broker';
import { participantAcls, replaceAcls } from '@retail-streams/streaming-client';
import { Kafka, logLevel } from 'kafkajs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startAnalyticsEnvironment,
  type AnalyticsEnvironment,
} from '../test-support/analytics-environment.ts';
import type { RunningAnalytics } from '../start-analytics.ts';
import type { AnalyticsSummary } from '../summary/summary-types.ts';
import {
  publishOpenPurchaseOrder,
  publishOrderRound,
  publishStockLevels,
} from './test-support/live-retail-events.ts';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
const inCi = process.env['CI'] === 'true';
if (!haveChromium && !inCi) {
  console.warn(
    `dashboard browser tests skipped: ${CHROMIUM} is missing (apt-get install -y chromium)`,
  );
}
const artifact = fileURLToPath(new URL('../../test-artifacts/dashboard.png', import.meta.url));

interface ControlCall {
  method: string;
  path: string;
  authorization: string | undefined;
  body: unknown;
}

/**
 * A real HTTP control endpoint answering like the demo orchestrator (apps/demo's control server:
 * Bearer token, `GET /status`, `POST /processes/:name/stop`, `/load/start`...), recording each call.
 */
async function startControlEndpoint(token: string) {
  const calls: ControlCall[] = [];
  let load: { rate: number; syncRatio: number } | null = null;
  const server = createServer(async (req: IncomingMessage, res) => {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    calls.push({
      method: req.method ?? '',
      path: req.url ?? '',
      authorization: req.headers.authorization,
      body: raw ? JSON.parse(raw) : undefined,
    });
    res.setHeader('content-type', 'application/json');
    if (req.headers.authorization !== `Bearer ${token}`) {
      res
        .writeHead(401)
        .end(JSON.stringify({ error: { code: 'UNAUTHORIZED', message: 'wrong token' } }));
    } else if (req.method === 'GET' && req.url === '/status') {
      res.end(
        JSON.stringify({
          processes: [
            { name: 'broker', state: 'running' },
            {
              name: 'inventory',
              state: calls.some((c) => c.path.endsWith('/stop')) ? 'stopped' : 'running',
            },
          ],
          load: { running: load !== null, request: load },
        }),
      );
    } else if (req.method === 'POST' && req.url === '/load/start') {
      load = JSON.parse(raw) as { rate: number; syncRatio: number };
      res.end(JSON.stringify({ running: true, request: load }));
    } else {
      res.end(JSON.stringify({ ok: true }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, calls, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** A broker with the authorizer on and every participant's ACLs from the topic registry. */
async function startSecuredBroker(): Promise<{ broker: RunningBroker; logDir: string }> {
  const logDir = mkdtempSync(join(tmpdir(), 'dashboard-secured-'));
  // The dashboard's connection is anonymous here, as on the demo's loopback operator listener.
  const broker = await startBroker({
    port: 0,
    logDir,
    authorizer: { superUsers: ['User:ANONYMOUS'] },
  });
  const admin = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await replaceAcls(
    admin,
    PARTICIPANTS.map((name) => `User:${name}`),
    PARTICIPANTS.flatMap((name) => participantAcls(accessOf(name))),
  );
  await admin.disconnect();
  return { broker, logDir };
}

async function closeServer(server: Server | undefined) {
  if (!server) return;
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

/** Reads what a chart currently holds, through Chart.js's registry in the page. */
function chartData(page: Page, canvasId: string) {
  return page.evaluate((id) => {
    const chart = (globalThis as unknown as DashboardWindow).Chart.getChart(id);
    return {
      labels: chart.data.labels,
      datasets: chart.data.datasets.map((dataset) => ({
        label: dataset.label,
        data: dataset.data,
      })),
    };
  }, canvasId);
}

/** What the page exposes: Chart.js's registry and the dashboard's own counters. */
interface PageChart {
  data: { labels: string[]; datasets: Array<{ label: string; data: Array<number | null> }> };
}
interface DashboardWindow {
  Chart: { getChart(id: string): PageChart };
  dashboard?: { summaries: number; latestSummary: AnalyticsSummary };
}

const sum = (values: Array<number | null>) =>
  values.reduce<number>((total, v) => total + (v ?? 0), 0);

describe.skipIf(!haveChromium && !inCi)(
  'the live dashboard in headless Chromium',
  { timeout: 180_000 },
  () => {
    const token = `test-token-${Math.random().toString(36).slice(2)}`;
    let env: AnalyticsEnvironment;
    let analytics: RunningAnalytics;
    let securedAnalytics: RunningAnalytics | undefined;
    let control: Awaited<ReturnType<typeof startControlEndpoint>>;
    let browser: Browser;
    let page: Page;
    let load: NodeJS.Timeout | undefined;
    let loadRounds: Promise<void> = Promise.resolve();
    const pageErrors: string[] = [];
    // A second broker, secured like the demo's, with every participant's registry ACLs: the one the
    // dashboard reads principals from (DASHBOARD_KAFKA_BROKERS).
    let secured: { broker: RunningBroker; logDir: string } | undefined;

    beforeAll(async () => {
      if (!haveChromium) {
        throw new Error(
          `${CHROMIUM} is missing: apt-get install -y chromium (required under CI=true)`,
        );
      }
      env = await startAnalyticsEnvironment();
      control = await startControlEndpoint(token);
      analytics = await env.startAnalytics('dashboard', {
        DEMO_CONTROL_URL: control.url,
        DEMO_CONTROL_TOKEN: token,
        // Nothing listens there: the page must fall back to the purchase-order events.
        REORDERING_URL: 'http://127.0.0.1:9',
        // Slow enough that the page sees a replay under way.
        REPLAY_MAX_RECORDS_PER_SECOND: '200',
      });
      await publishStockLevels(env);
      await publishOpenPurchaseOrder(env);
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--no-first-run',
        ],
      });
      page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      // Generous waits: on a busy 2-core machine the whole stack shares the CPU with the browser.
      page.setDefaultTimeout(90_000);
      page.on('pageerror', (error) => pageErrors.push(error.message));
      page.on('console', (message) => {
        // Failed fetches are expected here (reordering is unreachable by design); script errors are not.
        if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
          pageErrors.push(message.text());
        }
      });
    });

    afterAll(async () => {
      clearInterval(load);
      await loadRounds.catch(() => undefined);
      await browser?.close();
      await analytics?.stop();
      await securedAnalytics?.stop();
      await closeServer(control?.server);
      await env?.stop();
      await secured?.broker.close();
      if (secured) rmSync(secured.logDir, { recursive: true, force: true });
    });

    it('loads, connects to the summary stream and shows the controls', async () => {
      await page.goto(analytics.url);
      await page.waitForSelector('#connection[data-state="live"]');
      await page.waitForFunction(
        () => ((globalThis as unknown as DashboardWindow).dashboard?.summaries ?? 0) > 0,
      );
      expect(await page.isVisible('#controls')).toBe(true);
      // The token stays on the server: nothing the page can read contains it.
      expect(await page.content()).not.toContain(token);
      expect(pageErrors).toEqual([]);
    });

    it('counts orders per second from what the per-minute counts grew by, restarting with a new group', async () => {
      // The page's own module, loaded the way the page loads it.
      await page.addScriptTag({
        type: 'module',
        content: `import { OrderRate } from '/dashboard/live-data.js'; window.OrderRateUnderTest = OrderRate;`,
      });
      await page.waitForFunction(() => 'OrderRateUnderTest' in globalThis);
      const rates = await page.evaluate(() => {
        const { OrderRateUnderTest: OrderRate } = globalThis as unknown as {
          OrderRateUnderTest: new (windowMs: number) => {
            observe(summary: unknown, now: number): void;
            sample(now: number): { async: number; sync: number };
          };
        };
        const summary = (groupId: string, minutes: Array<[string, number, number]>) => ({
          processing: { groupId },
          perMinute: minutes.map(([windowStart, asyncOrders, syncOrders]) => ({
            windowStart,
            asyncOrders,
            syncOrders,
          })),
        });
        const rate = new OrderRate(10_000);
        rate.observe(summary('g1', [['10:00', 500, 100]]), 0); // the history: a baseline, not a rate
        const first = rate.sample(1_000);
        rate.observe(summary('g1', [['10:00', 520, 110]]), 2_000);
        // A window rolls over: growth in the old one and the new one both count.
        rate.observe(
          summary('g1', [
            ['10:00', 530, 110],
            ['10:01', 10, 20],
          ]),
          4_000,
        );
        const second = rate.sample(5_000);
        const later = rate.sample(16_000); // everything older than the 10 s window is gone
        rate.observe(summary('g2', [['10:00', 9000, 9000]]), 17_000); // a replay's new group
        const afterReplay = rate.sample(18_000);
        return { first, second, later, afterReplay };
      });
      expect(rates.first).toEqual({ async: 0, sync: 0 });
      // 40 async and 30 sync orders arrived in the 5 s since the baseline.
      expect(rates.second).toEqual({ async: 8, sync: 6 });
      expect(rates.later).toEqual({ async: 0, sync: 0 });
      expect(rates.afterReplay).toEqual({ async: 0, sync: 0 });
    });

    it('charts receive live data while load runs', async () => {
      // About 40 orders per second, half on each path, until the test file ends.
      load = setInterval(() => {
        loadRounds = loadRounds.then(() => publishOrderRound(env, 8));
      }, 200);

      await page.waitForFunction(
        () => {
          const chart = (globalThis as unknown as DashboardWindow).Chart.getChart(
            'chart-orders-rate',
          );
          return chart.data.datasets.every((d) => d.data.some((v) => (v ?? 0) > 0));
        },
        undefined,
        { timeout: 90_000 },
      );
      const rate = await chartData(page, 'chart-orders-rate');
      expect(rate.datasets.map((d) => d.label)).toEqual(['async', 'sync']);
      expect(Math.max(...(rate.datasets[0]!.data as number[]))).toBeGreaterThan(0);

      await page.waitForFunction(() => {
        const chart = (globalThis as unknown as DashboardWindow).Chart.getChart('chart-latency');
        return chart.data.datasets.every(
          (d: { data: Array<number | null> }) => d.data[0] !== null && d.data[0] !== undefined,
        );
      });
      const latency = await chartData(page, 'chart-latency');
      expect(latency.labels).toEqual(['p50', 'p95', 'p99', 'mean', 'max']);
      const [asyncLatency, syncLatency] = latency.datasets;
      expect(asyncLatency!.label).toMatch(/^async \(n=\d+\)$/);
      // The scripted sync results come 15-55 ms after the order, the async ones 60-100 ms.
      expect(syncLatency!.data[0]).toBeLessThan(asyncLatency!.data[0]!);

      const revenue = await chartData(page, 'chart-revenue');
      expect(sum(revenue.datasets[0]!.data)).toBeGreaterThan(0);

      const errors = await chartData(page, 'chart-errors');
      expect(errors.labels).toContain('async orders rejected');
      const asyncRejected =
        errors.datasets[0]!.data[errors.labels.indexOf('async orders rejected')];
      expect(asyncRejected).toBeGreaterThan(0); // every tenth async order is rejected

      const stock = await chartData(page, 'chart-stock');
      expect(stock.labels).toEqual(['KETTLE-01', 'MUG-01', 'PAN-01', 'BLENDER-01'].sort());
      expect(stock.datasets.map((d) => d.label)).toEqual(['available', 'reorder point']);

      // Lag and ownership: the analytics group owns every partition it reads, through one member.
      const groupId = await page.evaluate(
        () =>
          (globalThis as unknown as DashboardWindow).dashboard?.latestSummary.processing.groupId ??
          '',
      );
      await page.waitForSelector(`.group-row[data-group="${groupId}"] .tile`);
      const tiles = await page.$$eval(`.tile[data-group="${groupId}"]`, (nodes) =>
        nodes.map((node) => ({
          className: node.className,
          topic: node.getAttribute('data-topic'),
        })),
      );
      expect(tiles.length).toBeGreaterThanOrEqual(6 + 6 + 3); // order-placed, reservation-result, stock-level...
      expect(tiles.some((tile) => tile.topic === 'sales.order-placed')).toBe(true);
      expect(tiles.every((tile) => !tile.className.includes('unowned'))).toBe(true);
      const lag = await chartData(page, 'chart-lag');
      expect(lag.datasets.map((d) => d.label)).toContain(groupId);

      // Open purchase orders: reordering does not answer here, so the events speak.
      await page.waitForSelector('#purchase-orders tbody tr');
      expect(await page.textContent('#purchase-orders tbody')).toContain('SKU-BLENDER-01');
      expect(await page.textContent('#purchase-orders-source')).toContain(
        'from the purchase-order events',
      );
      expect(pageErrors).toEqual([]);
    });

    it("shows each service's broker user and what the broker's ACLs let it touch", async () => {
      // The test's main broker checks no ACLs, and says so.
      await page.waitForSelector('#broker-access p:has-text("checks no ACLs")');
      // A second analytics whose dashboard reads a broker secured like the demo's.
      secured = await startSecuredBroker();
      securedAnalytics = await env.startAnalytics('dashboard_acls', {
        DASHBOARD_KAFKA_BROKERS: secured.broker.bootstrap,
      });
      const aclPage = await browser.newPage();
      await aclPage.goto(securedAnalytics.url);
      await aclPage.waitForSelector('.principal-row[data-principal="User:sales"]', {
        timeout: 90_000,
      });
      const rulesOf = (principal: string) =>
        aclPage.$$eval(`.principal-row[data-principal="${principal}"] .rule`, (nodes) =>
          nodes.map((node) => [...node.children].map((span) => span.textContent)),
        );
      expect(await rulesOf('User:sales')).toEqual([
        ['write', 'topic inventory.reservation-result.dlq.sales*, topic sales.order-placed'],
        ['read', 'group sales*, topic inventory.reservation-result, topic sales.order-placed'],
        [
          'create',
          'topic inventory.reservation-result, topic inventory.reservation-result.dlq.sales*, topic sales.order-placed',
        ],
      ]);
      const principals = await aclPage.$$eval('.principal-row', (nodes) =>
        nodes.map((node) => node.getAttribute('data-principal')),
      );
      expect(principals).toEqual(PARTICIPANTS.map((name) => `User:${name}`).sort());
      await aclPage.close();
      expect(pageErrors).toEqual([]);
    });

    it('a fault control reaches the orchestrator with its token', async () => {
      // The token check is the orchestrator's: no call in this file may have been refused.
      const unauthorised = () => control.calls.filter((c) => c.authorization !== `Bearer ${token}`);

      await page.click('button[data-control="inventory-stop"]');
      await page.waitForSelector('#control-log li:has-text("stop inventory: done")');
      const stop = control.calls.find((call) => call.path === '/processes/inventory/stop');
      expect(stop).toMatchObject({ method: 'POST', authorization: `Bearer ${token}` });

      await page.fill('#inventory-latency', '750');
      await page.click('button[data-control="inventory-latency"]');
      await page.waitForSelector('#control-log li:has-text("inventory latency 750 ms: done")');
      expect(control.calls.find((call) => call.path === '/inventory/latency')).toMatchObject({
        method: 'POST',
        authorization: `Bearer ${token}`,
        body: { ms: 750 },
      });
      // The process states come from the orchestrator's status route.
      await page.waitForSelector('#process-states .pill:has-text("inventory: stopped")');

      await page.click('button[data-control="broker-restart"]');
      await page.waitForSelector('#control-log li:has-text("restart broker: done")');
      expect(control.calls.some((call) => call.path === '/broker/restart')).toBe(true);
      expect(unauthorised()).toEqual([]);
    });

    it('starts load with the chosen rate and sync share', async () => {
      await page.fill('#load-rate', '35');
      await page.locator('#load-sync-ratio').fill('0.25');
      expect(await page.textContent('#load-sync-ratio-value')).toBe('25 %');
      await page.click('button[data-control="load-start"]');
      await page.waitForSelector('#control-log li:has-text("start load at 35/s, 25 % sync: done")');
      expect(control.calls.find((call) => call.path === '/load/start')?.body).toEqual({
        rate: 35,
        syncRatio: 0.25,
      });
      await page.waitForSelector('#process-states .pill:has-text("load: 35/s, 25 % sync")');
    });

    it('shows that a replay is running and how far along it is', async () => {
      // The page's button goes to the orchestrator, which passes it on to analytics with the token.
      await page.click('button[data-control="replay-start"]');
      await page.waitForSelector('#control-log li:has-text("replay all topics: done")');
      expect(control.calls.find((call) => call.path === '/analytics/replay')).toMatchObject({
        method: 'POST',
        authorization: `Bearer ${token}`,
      });
      // This stand-in orchestrator does not pass it on: start the replay as the real one would.
      const started = await fetch(`${analytics.url}/api/replay`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(started.status).toBe(202);

      await page.waitForSelector('#replay-status[data-status="running"]:not([hidden])');
      expect(await page.textContent('#replay-status')).toMatch(
        /^replay running, (tables|streams): \d+ % \([\d,]+ of [\d,]+ records, at most 200\/s\)$/,
      );
      const first = Number(await page.getAttribute('#replay-status', 'data-fraction'));
      expect(first).toBeGreaterThanOrEqual(0);
      expect(first).toBeLessThan(1);
      // And it moves on: a later summary shows more of it done.
      await page.waitForFunction(
        `Number(document.querySelector('#replay-status').dataset.fraction) > ${first}`,
      );
      expect(pageErrors).toEqual([]);
    });

    it('keeps a screenshot of the live dashboard as a test artifact', async () => {
      // A few more seconds of load so the time series show a line rather than a dot.
      await page.waitForFunction(
        () =>
          (globalThis as unknown as DashboardWindow).Chart.getChart('chart-orders-rate').data.labels
            .length >= 15,
        undefined,
        { timeout: 90_000 },
      );
      mkdirSync(dirname(artifact), { recursive: true });
      await page.screenshot({ path: artifact, fullPage: true });
      expect(existsSync(artifact)).toBe(true);
    });
  },
);
