// Turns the bench results into the console table, the JSON record and the
// markdown page docs/benchmarks/broker.md (targets, misses and their bounds).
import fs from 'node:fs';
import os from 'node:os';
import { spawnSync } from 'node:child_process';
import type { LatencyResult } from './latency.ts';
import type { WireLatencyResult } from './wire-latency.ts';

export interface Rate {
  records: number;
  seconds: number;
  recordsPerSec: number;
  mbPerSec: number;
  /**
   * CPU time the broker spent in the run, and the rate it could sustain with a whole core to
   * itself (records / CPU seconds): much less sensitive to other load than the wall-clock rate.
   */
  brokerCpuSeconds?: number;
  brokerCoreRecordsPerSec?: number;
  brokerCoreMbPerSec?: number;
}

export interface ThroughputRow {
  client: string;
  recordBytes: number;
  produce: Rate | null;
  consume: Rate | null;
  /** Broker VmHWM (MiB) once this row's runs finished: locates what drives the peak. */
  peakRssAfterMiB?: number;
  /** Same, between the produce and the consume runs. */
  peakRssAfterProduceMiB?: number;
  note?: string;
}

export interface StartRun {
  readyMs: number;
  connectMs: number;
  /** Broker CPU time (user + system) by the ready line: load-independent, unlike the wall clock. */
  cpuMs?: number;
}

export interface ColdStart {
  runs: StartRun[];
  readyMsMedian: number;
  connectMsMedian: number;
  cpuMsMedian?: number;
  /** Same, with Node's compile cache warm (type stripping and compilation cached). */
  compileCacheRuns: StartRun[];
  compileCacheReadyMsMedian: number;
  compileCacheCpuMsMedian?: number;
}

export interface Target {
  name: string;
  target: string;
  actual: string;
  met: boolean | null;
  /** How far off, e.g. "-38 %" or "+1.2 ms", when missed. */
  missedBy?: string;
}

export interface BenchResults {
  date: string;
  quick: boolean;
  machine: Record<string, string | number>;
  coldStart: ColdStart | null;
  throughput: ThroughputRow[];
  latency: LatencyResult | null;
  /** Same rate with fetch.wait.max.ms=500: tells missed fetch wake-ups from other stalls. */
  latencyControl: LatencyResult | null;
  /** Same rate through a raw wire client (acks=1, long-poll fetch): the broker's own share. */
  latencyBrokerOnly?: WireLatencyResult | null;
  peakRssMiB: number | null;
  targets: Target[];
  errors: string[];
}

export function rate(
  records: number,
  seconds: number,
  recordBytes: number,
  brokerCpuSeconds?: number,
): Rate {
  const r: Rate = {
    records,
    seconds: round(seconds, 3),
    recordsPerSec: Math.round(records / seconds),
    mbPerSec: round((records * recordBytes) / seconds / 1e6, 1),
  };
  if (brokerCpuSeconds !== undefined && brokerCpuSeconds > 0) {
    r.brokerCpuSeconds = round(brokerCpuSeconds, 2);
    r.brokerCoreRecordsPerSec = Math.round(records / brokerCpuSeconds);
    r.brokerCoreMbPerSec = round((records * recordBytes) / brokerCpuSeconds / 1e6, 1);
  }
  return r;
}

export function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

export function machineInfo(): Record<string, string | number> {
  const cpu =
    /model name\s*:\s*(.*)/.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ??
    os.cpus()[0]?.model;
  const kcat = spawnSync('kcat', ['-V'], { encoding: 'utf8' }).stdout ?? '';
  return {
    cpu: cpu ?? 'unknown',
    cores: os.availableParallelism(),
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    kernel: os.release(),
    node: process.version,
    loadAverage1mAtStart: round(os.loadavg()[0], 2),
    scheduling: schedulingPriority(),
    kcat:
      /Version (\S+).*librdkafka (\S+)/s.exec(kcat)?.slice(1).join(' / librdkafka ') ?? 'missing',
  };
}

/**
 * The bench's CPU priority against the rest of the machine. With autogroup scheduling (Linux's
 * default) a process's nice value only counts inside its session; against other sessions' work the
 * session's autogroup nice does. `setsid sh -c 'echo -15 > /proc/self/autogroup; exec npm run
 * bench:broker'` gives the bench, the broker and the clients priority on a shared machine.
 */
