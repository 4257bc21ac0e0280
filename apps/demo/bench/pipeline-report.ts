// Renders a run's results: docs/benchmarks/pipeline.md (method, machine, every figure, the targets)
// and the summary printed at the end of a run.
import { formatTable } from '../src/format/table.ts';
import type { PipelineResults, SeriesResult, StepResult } from './bench-results.ts';
import { kbToMb } from './bench-results.ts';
import { encodeResults } from './results-json.ts';
import { ANALYTICS_LAG_SAMPLE_MS, LATE_MS, SLO, formatMsShort } from './step-figures.ts';
import type { PathFigures } from './step-figures.ts';

const ms = formatMsShort;
const mb = (kb: number) => String(Math.round(kbToMb(kb)));
const sum = (values: Record<string, number>) => Object.values(values).reduce((a, b) => a + b, 0);

function mdTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c) => c.replaceAll('|', '\\|')).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

function errorText(f: PathFigures | undefined): string {
  if (!f) return '';
  const entries = Object.entries(f.errors);
  if (entries.length === 0) return '0';
  return entries.map(([kind, n]) => `${n} ${kind}`).join(', ');
}

function pair(a: number | undefined, b: number | undefined): string {
  if (a === undefined || b === undefined) return '—';
  return `${ms(a)} / ${ms(b)}`;
}

