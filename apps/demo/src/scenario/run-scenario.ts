import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runLoad } from '../load/load-generator.ts';
import type { LoadProgress } from '../load/load-generator.ts';
import { fetchSkus, randomOrder } from '../load/order-factory.ts';
import {
  ConsoleReporter,
  describeExit,
  ephemeralPorts,
  startStack,
} from '@retail-streams/demo-stack';
import type { RunningStack } from '@retail-streams/demo-stack';
import { FINAL_STATUSES, auditOrders } from './order-audit.ts';
import type { ScenarioReport, TimelineEntry } from './scenario-report.ts';
import { SCENARIO_SYNC_TIMEOUT_MS } from './scenarios.ts';
import type { Scenario } from './scenarios.ts';

export interface RunScenarioOptions {
  scenario: Scenario;
  /** Multiplies the scenario's rates (bigger machines). */
  rateScale?: number;
  durationSeconds?: number;
  syncRatio?: number;
  /** Keep the temporary stack's data and logs (they are kept anyway when the async path fails). */
  keepData?: boolean;
  auditDeadlineMs?: number;
  onNote?: (message: string) => void;
  onProgress?: (progress: LoadProgress) => void;
}

export interface ScenarioRun {
  report: ScenarioReport;
  /** Where the stack's data and process logs are, when kept. */
  dataDir: string | null;
}

/**
 * Runs one scenario on a stack of its own (ephemeral ports, a temporary data folder), so that its
 * figures do not depend on what an earlier run or a running demo left behind: start the stack, push
 * one order through end to end, run the load while the scenario's faults fire on schedule, then
 * read every accepted order back from sales.
 */
export async function runScenario(options: RunScenarioOptions): Promise<ScenarioRun> {
  const { scenario } = options;
  const note = options.onNote ?? (() => undefined);
  const scale = options.rateScale ?? 1;
  const rate = scenario.rate * scale;
  const durationSeconds = options.durationSeconds ?? scenario.durationSeconds;
  const syncRatio = options.syncRatio ?? scenario.syncRatio;
  const dataDir = mkdtempSync(join(tmpdir(), `retail-streams-scenario-${scenario.name}-`));
  const reporter = new ConsoleReporter(join(dataDir, 'logs'), { showLines: false });
  let stack: RunningStack | null = null;
  let keep = options.keepData ?? false;
  try {
    note(`starting an isolated stack in ${dataDir}`);
    const began = Date.now();
    stack = await startScenarioStack(dataDir, reporter, note);
    note(
      `stack ready in ${((Date.now() - began) / 1000).toFixed(1)} s; warming up with one order end to end`,
    );
    const skus = await fetchSkus(stack.urls.inventory);
    await warmUp(stack.urls.sales, skus);

    note(`load: ${rate} orders/s for ${durationSeconds} s, sync share ${syncRatio}`);
    const faults = scheduleSteps(scenario.steps, stack, note);
    const { burst } = scenario;
    const result = await runLoad({
      salesUrl: stack.urls.sales,
      rate,
      rateAt: burst
        ? (ms) =>
            ms >= burst.fromSeconds * 1000 && ms < burst.toSeconds * 1000
              ? burst.rate * scale
              : rate
        : undefined,
      durationMs: durationSeconds * 1000,
      syncRatio,
      skus,
      onProgress: options.onProgress,
    });
    const loadEndedAt = result.startedAt.getTime() + result.elapsedMs;
    const timeline = await faults;

    note(`checking ${result.accepted.length} accepted orders against sales`);
    const audit = await auditOrders(result.accepted, {
      salesUrl: stack.urls.sales,
      loadEndedAt,
      deadlineMs: options.auditDeadlineMs ?? 120_000,
      onRound: (open) => {
        if (open > 0) note(`${open} orders not final yet`);
      },
    });
    const { accepted: _accepted, ...load } = result;
    const report: ScenarioReport = {
      scenario: scenario.name,
      description: scenario.description,
      rate,
      durationSeconds,
      syncRatio,
      load,
      audit,
      timeline,
    };
    if (audit.async.lost > 0 || audit.async.unfinished > 0) keep = true;
    return { report, dataDir: keep ? dataDir : null };
  } catch (error) {
    keep = true;
    throw error;
  } finally {
    await stack?.stop();
    await reporter.close();
    if (!keep) rmSync(dataDir, { recursive: true, force: true });
    else note(`data and process logs kept in ${dataDir}`);
  }
}

/** The scenario's stack: ephemeral ports, no durability, no connectors. */
async function startScenarioStack(
  dataDir: string,
  reporter: ConsoleReporter,
  note: (message: string) => void,
): Promise<RunningStack> {
  return startStack({
    dataDir,
    ports: await ephemeralPorts(),
    durable: false,
    connectors: false,
    serviceOverrides: { sales: { SYNC_TIMEOUT_MS: String(SCENARIO_SYNC_TIMEOUT_MS) } },
    onLine: reporter.line,
    onEvent: (event) => {
      if (event.type === 'died') {
        note(`!!! ${event.exit.name} died (${describeExit(event.exit.code, event.exit.signal)})`);
      }
      if (event.type === 'skipped') note(`skipped ${event.name}: ${event.reason}`);
    },
  });
}

/**
 * Runs each step at its time after the load starts (now); resolves, once all have run, to what
 * each did and how long it took, in time order. A failed step is noted, not thrown.
 */
async function scheduleSteps(
  steps: Scenario['steps'],
  stack: RunningStack,
  note: (message: string) => void,
): Promise<TimelineEntry[]> {
  const loadStart = performance.now();
  const runStep = async (step: Scenario['steps'][number]): Promise<TimelineEntry> => {
    await new Promise((resolve) => setTimeout(resolve, step.atSeconds * 1000));
    const at = performance.now() - loadStart;
    note(`+${(at / 1000).toFixed(1)} s ${step.label}`);
    const entry: TimelineEntry = { atMs: at, label: step.label, tookMs: 0 };
    try {
      await step.run(stack);
    } catch (error) {
      entry.error = (error as Error).message.split('\n')[0];
      note(`${step.label} failed: ${entry.error}`);
    }
    entry.tookMs = performance.now() - loadStart - at;
    return entry;
  };
  const timeline = await Promise.all(steps.map(runStep));
  return timeline.sort((a, b) => a.atMs - b.atMs);
}

/** One async order placed and followed to its decision: the pipeline works before we measure it. */
async function warmUp(
  salesUrl: string,
  skus: readonly string[],
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let orderId: string | null = null;
  while (Date.now() < deadline) {
    try {
      if (!orderId) {
        const response = await fetch(`${salesUrl}/orders`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(randomOrder(skus)),
        });
        const body = (await response.json()) as { orderId?: string };
        if (response.status === 202 && body.orderId) orderId = body.orderId;
      } else {
        const response = await fetch(`${salesUrl}/orders/${orderId}`);
        const body = (await response.json()) as { status?: string };
        if (FINAL_STATUSES.has(body.status ?? '')) return;
      }
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`warm-up: no order went through the async path within ${timeoutMs / 1000} s`);
}