function schedulingPriority(): string {
  try {
    const autogroup = fs.readFileSync('/proc/self/autogroup', 'utf8').trim();
    return `${autogroup.replace(/^\/autogroup-\d+ /, 'autogroup ')}, process nice ${os.getPriority()}`;
  } catch {
    return `process nice ${os.getPriority()}`;
  }
}

function fmtRate(r: Rate | null): string {
  if (!r) return 'n/a';
  return `${r.recordsPerSec.toLocaleString('en-US')} rec/s, ${r.mbPerSec} MB/s`;
}

function fmtCore(r: Rate | null): string {
  if (!r || r.brokerCoreRecordsPerSec === undefined) return '';
  return `${r.brokerCoreRecordsPerSec.toLocaleString('en-US')} rec/s, ${r.brokerCoreMbPerSec} MB/s`;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? NaN;
}

export function evaluateTargets(res: BenchResults): Target[] {
  return [...throughputTargets(res), ...latencyTargets(res), ...startAndMemoryTargets(res)];
}

const pct = (actual: number, target: number) => `${Math.round((actual / target - 1) * 100)} %`;

function throughputTargets(res: BenchResults): Target[] {
  const targets: Target[] = [];
  const best = (bytes: number, dir: 'produce' | 'consume') =>
    res.throughput
      .filter((t) => t.recordBytes === bytes && t[dir])
      .map((t) => ({ client: t.client, r: t[dir]! }))
      .sort((a, b) => b.r.recordsPerSec - a.r.recordsPerSec)[0];

  const p1k = best(1024, 'produce');
  targets.push({
    name: 'produce 1 KiB records',
    target: '>= 250 MB/s',
    actual: p1k
      ? `${p1k.r.mbPerSec} MB/s (${p1k.client}; broker per core of CPU: ${p1k.r.brokerCoreMbPerSec ?? '?'} MB/s)`
      : 'n/a',
    met: p1k ? p1k.r.mbPerSec >= 250 : null,
    missedBy: p1k && p1k.r.mbPerSec < 250 ? pct(p1k.r.mbPerSec, 250) : undefined,
  });
  const p100 = best(100, 'produce');
  targets.push({
    name: 'produce 100 B records',
    target: '>= 500,000 rec/s',
    actual: p100
      ? `${p100.r.recordsPerSec.toLocaleString('en-US')} rec/s (${p100.client}; broker per core of CPU: ${p100.r.brokerCoreRecordsPerSec?.toLocaleString('en-US') ?? '?'} rec/s)`
      : 'n/a',
    met: p100 ? p100.r.recordsPerSec >= 500_000 : null,
    missedBy:
      p100 && p100.r.recordsPerSec < 500_000 ? pct(p100.r.recordsPerSec, 500_000) : undefined,
  });
  for (const bytes of [100, 1024]) {
    // Same client both ways: the one with the best produce rate for this size.
    const row = res.throughput
      .filter((t) => t.recordBytes === bytes && t.produce && t.consume)
      .sort((a, b) => b.produce!.recordsPerSec - a.produce!.recordsPerSec)[0];
    const p = row?.produce;
    const c = row?.consume;
    targets.push({
      name: `consume faster than produce (${bytes === 100 ? '100 B' : '1 KiB'})`,
      target: 'consume rec/s > produce rec/s',
      actual:
        p && c
          ? `${c.recordsPerSec.toLocaleString('en-US')} vs ${p.recordsPerSec.toLocaleString('en-US')} rec/s (${row.client})`
          : 'n/a',
      met: p && c ? c.recordsPerSec > p.recordsPerSec : null,
      missedBy:
        p && c && c.recordsPerSec <= p.recordsPerSec
          ? pct(c.recordsPerSec, p.recordsPerSec)
          : undefined,
    });
  }
  return targets;
}

