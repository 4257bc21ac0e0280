// One series of the bench: a fresh stack, its idle footprint, a warm-up, then the rate steps, each
// measured from its first send until the stack has decided every order and drained every group.
import os from 'node:os';
import { fetchSkus } from '../src/load/order-factory.ts';
import type { AnalyticsCheck, IdleFigures, SeriesResult, StepResult } from './bench-results.ts';
import { pssTotalMb } from './bench-results.ts';
import { DecisionTap, GroupLagProbe, benchKafka } from './broker-probes.ts';
import { lagBackToZero } from './lag-back-to-zero.ts';
import { epochNow, startOpenLoop } from './open-loop.ts';
import { cpuMsBetween, sampleCpu, sampleMemory, CLOCK_TICKS_PER_SECOND } from './proc-stats.ts';
import type { CpuSample } from './proc-stats.ts';
import { restock } from './restock.ts';
import { startStackUnderTest, tail } from './stack-under-test.ts';
import type { StackUnderTest } from './stack-under-test.ts';
import {
  SLO,
  ANALYTICS_LAG_SAMPLE_MS,
  analyticsKeepsUp,
  formatMsShort,
  lateness,
  pathFigures,
  sloVerdict,
  sustainedRate,
} from './step-figures.ts';

export interface SeriesPlan {
  name: string;
  syncRatio: number;
  steps: number[];
  stepSeconds: number;
  /** 0: no analytics check. */
  analyticsSeconds: number;
  /** Consecutive SLO misses after which the higher steps are skipped (0: run them all). */
  stopAfterMisses: number;
  drainTimeoutSeconds: number;
  idleSeconds: number;
  warmupSeconds: number;
  basePort?: number;
  logLevel: string;
  keepData: boolean;
}

export type Progress = (message: string) => void;

/** How long the idle CPU use is measured, after the quiet period. */
const IDLE_CPU_WINDOW_MS = 5000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

export async function runSeries(plan: SeriesPlan, progress: Progress): Promise<SeriesResult> {
  progress(`${plan.name}: starting the demo stack (npm start on a temporary data dir)`);
  const stack = await startStackUnderTest({
    basePort: plan.basePort,
    logLevel: plan.logLevel,
    keepData: plan.keepData,
  });
  progress(
    `${plan.name}: stack ready in ${(stack.startMs / 1000).toFixed(1)} s (ports from ${stack.ports.postgres}, data ${stack.dataDir})`,
  );
  const kafka = benchKafka(stack.bootstrap, (message) => progress(`  ${message}`));
  const probe = new GroupLagProbe(kafka);
  const tap = new DecisionTap(kafka);
  try {
    await probe.connect();
    await tap.start();
    const skus = await fetchSkus(stack.inventoryUrl);
    const idle = await measureIdle(stack, plan.idleSeconds, progress, plan.name);

    const idleStackMsPerSecond = Object.entries(idle.cpuMsPerSecond)
      .filter(([name]) => name !== 'bench')
      .reduce((sum, [, ms]) => sum + ms, 0);
    const runner = new StepRunner(
      stack,
      probe,
      tap,
      kafka,
      skus,
      plan,
      progress,
      idleStackMsPerSecond,
    );
    await runner.warmUp(Math.min(plan.steps[0] ?? 50, 50), plan.warmupSeconds, plan.syncRatio);

    const steps: StepResult[] = [];
    let misses = 0;
    let stoppedEarly: string | undefined;
    for (const rate of plan.steps) {
      const step = await runner.step(rate, plan.stepSeconds, plan.syncRatio);
      steps.push(step);
      misses = step.slo.met ? 0 : misses + 1;
      if (step.drainedAfterMs === null) {
        stoppedEarly = `the stack had not drained ${plan.drainTimeoutSeconds} s after the ${rate}/s step`;
        break;
      }
      if (
        plan.stopAfterMisses > 0 &&
        misses >= plan.stopAfterMisses &&
        rate !== plan.steps.at(-1)
      ) {
        stoppedEarly = `${misses} steps in a row missed the SLO; higher steps skipped`;
        break;
      }
    }
    if (stoppedEarly) progress(`${plan.name}: stopped early: ${stoppedEarly}`);
    const sustained = sustainedRate(steps);
    progress(`${plan.name}: sustained ${sustained === null ? 'none' : `${sustained} orders/s`}`);

    let analytics: AnalyticsCheck | undefined;
    if (plan.analyticsSeconds > 0 && steps.length > 0) {
      const rate = sustained ?? Math.min(...plan.steps);
      const rateNote =
        sustained === null
          ? 'no step met the SLO: checked at the lowest step'
          : 'the sustained rate';
      analytics = await runner.analyticsCheck(
        rate,
        rateNote,
        plan.analyticsSeconds,
        plan.syncRatio,
      );
    }
    return {
      name: plan.name,
      syncRatio: plan.syncRatio,
      stackStartSeconds: round(stack.startMs / 1000, 1),
      idle,
      steps,
      sustained,
      ...(stoppedEarly ? { stoppedEarly } : {}),
      ...(analytics ? { analytics } : {}),
    };
  } catch (error) {
    progress(`${plan.name}: failed; the orchestrator's last lines:\n${tail(stack.logFile)}`);
    throw error;
  } finally {
    await tap.stop().catch(() => undefined);
    await probe.close().catch(() => undefined);
    progress(`${plan.name}: stopping the stack`);
    await stack.stop();
  }
}

