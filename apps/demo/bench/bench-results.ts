// The shape of apps/demo/bench/results/pipeline-latest.json: everything the report is rendered from.
import type { ProcMemory } from './proc-stats.ts';
import type { Lateness, PathFigures, SloVerdict } from './step-figures.ts';

export interface StepResult {
  rate: number;
  seconds: number;
  syncRatio: number;
  sent: number;
  /** Accepted orders (both paths) per second of sending. */
  acceptedPerSecond: number;
  paths: { async?: PathFigures; sync?: PathFigures };
  lateness: Lateness;
  lagAtEnd: Record<string, number>;
  lagAfterDrain: Record<string, number>;
  /** From the last send until every accepted order was decided and every lag was 0; null: never. */
  drainedAfterMs: number | null;
  /** The CPU window: step start -> drained (or the drain deadline). */
  cpuWindowSeconds: number;
  /** CPU ms per process over the window (PostgreSQL: the whole process tree). */
  cpuMs: Record<string, number>;
  /** cpuMs / accepted orders; `total` sums every process of the stack (not the bench). */
  cpuMsPerOrder: Record<string, number>;
  /**
   * The total less what the idle stack uses over the same window (timers, polls, heartbeats): what
   * one more order costs. Close to the total at high rates, much lower at low ones.
   */
  cpuMsPerOrderAboveIdle: number;
  /** The bench process: load generator, decision tap, lag probe. */
  benchCpuMs: number;
  /** Cores busy on the whole machine over the window, and the part neither the stack nor the bench used. */
  machineBusyCores: number;
  otherCores: number;
  memory: Record<string, ProcMemory>;
  pssTotalMb: number;
  loadAverage: number[];
  slo: SloVerdict;
  /** Each group's lag sampled during a long run (the analytics check only). */
  lagSamples?: { atSeconds: number; lag: Record<string, number> }[];
}

export interface IdleFigures {
  memory: Record<string, ProcMemory>;
  pssTotalMb: number;
  /** CPU ms per second of idle, per process. */
  cpuMsPerSecond: Record<string, number>;
  loadAverage: number[];
}

export interface AnalyticsCheck {
  rate: number;
  /** Why this rate: the sustained one, or the lowest step when none was sustained. */
  rateNote: string;
  groups: string[];
  slopePerSecond: number;
  lagAfterDrain: number;
  met: boolean;
  step: StepResult;
}

export interface SeriesResult {
  name: string;
  syncRatio: number;
  stackStartSeconds: number;
  idle: IdleFigures;
  steps: StepResult[];
  sustained: number | null;
  /** Why the series stopped before its last step, if it did. */
  stoppedEarly?: string;
  analytics?: AnalyticsCheck;
}

export interface Target {
  name: string;
  wanted: string;
  measured: string;
  verdict: 'met' | 'missed' | 'not measured';
}

export interface PipelineResults {
  date: string;
  quick: boolean;
  machine: Record<string, string | number>;
  options: {
    steps: number[];
    stepSeconds: number;
    syncRatio: number;
    series: string[];
    analyticsSeconds: number;
    logLevel: string;
  };
  series: SeriesResult[];
  targets: Target[];
  errors: string[];
}

export const kbToMb = (kb: number): number => (kb * 1024) / 1e6;

export function pssTotalMb(memory: Record<string, ProcMemory>, exclude = ['bench']): number {
  return kbToMb(
    Object.entries(memory)
      .filter(([name]) => !exclude.includes(name))
      .reduce((sum, [, m]) => sum + m.pssKb, 0),
  );
}