function latencyTargets(res: BenchResults): Target[] {
  const targets: Target[] = [];
  const lat = res.latency;
  targets.push({
    name: 'end-to-end p99 at 1,000 rec/s',
    target: '<= 5 ms',
    actual: lat ? `${round(lat.p99Ms, 2)} ms (p50 ${round(lat.p50Ms, 2)} ms)` : 'n/a',
    met: lat ? lat.p99Ms <= 5 : null,
    missedBy: lat && lat.p99Ms > 5 ? `+${round(lat.p99Ms - 5, 2)} ms` : undefined,
  });
  const wire = res.latencyBrokerOnly;
  targets.push({
    name: "broker's share: p99 at 1,000 rec/s, raw wire client",
    target: '<= 5 ms',
    actual: wire
      ? `${round(wire.p99Ms, 2)} ms (p50 ${round(wire.p50Ms, 2)} ms; produce ack p99 ${round(wire.produceAckP99Ms, 2)} ms)`
      : 'n/a',
    met: wire ? wire.p99Ms <= 5 : null,
    missedBy: wire && wire.p99Ms > 5 ? `+${round(wire.p99Ms - 5, 2)} ms` : undefined,
  });
  return targets;
}

function startAndMemoryTargets(res: BenchResults): Target[] {
  const targets: Target[] = [];
  const cs = res.coldStart;
  // main.ts enables Node's compile cache, so every start but the first after an install or an
  // upgrade finds it warm: that is the start the target is about. The first start is listed too.
  targets.push({
    name: 'start (spawn -> ready line, warm compile cache)',
    target: '<= 300 ms',
    actual: cs
      ? `${Math.round(cs.compileCacheReadyMsMedian)} ms (TCP connect ${Math.round(median(cs.compileCacheRuns.map((r) => r.connectMs)))} ms)`
      : 'n/a',
    met: cs ? cs.compileCacheReadyMsMedian <= 300 : null,
    missedBy:
      cs && cs.compileCacheReadyMsMedian > 300
        ? `+${Math.round(cs.compileCacheReadyMsMedian - 300)} ms`
        : undefined,
  });
  targets.push({
    name: 'first start (compile cache empty)',
    target: '<= 300 ms',
    actual: cs
      ? `${Math.round(cs.readyMsMedian)} ms (TCP connect ${Math.round(cs.connectMsMedian)} ms)`
      : 'n/a',
    met: cs ? cs.readyMsMedian <= 300 : null,
    missedBy:
      cs && cs.readyMsMedian > 300 ? `+${Math.round(cs.readyMsMedian - 300)} ms` : undefined,
  });
  targets.push({
    name: 'peak RSS (VmHWM)',
    target: '<= 200 MB',
    actual: res.peakRssMiB !== null ? `${round(res.peakRssMiB, 1)} MiB` : 'n/a',
    met: res.peakRssMiB !== null ? res.peakRssMiB <= 200 : null,
    missedBy:
      res.peakRssMiB !== null && res.peakRssMiB > 200
        ? `+${Math.round(res.peakRssMiB - 200)} MiB`
        : undefined,
  });
  return targets;
}

export function consoleTable(res: BenchResults): string {
  const lines: string[] = [];
  lines.push('client            record  produce                           consume');
  for (const t of res.throughput) {
    lines.push(
      `${t.client.padEnd(17)} ${String(t.recordBytes).padStart(5)} B  ${fmtRate(t.produce).padEnd(33)} ${fmtRate(t.consume)}${t.note ? `  (${t.note})` : ''}`,
    );
  }
  lines.push('');
  for (const t of res.targets) {
    const verdict = t.met === null ? 'n/a ' : t.met ? 'MET ' : 'MISS';
    lines.push(
      `${verdict} ${t.name.padEnd(40)} ${t.target.padEnd(30)} ${t.actual}${t.missedBy ? ` (${t.missedBy})` : ''}`,
    );
  }
  if (res.errors.length) lines.push('', 'errors:', ...res.errors.map((e) => `  ${e}`));
  return lines.join('\n');
}

/** Why a missed target is missed: the bounds we know of on this machine. */
/**
 * What bounds each figure, from profiles and experiments on the development machine (2 cores,
 * 2026-11-21); the figures themselves are regenerated on every run.
 */