async function measureIdle(
  stack: StackUnderTest,
  seconds: number,
  progress: Progress,
  series: string,
): Promise<IdleFigures> {
  progress(`${series}: idle for ${seconds} s, then the idle footprint (before any load)`);
  // The connectors start last and are still reading their stored positions when the stack is
  // ready: the idle CPU window starts after the quiet period, not at once.
  await sleep(seconds * 1000);
  const roots = await withBench(stack);
  const before = sampleCpu(roots);
  await sleep(IDLE_CPU_WINDOW_MS);
  const after = sampleCpu(roots);
  const memory = sampleMemory(roots);
  const windowSeconds = (after.atMs - before.atMs) / 1000;
  const cpuMsPerSecond = Object.fromEntries(
    Object.entries(cpuMsBetween(before, after)).map(([name, ms]) => [
      name,
      round(ms / windowSeconds, 1),
    ]),
  );
  const idle: IdleFigures = {
    memory,
    pssTotalMb: round(pssTotalMb(memory), 1),
    cpuMsPerSecond,
    loadAverage: os.loadavg().map((v) => round(v)),
  };
  progress(`${series}: idle PSS ${idle.pssTotalMb} MB in total (stack, without the bench)`);
  return idle;
}

async function withBench(stack: StackUnderTest): Promise<Map<string, number>> {
  const roots = await stack.processes();
  roots.set('bench', process.pid);
  return roots;
}

class StepRunner {
  readonly #stack: StackUnderTest;
  readonly #probe: GroupLagProbe;
  readonly #tap: DecisionTap;
  readonly #kafka: ReturnType<typeof benchKafka>;
  readonly #skus: readonly string[];
  readonly #plan: SeriesPlan;
  readonly #progress: Progress;
  readonly #idleStackMsPerSecond: number;

  constructor(
    stack: StackUnderTest,
    probe: GroupLagProbe,
    tap: DecisionTap,
    kafka: ReturnType<typeof benchKafka>,
    skus: readonly string[],
    plan: SeriesPlan,
    progress: Progress,
    idleStackMsPerSecond: number,
  ) {
    this.#idleStackMsPerSecond = idleStackMsPerSecond;
    this.#stack = stack;
    this.#probe = probe;
    this.#tap = tap;
    this.#kafka = kafka;
    this.#skus = skus;
    this.#plan = plan;
    this.#progress = progress;
  }

