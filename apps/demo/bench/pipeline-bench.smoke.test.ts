import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import type { PipelineResults } from './bench-results.ts';

const run = promisify(execFile);

// The bench end to end on the real stack (npm start on a temporary dir), with one tiny step: it
// proves the wiring (pids from the orchestrator, /proc sampling, the decision consumer, the lag
// probe, the report), not any figure. No assertion depends on how fast the machine is.
describe('npm run bench:pipeline (smoke run: one step of 10 orders/s for 2 s)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pipeline-bench-smoke-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('measures the real stack and writes its results and report', async () => {
    const json = join(dir, 'results.json');
    const md = join(dir, 'pipeline.md');
    const { stdout } = await run(
      process.execPath,
      [
        new URL('./pipeline-bench.ts', import.meta.url).pathname,
        '--quick',
        '--steps',
        '10',
        '--step-seconds',
        '2',
        '--idle-seconds',
        '0',
        '--warmup-seconds',
        '0',
        '--out-json',
        json,
        '--out-md',
        md,
      ],
      { timeout: 240_000 },
    );
    const results = JSON.parse(readFileSync(json, 'utf8')) as PipelineResults;
    expect(results.errors).toEqual([]);
    const [series] = results.series;
    expect(series?.name).toBe('async');
    const [step] = series!.steps;
    expect(step?.sent).toBe(20);
    const async = step!.paths.async!;
    const failed = Object.values(async.errors).reduce((a, b) => a + b, 0);
    expect(async.accepted + failed).toBe(20);
    // Every accepted order was followed to its decision on inventory.reservation-result.
    expect(async.confirmed + async.rejected + async.undecided).toBe(async.accepted);
    expect(step!.drainedAfterMs).not.toBeNull();
    expect(async.undecided).toBe(0);
    // The services' groups were found, and each process was measured.
    expect(Object.keys(step!.lagAfterDrain)).toEqual(
      expect.arrayContaining(['sales', 'inventory', 'reordering']),
    );
    expect(Object.keys(step!.lagAfterDrain).some((g) => g.startsWith('analytics'))).toBe(true);
    for (const name of [
      'demo',
      'postgres',
      'broker',
      'sales',
      'inventory',
      'reordering',
      'analytics',
    ]) {
      expect(series!.idle.memory[name]?.pssKb, name).toBeGreaterThan(0);
      expect(step!.memory[name]?.pssKb, name).toBeGreaterThan(0);
    }
    expect(step!.cpuMs.sales).toBeGreaterThan(0);
    expect(step!.cpuMs.postgres).toBeGreaterThan(0);
    expect(step!.cpuMsPerOrder.total).toBeGreaterThan(0);
    expect(readFileSync(md, 'utf8')).toContain('| 10/s × 2 s |');
    expect(stdout).toContain('demo total PSS, idle');
  }, 300_000);
});