const BOUNDS = `- **The machine.** 2 cores. The broker is one Node.js event loop (one core);
  the load generator (kcat/librdkafka, or kafkajs / @platformatic/kafka in the
  bench process) takes the other. When other work runs on the machine (see the load average above:
  a load above 2 means the three processes of a measurement waited for a CPU),
  every figure here drops and the latency tail grows; compare runs only at
  similar load, ideally on an idle machine.
- **Produce, 1 KiB records.** Read the "broker per core of CPU" column first:
  it is what the broker sustains with one core to itself, and in the runs of
  this session it was 2-4x the wall-clock figure (roughly 350-500 MB/s for
  1 KiB records, 1.4-2.2 million rec/s for 100 B records), i.e. the broker's own code can meet the target; the
  wall-clock figure on this 2-core machine is bounded by sharing the cores with
  the client and with any other load. A CPU profile of the broker under
  \`kcat -P\` (1 KiB records, 300 MB): CRC-32C validation ~25 % of busy time
  (pure JavaScript, ~1.4 GB/s on an idle core), garbage collection ~20 %, the
  segment \`writeSync\` ~18 %, the rest request dispatch, frame copies and
  socket reads. Cutting GC pressure (fewer copies of incoming frames) and
  syscalls per batch are the next levers.
- **Produce, 100 B records.** Per-batch costs dominate and librdkafka packs
  thousands of records per batch, so the record rate stays high.
- **kafkajs rows** are bounded by kafkajs itself (encoding, one request per
  \`send()\` batch, in the bench process), not by the broker: they show what a
  Node service using kafkajs sees.
- **Consume** reads whole batches from the segment files and writes them to the
  socket without re-encoding, so it outruns produce. The consumer keeps
  librdkafka's default fetch sizes: 8 MB per-partition fetches were no faster
  and raised the broker's peak RSS by ~110 MiB.
- **Latency tail.** The median is below 1 ms. The broker's own share (the
  raw-wire-client rows) was p99 1.2-3.4 ms at 1,000 rec/s in this session's
  runs (load 18-30, bench at autogroup nice -15). Per request the broker does
  no fsync (\`log.flush.interval.ms\` unset), logs nothing at info level, sets
  TCP_NODELAY on every connection and wakes parked fetches synchronously from
  the append; a CPU profile at 1,000 rec/s had it ~25 % busy, a third of that
  in socket-write syscalls. An event-loop monitor inside the broker showed its
  pauses (6-37 ms) were spent with its main thread using no CPU, on a disk or a
  tmpfs log dir alike: the process was waiting for a core, not working or
  blocked on writes; GC pauses stayed at or under ~10 ms and were rare. The
  kafkajs + kcat figure adds the two client libraries and their scheduling.
  On a busy shared machine the priority matters more than anything in the
  broker: Linux's autogroup scheduling gives every session an equal share
  whatever its processes' nice values, and without raising the bench's
  autogroup the same runs gave p99 of 8 ms to several seconds at load 15-25.
  Run \`setsid sh -c 'echo -15 > /proc/self/autogroup; exec npm run bench:broker'\`
  there (the Machine table records the priority). Waiting fetches are woken by
  appends: the control run (500 ms long-poll bound) repeats that check.
- **Cold start.** The generated protocol codecs (~640 KB of TypeScript for ~70
  APIs) are no longer imported at start: the API table
  (\`src/protocol/generated/index.ts\`) holds each API's version range and a
  loader; the broker imports the codecs of the ~25 APIs it serves right after
  it starts listening, and a request that arrives earlier is held (with
  everything after it on its connection) until its API's codecs are in.
  Importing the codecs had cost ~190 ms on its own; interleaved runs on the
  same loaded machine took a first start from ~430-540 ms to ~350-430 ms and
  a warm-cache start from ~170-230 ms to ~120-200 ms. What remains before the
  ready line is ~410 KB of broker TypeScript plus pino: a profile of a first
  start (~330 ms of CPU) shows Node's type stripping (amaro/swc WebAssembly)
  ~75 ms, loading amaro itself ~45 ms, module compilation ~40 ms, Node's own
  start ~60 ms (an empty .ts file), the rest resolution and the broker's
  start-up work. Loading the log cleaner, the compression codecs (lz4js,
  snappyjs) and the group coordinator's rarely used parts on demand would be
  the next levers. \`main.ts\` enables Node's compile cache, which keeps the
  stripped and compiled sources: every start after the first finds it warm.
- **Peak RSS.** Node 24 plus the loaded sources is ~85 MiB at idle; sustained
  1 MB produce requests add ~40-90 MiB (most likely incoming frame buffers
  awaiting GC: not profiled further); fetch responses add the rest. The per-row RSS column shows which phase raised it.`;