  /** A short unmeasured run, so the steps meet warm JIT-compiled code and open connection pools. */
  async warmUp(rate: number, seconds: number, syncRatio: number): Promise<void> {
    if (seconds <= 0) return;
    this.#progress(`${this.#plan.name}: warm-up, ${rate} orders/s for ${seconds} s`);
    await restock(this.#kafka, this.#stack.inventoryUrl, rate * seconds);
    const run = startOpenLoop({
      salesUrl: this.#stack.salesUrl,
      rate,
      durationMs: seconds * 1000,
      syncRatio,
      skus: this.#skus,
    });
    const endedAt = await run.sendingDone;
    await run.allAnswered;
    await this.#waitDrained(run.orders, endedAt, this.#plan.drainTimeoutSeconds * 1000);
  }

  async step(rate: number, seconds: number, syncRatio: number): Promise<StepResult> {
    return this.#measure(rate, seconds, syncRatio, `${rate} orders/s for ${seconds} s`);
  }

  async analyticsCheck(
    rate: number,
    rateNote: string,
    seconds: number,
    syncRatio: number,
  ): Promise<AnalyticsCheck> {
    const step = await this.#measure(
      rate,
      seconds,
      syncRatio,
      `analytics check: ${rate} orders/s for ${seconds} s`,
      ANALYTICS_LAG_SAMPLE_MS,
    );
    const groups = Object.keys(step.lagAfterDrain).filter((g) => g.startsWith('analytics'));
    const samples = (step.lagSamples ?? []).map((sample) => ({
      atSeconds: sample.atSeconds,
      lag: groups.reduce((sum, group) => sum + (sample.lag[group] ?? 0), 0),
    }));
    const lagAfterDrain = groups.reduce((sum, group) => sum + (step.lagAfterDrain[group] ?? 0), 0);
    const verdict = analyticsKeepsUp(samples, rate, lagAfterDrain);
    this.#progress(
      `analytics check: lag trend ${verdict.slopePerSecond.toFixed(1)} records/s, ${lagAfterDrain} behind within ${SLO.lagDrainMs / 1000} s: ${verdict.met ? 'keeps up' : 'falls behind'}`,
    );
    return {
      rate,
      rateNote,
      groups,
      slopePerSecond: round(verdict.slopePerSecond, 2),
      lagAfterDrain,
      met: verdict.met,
      step,
    };
  }

  async #measure(
    rate: number,
    seconds: number,
    syncRatio: number,
    label: string,
    sampleLagEveryMs = 0,
  ): Promise<StepResult> {
    const name = this.#plan.name;
    const orderCount = Math.round(rate * seconds);
    await restock(this.#kafka, this.#stack.inventoryUrl, orderCount);
    const roots = await withBench(this.#stack);
    this.#progress(`${name}: ${label}`);
    const cpu0 = sampleCpu(roots);
    const run = startOpenLoop({
      salesUrl: this.#stack.salesUrl,
      rate,
      durationMs: seconds * 1000,
      syncRatio,
      skus: this.#skus,
    });
    const lagSamples: { atSeconds: number; lag: Record<string, number> }[] = [];
    const began = epochNow();
    let sending = true;
    const ticker = setInterval(() => {
      const answered = run.orders.filter((o) => Number.isFinite(o.answeredAt)).length;
      const failed = run.orders.filter((o) => o.error !== null).length;
      this.#progress(
        `  +${((epochNow() - began) / 1000).toFixed(0)} s: sent ${run.orders.length}/${orderCount}, answered ${answered}, failed ${failed}, in flight ${run.inFlight()}, decided ${this.#decidedCount(run.orders)}`,
      );
    }, 5000);
    const sampler =
      sampleLagEveryMs > 0
        ? (async () => {
            while (sending) {
              await sleep(sampleLagEveryMs);
              if (!sending) break;
              const lag = await this.#probe.measure();
              lagSamples.push({ atSeconds: round((epochNow() - began) / 1000, 1), lag });
            }
          })()
        : Promise.resolve();
    let endedAt: number;
    try {
      endedAt = await run.sendingDone;
    } finally {
      sending = false;
      clearInterval(ticker);
    }
    await sampler;
    const memory = sampleMemory(roots);
    const lagAtEnd = await this.#probe.measure();
    const lagAfterDrain = await lagBackToZero(
      () => this.#probe.measure(),
      lagAtEnd,
      endedAt + SLO.lagDrainMs,
    );
    await run.allAnswered;
    const drainedAfterMs = await this.#waitDrained(
      run.orders,
      endedAt,
      this.#plan.drainTimeoutSeconds * 1000,
    );
    const cpu1 = sampleCpu(roots);
    const result = this.#figures({
      rate,
      seconds,
      syncRatio,
      orders: run.orders,
      endedAt,
      began,
      cpu0,
      cpu1,
      memory,
      lagAtEnd,
      lagAfterDrain,
      drainedAfterMs,
    });
    if (lagSamples.length > 0) result.lagSamples = lagSamples;
    this.#progress(`${name}: ${describeStep(result)}`);
    return result;
  }

  #decidedCount(orders: readonly { path: string; orderId: string | null; error: string | null }[]) {
    let decided = 0;
    for (const order of orders) {
      if (order.error !== null) continue;
      if (order.path === 'sync' || (order.orderId && this.#tap.decisions.has(order.orderId)))
        decided++;
    }
    return decided;
  }

  /** Waits until every accepted async order has its decision and every group's lag is 0. */
  async #waitDrained(
    orders: readonly { path: string; orderId: string | null; error: string | null }[],
    endedAt: number,
    timeoutMs: number,
  ): Promise<number | null> {
    const deadline = endedAt + timeoutMs;
    for (;;) {
      const undecided = orders.some(
        (order) =>
          order.error === null &&
          order.path === 'async' &&
          (order.orderId === null || !this.#tap.decisions.has(order.orderId)),
      );
      if (!undecided) {
        const lag = await this.#probe.measure();
        if (Object.values(lag).every((value) => value === 0)) return round(epochNow() - endedAt, 0);
      }
      if (epochNow() > deadline) return null;
      await sleep(250);
    }
  }

  #figures(input: {
    rate: number;
    seconds: number;
    syncRatio: number;
    orders: Parameters<typeof pathFigures>[0];
    endedAt: number;
    began: number;
    cpu0: CpuSample;
    cpu1: CpuSample;
    memory: StepResult['memory'];
    lagAtEnd: Record<string, number>;
    lagAfterDrain: Record<string, number>;
    drainedAfterMs: number | null;
  }): StepResult {
    const { orders, cpu0, cpu1 } = input;
    const paths: StepResult['paths'] = {};
    if (input.syncRatio < 1) paths.async = pathFigures(orders, 'async', this.#tap.decisions);
    if (input.syncRatio > 0) paths.sync = pathFigures(orders, 'sync', this.#tap.decisions);
    const accepted = (paths.async?.accepted ?? 0) + (paths.sync?.accepted ?? 0);
    const late = lateness(orders);
    const cpuMs = cpuMsBetween(cpu0, cpu1);
    const { bench: benchCpuMs = 0, ...stackCpu } = cpuMs;
    const stackTotal = Object.values(stackCpu).reduce((sum, ms) => sum + ms, 0);
    const perOrder: Record<string, number> = {};
    for (const [name, ms] of Object.entries(stackCpu)) {
      perOrder[name] = accepted > 0 ? round(ms / accepted, 3) : Number.NaN;
    }
    perOrder.total = accepted > 0 ? round(stackTotal / accepted, 3) : Number.NaN;
    const windowSeconds = (cpu1.atMs - cpu0.atMs) / 1000;
    const machineBusyCores =
      (cpu1.machine.busy - cpu0.machine.busy) / CLOCK_TICKS_PER_SECOND / windowSeconds;
    const sendSeconds = (input.endedAt - input.began) / 1000;
    const step: Omit<StepResult, 'slo'> = {
      rate: input.rate,
      seconds: input.seconds,
      syncRatio: input.syncRatio,
      sent: orders.length,
      acceptedPerSecond: round(accepted / Math.max(sendSeconds, 0.001), 1),
      paths,
      lateness: { late: late.late, p99Ms: round(late.p99Ms), maxMs: round(late.maxMs) },
      lagAtEnd: input.lagAtEnd,
      lagAfterDrain: input.lagAfterDrain,
      drainedAfterMs: input.drainedAfterMs,
      cpuWindowSeconds: round(windowSeconds, 1),
      cpuMs: Object.fromEntries(Object.entries(stackCpu).map(([k, v]) => [k, round(v, 0)])),
      cpuMsPerOrder: perOrder,
      cpuMsPerOrderAboveIdle:
        accepted > 0
          ? round((stackTotal - this.#idleStackMsPerSecond * windowSeconds) / accepted, 3)
          : Number.NaN,
      benchCpuMs: round(benchCpuMs, 0),
      machineBusyCores: round(machineBusyCores),
      otherCores: round(
        Math.max(0, machineBusyCores - (stackTotal + benchCpuMs) / 1000 / windowSeconds),
      ),
      memory: input.memory,
      pssTotalMb: round(pssTotalMb(input.memory), 1),
      loadAverage: os.loadavg().map((v) => round(v)),
    };
    return {
      ...step,
      slo: sloVerdict({
        paths,
        lagAfterDrain: input.lagAfterDrain,
        sent: orders.length,
        lateSends: late.late,
      }),
    };
  }
}

/** One progress line per step: the figures the SLO looks at. */
export function describeStep(step: StepResult): string {
  const parts = [`${step.rate}/s: accepted ${step.acceptedPerSecond}/s`];
  for (const [path, f] of Object.entries(step.paths)) {
    if (!f) continue;
    const errors = Object.values(f.errors).reduce((sum, n) => sum + n, 0);
    parts.push(
      `${path} accept p99 ${formatMsShort(f.acceptP99Ms)}, decision p99 ${formatMsShort(f.decisionP99Ms)}, errors ${errors}`,
    );
  }
  parts.push(`CPU ${step.cpuMsPerOrder.total} ms/order`, `PSS ${step.pssTotalMb} MB`);
  parts.push(step.slo.met ? 'SLO met' : `SLO missed (${step.slo.misses.join('; ')})`);
  return parts.join(' | ');
}