/** Processes in a stable, readable order: infrastructure, services, connectors, the orchestrator. */
export function processOrder(names: Iterable<string>): string[] {
  const rank = (name: string) => {
    const fixed = ['postgres', 'broker', 'sales', 'inventory', 'reordering', 'analytics'];
    const i = fixed.indexOf(name);
    if (i >= 0) return i;
    if (name.startsWith('connect')) return 10;
    if (name === 'demo') return 20;
    return 30;
  };
  return [...names].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

function stepsTable(series: SeriesResult): string {
  const header = [
    'offered',
    'accepted',
    'errors',
    'async accept p50 / p99',
    'async decision p50 / p99',
    'sync accept (= decision) p50 / p99',
    'late sends',
    `lag at end -> within ${SLO.lagDrainMs / 1000} s`,
    'drained after',
    'CPU / order',
    'PSS',
    'load avg',
    'SLO',
  ];
  const rows = series.steps.map((step) => [
    `${step.rate}/s × ${step.seconds} s`,
    `${step.acceptedPerSecond}/s`,
    [
      step.paths.async && `async ${errorText(step.paths.async)}`,
      step.paths.sync && `sync ${errorText(step.paths.sync)}`,
    ]
      .filter(Boolean)
      .join('; '),
    pair(step.paths.async?.acceptP50Ms, step.paths.async?.acceptP99Ms),
    pair(step.paths.async?.decisionP50Ms, step.paths.async?.decisionP99Ms) +
      (step.paths.async?.undecided ? ` (${step.paths.async.undecided} undecided)` : ''),
    pair(step.paths.sync?.acceptP50Ms, step.paths.sync?.acceptP99Ms),
    `${step.lateness.late} (p99 ${ms(step.lateness.p99Ms)})`,
    `${sum(step.lagAtEnd)} -> ${sum(step.lagAfterDrain)}`,
    step.drainedAfterMs === null ? 'not drained' : ms(step.drainedAfterMs),
    `${step.cpuMsPerOrder.total?.toFixed(2)} ms`,
    `${Math.round(step.pssTotalMb)} MB`,
    step.loadAverage[0]?.toFixed(1) ?? '',
    step.slo.met ? 'met' : 'missed',
  ]);
  return mdTable(header, rows);
}

function cpuTable(series: SeriesResult): string {
  const names = processOrder(
    new Set(
      series.steps.flatMap((step) => Object.keys(step.cpuMsPerOrder).filter((n) => n !== 'total')),
    ),
  );
  const header = ['process', 'idle (ms/s)', ...series.steps.map((s) => `${s.rate}/s`)];
  const rows = names.map((name) => [
    name,
    String(series.idle.cpuMsPerSecond[name] ?? '—'),
    ...series.steps.map((step) => step.cpuMsPerOrder[name]?.toFixed(3) ?? '—'),
  ]);
  rows.push([
    '**total (stack)**',
    String(
      Math.round(
        sum(
          Object.fromEntries(
            Object.entries(series.idle.cpuMsPerSecond).filter(([n]) => n !== 'bench'),
          ),
        ),
      ),
    ),
    ...series.steps.map((step) => `**${step.cpuMsPerOrder.total?.toFixed(3)}**`),
  ]);
  rows.push([
    'total above idle',
    '',
    ...series.steps.map((step) => step.cpuMsPerOrderAboveIdle?.toFixed(3) ?? '—'),
  ]);
  return mdTable(header, rows);
}

function machineTable(series: SeriesResult): string {
  const header = [
    'step',
    'CPU window',
    'stack CPU (cores)',
    'bench CPU (cores; ms/order)',
    'machine busy (cores)',
    'other work (cores)',
    'load avg 1/5/15 min',
  ];
  const rows = series.steps.map((step) => {
    const accepted = (step.paths.async?.accepted ?? 0) + (step.paths.sync?.accepted ?? 0);
    return [
      `${step.rate}/s`,
      `${step.cpuWindowSeconds} s`,
      (sum(step.cpuMs) / 1000 / step.cpuWindowSeconds).toFixed(2),
      `${(step.benchCpuMs / 1000 / step.cpuWindowSeconds).toFixed(2)}; ${accepted > 0 ? (step.benchCpuMs / accepted).toFixed(3) : '—'}`,
      step.machineBusyCores.toFixed(2),
      step.otherCores.toFixed(2),
      step.loadAverage.map((v) => v.toFixed(1)).join(' / '),
    ];
  });
  return mdTable(header, rows);
}

function memoryTable(series: SeriesResult): string {
  const names = processOrder(
    new Set([
      ...Object.keys(series.idle.memory),
      ...series.steps.flatMap((s) => Object.keys(s.memory)),
    ]),
  );
  const header = [
    'process',
    'idle RSS / PSS (MB)',
    ...series.steps.map((s) => `${s.rate}/s RSS / PSS`),
  ];
  const cell = (m: { rssKb: number; pssKb: number } | undefined) =>
    m ? `${mb(m.rssKb)} / ${mb(m.pssKb)}` : '—';
  const rows = names.map((name) => [
    name,
    cell(series.idle.memory[name]),
    ...series.steps.map((step) => cell(step.memory[name])),
  ]);
  rows.push([
    '**total PSS (stack, without the bench)**',
    `**${Math.round(series.idle.pssTotalMb)}**`,
    ...series.steps.map((step) => `**${Math.round(step.pssTotalMb)}**`),
  ]);
  return mdTable(header, rows);
}

function lagTable(series: SeriesResult): string {
  const groups = [
    ...new Set(
      series.steps.flatMap((s) => [...Object.keys(s.lagAtEnd), ...Object.keys(s.lagAfterDrain)]),
    ),
  ].sort();
  const header = [
    'group',
    ...series.steps.map((s) => `${s.rate}/s: end -> within ${SLO.lagDrainMs / 1000} s`),
  ];
  const rows = groups.map((group) => [
    group,
    ...series.steps.map((s) => `${s.lagAtEnd[group] ?? '—'} -> ${s.lagAfterDrain[group] ?? '—'}`),
  ]);
  return mdTable(header, rows);
}

function decisionsText(series: SeriesResult): string[] {
  return series.steps.map((step) => {
    const parts = Object.entries(step.paths).flatMap(([path, f]) =>
      f ? [`${path} ${f.accepted} accepted, ${f.confirmed} confirmed, ${f.rejected} rejected`] : [],
    );
    const misses = step.slo.met ? '' : ` SLO missed: ${step.slo.misses.join('; ')}.`;
    return `- ${step.rate}/s: ${parts.join('; ')}; generator lateness p99 ${ms(step.lateness.p99Ms)}, max ${ms(step.lateness.maxMs)}.${misses}`;
  });
}

function seriesSection(series: SeriesResult): string {
  const title =
    series.name === 'async'
      ? 'Async only'
      : `Half sync (${series.syncRatio} of the orders with ?mode=sync)`;
  const lines = [
    `## ${title}`,
    '',
    `Stack start (spawn to every process ready): ${series.stackStartSeconds} s. ` +
      `Sustained: **${series.sustained === null ? 'no step met the SLO' : `${series.sustained} orders/s`}**.` +
      (series.stoppedEarly ? ` Stopped early: ${series.stoppedEarly}.` : ''),
    '',
    stepsTable(series),
    '',
    ...decisionsText(series),
    '',
    '### CPU milliseconds per accepted order, per process',
    '',
    cpuTable(series),
    '',
    '### The machine during each step',
    '',
    machineTable(series),
    '',
    '### Memory (RSS / PSS in MB, 10^6 bytes; idle before any load, then at the end of each step)',
    '',
    memoryTable(series),
    '',
    '### Consumer group lag (records)',
    '',
    lagTable(series),
    '',
  ];
  if (series.analytics) {
    const a = series.analytics;
    lines.push(
      '### Analytics keeps up',
      '',
      `${a.rate} orders/s for ${a.step.seconds} s (${a.rateNote}); groups ${a.groups.join(', ') || '(none found)'}. ` +
        `Lag sampled every ${ANALYTICS_LAG_SAMPLE_MS / 1000} s: ${(a.step.lagSamples ?? [])
          .map((s) => String(a.groups.reduce((n, g) => n + (s.lag[g] ?? 0), 0)))
          .join(', ')}; ` +
        `trend ${a.slopePerSecond} records/s; ${a.lagAfterDrain} behind within ${SLO.lagDrainMs / 1000} s of the end: **${a.met ? 'keeps up' : 'falls behind'}**. ` +
        `The run's own figures: accepted ${a.step.acceptedPerSecond}/s, async decision p99 ${ms(a.step.paths.async?.decisionP99Ms ?? Number.NaN)}, CPU ${a.step.cpuMsPerOrder.total} ms/order, PSS ${Math.round(a.step.pssTotalMb)} MB.`,
      '',
    );
  }
  return lines.join('\n');
}

function method(idleSeconds: number): string {
  return `## Method

- **The stack is \`npm start\`**: the bench runs the root \`start\` script's command line (\`node
  [flags] apps/demo/src/start.ts\`) with \`--data-dir <temp dir> --base-port <free block>\` (the orchestrator, PostgreSQL, the broker, the four services, the
  access-log connectors), waits until every process is ready, and reads their pids from the
  orchestrator's control endpoint. Each series (async only, half sync) gets a fresh stack.
- **Open-loop load**: order *i* of a step leaves at *start + i / rate* on a timer, whatever happened to
  earlier orders; answers are not awaited before the next send (keep-alive pool without a socket
  limit). A send more than ${LATE_MS} ms after its scheduled moment is *late* (the generator itself
  was short of CPU); a step with more than ${SLO.maxLateShare * 100} % late sends does not count as
  sustained, since the rate was not really offered. Orders: one of 50 customers, one to three SKUs of
  inventory's catalogue, one to three units each. In the half-sync series every other order uses
  \`?mode=sync\`.
- **Full shelves**: before each step the bench delivers stock the way reordering's supplier does (a
  \`GoodsReceived\` event per SKU on \`reordering.goods-received\`), enough for twice the step's
  expected demand, and waits until inventory shows it. Orders are then mostly confirmed, the heavier
  path.
- **Accept latency**: HTTP answer time (request sent -> answer read) of every request that got an
  answer. **Order -> decision**: async, from the send to the timestamp of the order's
  \`StockReserved\`/\`ReservationRejected\` record on \`inventory.reservation-result\` (stamped by
  inventory's producer when it publishes the decision), read by a consumer in the bench: no polling
  of sales; an accepted order without a decision counts as infinitely late. Sync: the 201 answer is
  the decision. Percentiles are nearest-rank.
- **Errors**: every answer other than 201/202 (by HTTP status), timeouts (10 s without an answer),
  connection errors by code.
- **Lag**: every consumer group's committed offsets against the log end offsets of the topics its
  members are assigned (kafkajs admin: listGroups, describeGroups, fetchOffsets, fetchTopicOffsets),
  at the step's last send, then every 250 ms until each group has been back at 0 once, for at most
  ${SLO.lagDrainMs / 1000} s (the figure after the arrow is 0 when it got there, else its lag at
  ${SLO.lagDrainMs / 1000} s). One reading at ${SLO.lagDrainMs / 1000} s would count the records that
  keep coming after the load (the access-log lines of the span exports) as a backlog. After that the bench waits until every
  async order is decided and every lag is 0 ("drained after") before the next step. Analytics'
  exactly-once sales-per-minute group is left out: it commits the start of its oldest open window,
  not its position, so its lag falls to 0 only when a window closes.
- **CPU**: utime + stime from \`/proc/<pid>/stat\` of each process, summed over its process tree
  (PostgreSQL: the postmaster and every backend, plus the CPU of backends that exited, from the
  postmaster's cutime/cstime), from the step's first send until it drained, divided by the accepted
  orders. The orchestrator (\`demo\`) is part of the stack: it relays every process's log lines. The
  bench process (generator, decision consumer, lag probe) is listed apart, with the whole machine's
  busy cores (\`/proc/stat\`) and what neither used (other work on the shared machine).
- **Memory**: RSS and PSS from \`/proc/<pid>/smaps_rollup\`, summed over each process tree; PSS
  counts shared pages (PostgreSQL's shared buffers, Node's binary) once across processes, so the
  PSS total is the stack's real footprint. Idle: after the stack is ready and ${idleSeconds} s of
  quiet, before any order; then at the end of each step.
- **SLO for "sustained"** (issue #12): 0 errors, accept p99 <= ${SLO.acceptP99Ms} ms, order -> decision
  p99 <= ${SLO.decisionP99Ms / 1000} s on each path, every group's lag back to 0 within
  ${SLO.lagDrainMs / 1000} s of the step's end (and the generator on schedule). The highest step meeting it is the series'
  sustained rate. After two steps in a row miss it, higher steps are skipped (\`--all-steps\` runs them).
- **Analytics keeps up**: at the async series' sustained rate for 60 s, the analytics group's lag
  sampled every ${ANALYTICS_LAG_SAMPLE_MS / 1000} s; it keeps up when the least-squares trend is below 1 % of the order rate and the
  lag is 0 ${SLO.lagDrainMs / 1000} s after the end.
- **Warm starts**: the stack's processes keep their type-stripped sources in Node's compile cache
  (\`node_modules/.cache/node-compile\`); without it every process also loads the TypeScript
  stripper, about 30 MB more each. When the cache is empty (the first start after an install) the
  bench starts the stack once unmeasured, so the figures are those of every later \`npm start\`.
- **The machine is shared**: the load generator runs on the same 2 cores as the stack, and other work
  may run beside it; the load average and the "other work" column say how much. Compare runs only at
  similar load.
`;
}

/**
 * What was found while building the bench (profiles and memory probes, not this run's tables).
 * Kept by hand: update it when a finding no longer holds.
 */
const WHAT_BOUNDS = `## What bounds the figures

- **The machine.** Two cores for the stack, the generator and any other work. When the load average
  is above 2 every process waits for a core, the latency tail grows and CPU time per order rises
  too (contended caches); the "other work" column says how much of the machine was not ours.
- **Analytics' group commit** (found 2026-12-04 with V8's sampling heap profiler at 12 orders/s):
  every commit writes the stream processor's whole checkpoint. Its stock-level table kept 15 minutes
  of whole StockLevelChanged events per SKU, so the checkpoint grew with the order rate (1.36 MB
  after 9,000 orders at 100 orders/s), and its copies filled analytics' large-object space (100-800
  MB between major GCs). Since 2026-12-05 the table keeps a SKU's low/out flags and a version only
  when they change: the same 60 s at 100 orders/s left a 23 KB checkpoint and 8 MB of large objects.
- **Memory per Node process.** Node and its shared libraries are shared between processes (PSS
  counts them once); each service then holds Prisma's query compiler (WebAssembly: a 4.6 MB base64
  source and its compiled code), its modules' code and a V8 heap: about 42 MB of live old-space
  objects after start, of which OpenTelemetry's NodeSDK took about 21 MB until the services built
  their tracer provider directly (2026-12-05). The young generation is capped at
  8 MB semi-spaces (\`NODE_MEMORY_FLAGS\`; 16 MB until 2026-12-06, which held ~160 MB more at 500
  orders/s for the same CPU); without the cap V8 grows it to 128 MB per process on a machine with
  this much RAM. PostgreSQL runs with 32 MB of shared buffers.
- **Work per batch, not per order** (found 2026-12-06 from /proc and a CPU profile of sales at 50
  orders/s). The stack's CPU stays between 1.2 and 1.7 cores from 50 to 300 orders/s, so its CPU
  per order falls four- to sixfold over those steps. Each hop costs per HTTP request, transaction, fetch or
  produce, whatever that carries. At 50 orders/s an order comes every 20 ms, later than any hop's
  10 ms linger, so each one travels alone. Sales then spends about 9 ms of CPU per order on an HTTP
  request, a group commit of one, a relay drain and its produce, a result fetch, an inbox
  transaction and an offset commit. node-postgres and its socket writes take about a third of
  that, kafkajs a sixth and OpenTelemetry a tenth. The CPU is real, not an accounting artefact:
  beside the stack at 50 orders/s two spinning processes got 23 % of a core each, and 95 % beside
  the idle stack. The CPU per order at a sustained rate falls only as the batches at every hop grow.
- **kafkajs's request-queue timer** (found 2026-12-06: an idle service woke 850 times a second).
  kafkajs 2.2.4 re-arms a 1 ms timer on every connection forever, and the services now stop it
  (\`fixKafkaJsRequestQueueTimer\` in streaming-client). An idle service went from 60-80 ms to
  5-16 ms of CPU a second, and the idle stack from about 330 ms to 70 ms a second.
- **kafkajs' offset commit per batch** (found 2026-12-07 by counting each service's requests to the
  broker at 500 orders/s: OffsetCommit was the most frequent, 121 a second from sales, 133 from
  inventory, 67 from analytics). kafkajs commits after every partition's batch, whatever
  \`autoCommitInterval\` says; the consumer runner now turns autoCommit off and commits every 250 ms,
  while idle and on stop (\`OffsetCommits\` in streaming-client), a few requests a second per member.
`;

export function markdown(results: PipelineResults, idleSeconds: number): string {
  const m = results.machine;
  const lines = [
    '# Retail pipeline benchmark',
    '',
    `Generated by \`npm run bench:pipeline\` (\`apps/demo/bench/pipeline-bench.ts\`) on ${results.date}${results.quick ? ' (quick run)' : ''}.`,
    'Raw figures: `apps/demo/bench/results/pipeline-latest.json`; `npm run bench:pipeline -- --report-only`',
    'rewrites this page from that file.',
    '',
    '## Machine',
    '',
    mdTable(
      ['', ''],
      [
        ['CPU', `${m.cpu} (${m.cores} cores available)`],
        ['Memory', `${m.memoryGiB} GiB`],
        ['Kernel', String(m.kernel)],
        ['Node (bench and stack)', String(m.node)],
        ['Node compile cache', String(m.compileCache ?? '—')],
        ['Load average (1 / 5 / 15 min) at start', String(m.loadAverageAtStart)],
        ['Load average (1 / 5 / 15 min) at end', String(m.loadAverageAtEnd ?? '—')],
        [
          'Steps',
          `${results.options.steps.join(', ')} orders/s, ${results.options.stepSeconds} s each`,
        ],
        ['Services log level', results.options.logLevel],
      ],
    ),
    '',
    '## Targets',
    '',
    mdTable(
      ['target', 'wanted', 'measured', 'verdict'],
      results.targets.map((t) => [t.name, t.wanted, t.measured, t.verdict]),
    ),
    '',
    ...results.series.map(seriesSection),
    WHAT_BOUNDS,
    method(idleSeconds),
  ];
  if (results.errors.length > 0) {
    lines.push('## Errors during the run', '', ...results.errors.map((e) => `- ${e}`), '');
  }
  lines.push(
    '## The JSON results',
    '',
    'Everything above is rendered from these figures (also in `apps/demo/bench/results/pipeline-latest.json`).',
    '',
    '<details><summary>pipeline-latest.json</summary>',
    '',
    '```json',
    encodeResults(results),
    '```',
    '',
    '</details>',
    '',
  );
  return lines.join('\n');
}

/** The summary printed when a run ends: one line per step and the targets. */
export function consoleSummary(results: PipelineResults): string {
  const out: string[] = [];
  for (const series of results.series) {
    out.push(
      `\n${series.name} (sync share ${series.syncRatio}): sustained ${series.sustained ?? 'none'}; idle PSS ${Math.round(series.idle.pssTotalMb)} MB`,
    );
    out.push(
      formatTable(
        [
          { header: 'rate' },
          { header: 'accepted/s', align: 'right' },
          { header: 'errors', align: 'right' },
          { header: 'accept p99 a/s', align: 'right' },
          { header: 'decision p99 a/s', align: 'right' },
          { header: 'lag +5s', align: 'right' },
          { header: 'CPU ms/order', align: 'right' },
          { header: 'PSS MB', align: 'right' },
          { header: 'load', align: 'right' },
          { header: 'SLO' },
        ],
        series.steps.map((step: StepResult) => [
          `${step.rate}/s`,
          String(step.acceptedPerSecond),
          String(sum(step.paths.async?.errors ?? {}) + sum(step.paths.sync?.errors ?? {})),
          `${ms(step.paths.async?.acceptP99Ms ?? Number.NaN)} / ${ms(step.paths.sync?.acceptP99Ms ?? Number.NaN)}`,
          `${ms(step.paths.async?.decisionP99Ms ?? Number.NaN)} / ${ms(step.paths.sync?.decisionP99Ms ?? Number.NaN)}`,
          String(sum(step.lagAfterDrain)),
          step.cpuMsPerOrder.total?.toFixed(2) ?? '—',
          String(Math.round(step.pssTotalMb)),
          step.loadAverage[0]?.toFixed(1) ?? '',
          step.slo.met ? 'met' : 'missed',
        ]),
      ),
    );
  }
  out.push(
    '',
    formatTable(
      [{ header: 'target' }, { header: 'wanted' }, { header: 'measured' }, { header: 'verdict' }],
      results.targets.map((t) => [t.name, t.wanted, t.measured, t.verdict]),
    ),
  );
  return out.join('\n');
}

export const README_START = '<!-- bench:pipeline targets start -->';
export const README_END = '<!-- bench:pipeline targets end -->';

/** The README's key figures: when and how busy the machine was, the sustained rates, the targets. */
export function readmeBlock(results: PipelineResults): string {
  const sustained = results.series
    .map((s) => `${s.name} ${s.sustained === null ? 'none' : `${s.sustained} orders/s`}`)
    .join(', ');
  return [
    `From the latest full run (${results.date.slice(0, 10)}; load average ${results.machine.loadAverageAtStart} at the start`,
    `and ${results.machine.loadAverageAtEnd ?? '—'} at the end, on ${results.machine.cores} cores shared with other work;`,
    `sustained: ${sustained}). The page has every figure and the method.`,
    '',
    mdTable(
      ['target', 'wanted', 'measured', 'verdict'],
      results.targets.map((t) => [t.name, t.wanted, t.measured, t.verdict]),
    ),
  ].join('\n');
}

/** `readme` with the text between the pipeline markers replaced by `block`. */
export function replaceReadmeBlock(readme: string, block: string): string {
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  if (start < 0 || end < start) {
    throw new Error(`README.md has no ${README_START} ... ${README_END} block to fill`);
  }
  return `${readme.slice(0, start + README_START.length)}\n\n${block}\n\n${readme.slice(end)}`;
}
