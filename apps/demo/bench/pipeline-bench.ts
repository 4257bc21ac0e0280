// `npm run bench:pipeline`: the retail pipeline under a stepped open-loop load (issue #12).
// Progress goes to stderr; the summary to stdout; figures to the JSON results and the markdown page.
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { DemoError, repoRoot } from '@retail-streams/demo-stack';
import { BENCH_USAGE, DEFAULT_MARKDOWN, parseBenchArgs } from './bench-args.ts';
import type { BenchArgs } from './bench-args.ts';
import type { PipelineResults } from './bench-results.ts';
import { consoleSummary, markdown, readmeBlock, replaceReadmeBlock } from './pipeline-report.ts';
import { decodeResults, encodeResults } from './results-json.ts';
import { runSeries } from './run-series.ts';
import { startStackUnderTest, stopEveryStack } from './stack-under-test.ts';
import { evaluateTargets } from './targets.ts';

const began = performance.now();
function progress(message: string): void {
  const seconds = ((performance.now() - began) / 1000).toFixed(0).padStart(4);
  process.stderr.write(`[bench ${seconds} s] ${message}\n`);
}

const loadAverage = () =>
  os
    .loadavg()
    .map((v) => v.toFixed(2))
    .join(' / ');

function machineInfo(): Record<string, string | number> {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  return {
    cpu: /model name\s*:\s*(.*)/.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? 'unknown',
    cores: os.availableParallelism(),
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    kernel: os.release(),
    node: process.version,
    loadAverageAtStart: loadAverage(),
  };
}

/** Formats the page with the repository's Prettier settings, so `format-check` stays green. */
async function formatMarkdown(text: string, file: string): Promise<string> {
  try {
    const prettier = await import('prettier');
    const options = (await prettier.resolveConfig(file)) ?? {};
    return await prettier.format(text, { ...options, filepath: file });
  } catch (error) {
    progress(`prettier unavailable, markdown left unformatted: ${(error as Error).message}`);
    return text;
  }
}

async function writeOutputs(results: PipelineResults, args: BenchArgs): Promise<void> {
  mkdirSync(dirname(args.outJson), { recursive: true });
  writeFileSync(args.outJson, `${encodeResults(results)}\n`);
  progress(`wrote ${args.outJson}`);
  if (args.outMarkdown) {
    mkdirSync(dirname(args.outMarkdown), { recursive: true });
    const text = markdown(results, args.idleSeconds);
    writeFileSync(args.outMarkdown, await formatMarkdown(text, args.outMarkdown));
    progress(`wrote ${args.outMarkdown}`);
  }
  // The README's key figures follow the docs page (not a quick run or a page written elsewhere).
  if (args.outMarkdown === DEFAULT_MARKDOWN && !results.quick) {
    const readme = join(repoRoot, 'README.md');
    const text = replaceReadmeBlock(readFileSync(readme, 'utf8'), readmeBlock(results));
    writeFileSync(readme, await formatMarkdown(text, readme));
    progress(`updated the key figures in ${readme}`);
  }
  process.stdout.write(`${consoleSummary(results)}\n`);
}

/**
 * The stack's processes keep their type-stripped sources in Node's compile cache; without it each one
 * also loads the TypeScript stripper (~30 MB more per process). The first start after an install fills
 * the cache, every later start finds it: the bench measures the later kind, after one unmeasured
 * start when the cache is empty.
 */
async function warmCompileCache(args: BenchArgs): Promise<string> {
  const dir = join(repoRoot, 'node_modules', '.cache', 'node-compile');
  if (existsSync(dir) && readdirSync(dir).length > 0) return 'warm';
  progress('Node compile cache empty (first run after an install): one unmeasured start fills it');
  const stack = await startStackUnderTest({
    basePort: args.basePort,
    logLevel: args.logLevel,
    keepData: false,
  });
  await stack.stop();
  return 'empty at the start: filled by one unmeasured start of the stack';
}

async function measure(args: BenchArgs): Promise<PipelineResults> {
  const results: PipelineResults = {
    date: new Date().toISOString(),
    quick: args.quick,
    machine: machineInfo(),
    options: {
      steps: args.steps,
      stepSeconds: args.stepSeconds,
      syncRatio: args.syncRatio,
      series: args.series,
      analyticsSeconds: args.analyticsSeconds,
      logLevel: args.logLevel,
    },
    series: [],
    targets: [],
    errors: [],
  };
  progress(
    `load average at start: ${results.machine.loadAverageAtStart} on ${results.machine.cores} cores`,
  );
  results.machine.compileCache = await warmCompileCache(args);
  for (const name of args.series) {
    try {
      results.series.push(
        await runSeries(
          {
            name,
            syncRatio: name === 'async' ? 0 : args.syncRatio,
            steps: args.steps,
            stepSeconds: args.stepSeconds,
            analyticsSeconds: name === 'async' ? args.analyticsSeconds : 0,
            stopAfterMisses: args.allSteps ? 0 : 2,
            drainTimeoutSeconds: args.drainTimeoutSeconds,
            idleSeconds: args.idleSeconds,
            warmupSeconds: args.warmupSeconds,
            basePort: args.basePort,
            logLevel: args.logLevel,
            keepData: args.keepData,
          },
          progress,
        ),
      );
    } catch (error) {
      const message = (error as Error).message;
      results.errors.push(`${name}: ${message.split('\n')[0]}`);
      progress(`FAILED ${name}: ${message}`);
    }
  }
  results.machine.loadAverageAtEnd = loadAverage();
  results.targets = evaluateTargets(results);
  return results;
}

async function main(): Promise<number> {
  let args: BenchArgs;
  try {
    args = parseBenchArgs(process.argv.slice(2));
  } catch (error) {
    if (error instanceof DemoError) {
      process.stderr.write(`bench:pipeline: ${error.message}\n\n${BENCH_USAGE}`);
      return 2;
    }
    throw error;
  }
  if (args.help) {
    process.stdout.write(BENCH_USAGE);
    return 0;
  }
  if (args.reportOnly) {
    const results = decodeResults(readFileSync(args.outJson, 'utf8'));
    results.targets = evaluateTargets(results);
    await writeOutputs(results, args);
    return 0;
  }
  const results = await measure(args);
  if (results.series.length === 0) {
    // Nothing was measured: keep the last figures in the docs rather than a page of "not measured".
    progress('no series ran: results, docs and README left as they were');
    return 1;
  }
  await writeOutputs(results, args);
  return results.errors.length > 0 ? 1 : 0;
}

// Ctrl-C or SIGTERM: stop the stack under test (the orchestrator stops its processes in order).
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    progress(`${signal}: stopping the stack under test`);
    void stopEveryStack().finally(() => process.exit(130));
  });
}
process.exitCode = await main();
// kafkajs may keep reconnect timers alive after disconnect(): the figures are written, so leave now.
process.exit();