export function markdown(res: BenchResults): string {
  return [
    headerAndMachine(res),
    METHOD,
    throughputSection(res),
    latencySection(res),
    targetsAndBounds(res),
  ].join('');
}

function headerAndMachine(res: BenchResults): string {
  const m = res.machine;
  return `# Broker benchmark

Generated by \`npm run bench:broker\` (\`libs/streaming/broker/bench/broker-bench.ts\`) on
${res.date}${res.quick ? ' in QUICK mode (BENCH_QUICK=1: short runs, figures are indicative only)' : ''}.
Raw figures: \`libs/streaming/broker/bench/results/broker-latest.json\`.
\`BENCH_QUICK=1\` makes a short smoke run; \`BENCH_REPORT_ONLY=1\` rewrites this page
from that JSON without measuring.

## Machine

| | |
|---|---|
| CPU | ${m.cpu} (${m.cores} cores available) |
| Memory | ${m.memoryGiB} GiB |
| Kernel | ${m.kernel} |
| Node (bench and broker) | ${m.node} |
| Load average (1 min) at start / end of the run | ${m.loadAverage1mAtStart} / ${m.loadAverage1mAtEnd ?? '?'} on ${m.cores} cores |
| Scheduling priority of the bench and the broker | ${m.scheduling ?? 'not recorded'} |
| kcat | ${m.kcat} |

`;
}

const METHOD = `## Method

- The broker runs as a child process (\`apps/broker/src/main.ts\`, default
  settings, fresh log directory), exactly as \`npm run broker\` starts it; the
  load generators run outside it.
- Throughput: each client produces records of a fixed size with acks=all and
  no compression to a 3-partition topic, then the whole topic is consumed from
  the beginning without a consumer group. kcat (librdkafka) produces from a
  file with \`-P -l\` tuned for throughput (linger.ms=5, batch.size=1000000,
  batch.num.messages=100000), repeated until the time budget is spent; its
  figures are wall-clock times of the kcat processes, startup included.
  kafkajs and @platformatic/kafka produce 1,000-record sends, up to 4 in
  flight, from the bench process for a fixed time; kafkajs consumes with its
  Consumer (a consumer group; the clock starts at the group join),
  @platformatic/kafka with its group-less \`Consumer.fetch\`. MB/s counts
  record values only (10^6 bytes).
- Latency: kafkajs sends one record at a time at a fixed 1,000 records/s, each
  record carrying its send time; a kcat consumer (no group, \`-u\`, long-poll
  fetch) prints each value on arrival; the first records (connection set-up)
  are discarded; p50/p99 over the rest.
- Broker's share of the latency: the same rate, one record per Produce
  (acks=1), through the test suite's raw wire client (no client library), and
  a long-polling Fetch loop (500 ms bound) on a second connection noting when
  each offset arrives. What remains is the broker (decode, append, wake the
  parked fetch, read, encode, write), two loopback hops and a thin client.
- Start-up: a fresh broker on a fresh directory, spawn() to the
  \`broker ready on\` line, and spawn() to the first successful TCP connect
  (probed every 2 ms); once with Node's compile cache disabled (a first start
  after install) and once with a warm cache (every later start, as main.ts
  enables it); median of the runs. The broker's CPU time by the ready line is
  listed too: it barely moves with the machine's load.
- Broker per core of CPU: records (and MB) divided by the CPU time (user +
  system, /proc/<pid>/stat) the broker used during the run: the rate the
  broker could sustain with one core to itself. It is far less sensitive to
  other load on the machine than the wall-clock rate, so it is the figure to
  compare across runs and against the targets' intent.
- Peak RSS: VmHWM of the broker process from /proc/<pid>/status after all
  throughput and latency runs.

`;

function throughputSection(res: BenchResults): string {
  const rows = res.throughput
    .map(
      (t) =>
        `| ${t.client} | ${t.recordBytes === 1024 ? '1 KiB' : `${t.recordBytes} B`} | ${fmtRate(t.produce)} | ${fmtRate(t.consume)} | ${fmtCore(t.produce) || 'n/a'} / ${fmtCore(t.consume) || 'n/a'} | ${t.peakRssAfterProduceMiB !== undefined ? `${round(t.peakRssAfterProduceMiB, 1)} MiB after produce, ` : ''}${t.peakRssAfterMiB !== undefined ? `${round(t.peakRssAfterMiB, 1)} MiB after consume` : ''} | ${t.note ?? ''} |`,
    )
    .join('\n');
  return `## Throughput

| client | record | produce | consume | broker per core of CPU: produce / consume | broker peak RSS (VmHWM) | note |
|---|---|---|---|---|---|---|
${rows}

`;
}

function latencySection(res: BenchResults): string {
  const cs = res.coldStart;
  const wire = res.latencyBrokerOnly;
  return `## Latency and start-up

| measure | value |
|---|---|
| end-to-end p50 at ${res.latency?.rate ?? 1000} rec/s | ${res.latency ? `${round(res.latency.p50Ms, 2)} ms` : 'n/a'} |
| end-to-end p99 at ${res.latency?.rate ?? 1000} rec/s | ${res.latency ? `${round(res.latency.p99Ms, 2)} ms` : 'n/a'} |
| end-to-end p90 / p99.9 / max | ${res.latency ? `${round(res.latency.p90Ms, 2)} / ${round(res.latency.p999Ms, 2)} / ${round(res.latency.maxMs, 2)} ms (${res.latency.samples} samples)` : 'n/a'} |
| samples over 5 ms, stall episodes | ${res.latency ? `${round(res.latency.over5msShare * 100, 1)} %, ${res.latency.stallEpisodes} episodes` : 'n/a'} |
| control run, consumer long-poll 500 ms: p99 / max | ${res.latencyControl ? `${round(res.latencyControl.p99Ms, 2)} / ${round(res.latencyControl.maxMs, 2)} ms (${res.latencyControl.samples} samples; a max near 500 ms would mean missed fetch wake-ups)` : 'n/a'} |
| broker's share (raw wire client): p50 / p99 / p99.9 / max | ${wire ? `${round(wire.p50Ms, 2)} / ${round(wire.p99Ms, 2)} / ${round(wire.p999Ms, 2)} / ${round(wire.maxMs, 2)} ms (${wire.samples} samples, ${wire.stallEpisodes} stall episodes over 5 ms)` : 'n/a'} |
| broker's share: produce acknowledged (acks=1) p50 / p99 | ${wire ? `${round(wire.produceAckP50Ms, 2)} / ${round(wire.produceAckP99Ms, 2)} ms` : 'n/a'} |
| cold start to ready line, compile cache disabled (median) | ${cs ? `${Math.round(cs.readyMsMedian)} ms` : 'n/a'} |
| cold start to TCP connect, compile cache disabled (median) | ${cs ? `${Math.round(cs.connectMsMedian)} ms` : 'n/a'} |
| start to ready line with a warm compile cache (median) | ${cs ? `${Math.round(cs.compileCacheReadyMsMedian)} ms` : 'n/a'} |
| broker CPU time by the ready line, cache disabled / warm (median) | ${cs?.cpuMsMedian !== undefined ? `${Math.round(cs.cpuMsMedian)} / ${Math.round(cs.compileCacheCpuMsMedian ?? NaN)} ms` : 'n/a'} |
| peak RSS | ${res.peakRssMiB !== null ? `${round(res.peakRssMiB, 1)} MiB` : 'n/a'} |

`;
}

function targetsAndBounds(res: BenchResults): string {
  const targets = res.targets
    .map(
      (t) =>
        `| ${t.name} | ${t.target} | ${t.actual} | ${t.met === null ? 'not measured' : t.met ? 'met' : `missed (${t.missedBy})`} |`,
    )
    .join('\n');
  return `## Targets

| target | wanted | measured | verdict |
|---|---|---|---|
${targets}

## What bounds the figures

${BOUNDS}
${res.errors.length ? `\n## Errors during the run\n\n${res.errors.map((e) => `- ${e.replace(/\n/g, ' ')}`).join('\n')}\n` : ''}`;
}
