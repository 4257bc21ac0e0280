// The group benchmark's results: their shape (bench/results/groups-latest.json), the console table
// and the page docs/benchmarks/broker-groups.md.
import type { GroupClient } from './group-members.ts';
import type { MembershipRun } from './group-scenarios.ts';

export interface Settings {
  partitions: number;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  kafkajsMaxWaitMs: number;
  consumeSessionTimeoutMs: number;
  membershipRuns: number;
}

export interface MembershipSummary {
  client: GroupClient;
  runs: MembershipRun[];
  /** Median of every field over the runs. */
  median: MembershipRun | null;
}

export interface ConsumeRow {
  /** `kcat (no group)`: the same topic read by plain kcat -C, the machine's baseline in this run. */
  client: GroupClient | 'kcat (no group)';
  /** 0 for the baseline (no group). */
  members: number;
  recordBytes: number;
  records: number;
  seconds: number;
  recordsPerSec: number;
  mbPerSec: number;
  formMs: number;
  /** Broker CPU seconds from spawn of the members to their stop (join and teardown included). */
  brokerCpuSeconds?: number;
  note?: string;
}

export interface GroupBenchResults {
  date: string;
  quick: boolean;
  durationSeconds: number;
  machine: Record<string, string | number>;
  settings: Settings;
  membership: MembershipSummary[];
  consume: ConsumeRow[];
  errors: string[];
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Field-by-field median of the runs (each field on its own, so not necessarily one run's figures). */
export function summarise(runs: readonly MembershipRun[]): MembershipRun | null {
  if (runs.length === 0) return null;
  const keys = Object.keys(runs[0]) as Array<keyof MembershipRun>;
  const out = {} as MembershipRun;
  for (const k of keys) out[k] = Math.round(median(runs.map((r) => r[k])));
  return out;
}

const ms = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? 'n/a' : `${v} ms`);
const range = (runs: readonly MembershipRun[], k: keyof MembershipRun) =>
  runs.length > 1
    ? ` (${Math.round(Math.min(...runs.map((r) => r[k])))}..${Math.round(Math.max(...runs.map((r) => r[k])))})`
    : '';
/** Difference of two median figures (medians of each field, so only approximately a run's). */
const diff = (
  m: MembershipRun | null | undefined,
  a: keyof MembershipRun,
  b: keyof MembershipRun,
): number | undefined => (m ? m[a] - m[b] : undefined);
const int = (v: number) => Math.round(v).toLocaleString('en-US');

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function formationTable(res: GroupBenchResults): string {
  return table(
    ['client', 'runs', 'spawn -> all 3 assigned', 'last client start -> all 3 assigned'],
    res.membership.map((m) => [
      m.client,
      String(m.runs.length),
      ms(m.median?.formFromSpawnMs) + range(m.runs, 'formFromSpawnMs'),
      ms(m.median?.formFromLastStartMs) + range(m.runs, 'formFromLastStartMs'),
    ]),
  );
}

function rebalanceTable(res: GroupBenchResults): string {
  const rows: string[][] = [];
  for (const m of res.membership) {
    rows.push([
      m.client,
      `SIGKILL (S = ${res.settings.sessionTimeoutMs} ms)`,
      ms(m.median?.killBrokerMs) + range(m.runs, 'killBrokerMs'),
      ms(m.median?.killRebalanceMs) + range(m.runs, 'killRebalanceMs'),
      ms(m.median?.killAboveSessionMs) + range(m.runs, 'killAboveSessionMs'),
    ]);
    rows.push([
      m.client,
      `SIGTERM, LeaveGroup (close() ${ms(m.median?.leaveCloseMs)})`,
      ms(m.median?.leaveBrokerMs) + range(m.runs, 'leaveBrokerMs'),
      ms(m.median?.leaveRebalanceMs) + range(m.runs, 'leaveRebalanceMs'),
      '',
    ]);
  }
  return table(
    [
      'client',
      'member lost by',
      'signal -> broker rebalancing',
      'signal -> survivors own all',
      'of which above S',
    ],
    rows,
  );
}

function membershipTable(res: GroupBenchResults): string {
  return `Formation:\n${formationTable(res)}\n\nRebalance after losing a member:\n${rebalanceTable(res)}`;
}

function consumeTable(res: GroupBenchResults): string {
  return table(
    ['client', 'members', 'record', 'records', 'seconds', 'records/s', 'MB/s', 'note'],
    res.consume.map((r) => [
      r.client,
      r.members === 0 ? '-' : String(r.members),
      r.recordBytes === 1024 ? '1 KiB' : `${r.recordBytes} B`,
      int(r.records),
      r.seconds.toFixed(2),
      int(r.recordsPerSec),
      r.mbPerSec.toFixed(1),
      r.note ?? '',
    ]),
  );
}

export function consoleTable(res: GroupBenchResults): string {
  return [
    `Consumer groups, medians (min..max) over the runs${res.quick ? ' [BENCH_QUICK]' : ''}:`,
    membershipTable(res),
    '',
    'Consume in group mode (timed from the release of a formed group):',
    consumeTable(res),
    ...(res.errors.length ? ['', 'Errors:', ...res.errors.map((e) => `- ${e}`)] : []),
  ].join('\n');
}

function consumeRatio(res: GroupBenchResults, client: GroupClient, size: number): string {
  const one = res.consume.find(
    (r) => r.client === client && r.recordBytes === size && r.members === 1,
  );
  const three = res.consume.find(
    (r) => r.client === client && r.recordBytes === size && r.members === 3,
  );
  if (!one || !three) return 'n/a';
  return `${(three.recordsPerSec / one.recordsPerSec).toFixed(2)}x`;
}

/** One librdkafka group member's rate as a share of the plain kcat -C baseline on the same topic. */
function baselineShare(res: GroupBenchResults, size: number): string {
  const base = res.consume.find((r) => r.client === 'kcat (no group)' && r.recordBytes === size);
  const one = res.consume.find(
    (r) => r.client === 'librdkafka' && r.members === 1 && r.recordBytes === size,
  );
  return base && one ? `${Math.round((one.recordsPerSec / base.recordsPerSec) * 100)} %` : 'n/a';
}

export function markdown(res: GroupBenchResults): string {
  return [
    methodSection(res),
    machineSection(res),
    resultsSection(res),
    boundsSection(res),
    res.errors.length ? `\n## Errors\n\n${res.errors.map((e) => `- ${e}`).join('\n')}\n` : '',
  ].join('');
}

/** Title, provenance and how each figure is measured. */
function methodSection(res: GroupBenchResults): string {
  const s = res.settings;
  const m = res.machine;
  return `# Broker benchmark: consumer groups

Generated by \`npm run bench:groups\` (also run by \`npm run bench:broker\`;
\`BENCH_QUICK=1\` for a short smoke run) on ${res.date}${res.quick ? ' — **quick run**: fewer runs and records, figures indicative only' : ''}.
Raw figures: \`libs/streaming/broker/bench/results/groups-latest.json\`. The produce/consume and
latency benchmark is on [broker.md](broker.md).

## Method

- The broker runs as a child process exactly as \`npm run broker\` starts it
  (\`apps/broker/src/main.ts --port <free> --log-dir <tmp>\`), ready once it prints
  \`broker ready on HOST:PORT\`. Its consumer-group coordinator uses the development defaults
  (\`group.initial.rebalance.delay.ms\` = 0, LeaveGroup removes a member at once).
- Every group member is its own process, so it can be killed: a kafkajs 2.2.4 consumer
  (\`bench/group-member-kafkajs.ts\`, Node ${m.node}) or a librdkafka consumer through
  confluent-kafka ${m.confluentKafka ?? '?'} (\`bench/group-member-rdkafka.py\`, Debian's
  \`/usr/bin/python3\`). Members report their start, each assignment, each revocation and their
  record counts as JSON lines stamped with their own clock; the benchmark and the members read the
  same system clock, so no figure includes pipe or event-loop delays of the benchmark.
- The topic has ${s.partitions} partitions; every run uses a new group id. Both clients keep their default
  assignors (kafkajs round robin; librdkafka range, roundrobin) and eager rebalancing.
- Client settings: session timeout S = ${s.sessionTimeoutMs} ms for the membership runs
  (${s.consumeSessionTimeoutMs} ms for the consume runs, so a member starved of CPU is not expired
  mid-run), heartbeat interval ${s.heartbeatIntervalMs} ms, kafkajs \`maxWaitTimeInMs\` ${s.kafkajsMaxWaitMs} ms
  (kafkajs heartbeats only between fetches; its 5 s default would hide the broker behind the client).
- **Formation**: three members are spawned together; the group counts as formed when their current
  assignments split the ${s.partitions} partitions exactly (every member holds some, none twice, none left).
  Reported from the spawn (includes process start-up and module loading) and from the last
  member's client start (the group protocol alone: FindCoordinator, JoinGroup with
  MEMBER_ID_REQUIRED, the rebalances as members arrive one after the other, SyncGroup).
- **Member death**: ${s.membershipRuns === 1 ? 'in the run' : 'in each run'}, 0.7 s after formation one member is SIGKILLed (no
  LeaveGroup). Measured until the two survivors split every partition, and that time minus S.
- **Clean leave**: 0.5 s later one survivor gets SIGTERM; it closes its consumer, which sends
  LeaveGroup. Measured until the last member owns every partition; the leaver's own \`close()\`
  time is shown beside it.
- **Consume**: a topic of ${s.partitions} partitions filled with kcat (100 B and 1 KiB values); 1 or 3
  members join with their partitions paused, and once the group is formed all are released at the
  same moment. Timed from the release until the members have consumed every record between them
  (auto-commit on, the clients' default fetch sizes). Join time is not included. Each size also
  gets one plain \`kcat -C\` read of the same topic (no group, process start-up included): the
  machine's baseline at that moment, to read the group rows against.
- Membership figures are medians over ${s.membershipRuns} run${s.membershipRuns === 1 ? '' : 's'} per client (min..max in brackets);
  each consume row is one run.

`;
}

function machineSection(res: GroupBenchResults): string {
  const m = res.machine;
  return `## Machine

| | |
| --- | --- |
| CPU | ${m.cpu} (${m.cores} cores) |
| memory | ${m.memoryGiB} GiB |
| kernel | ${m.kernel} |
| Node | ${m.node} |
| librdkafka | ${m.librdkafka ?? '?'} (confluent-kafka ${m.confluentKafka ?? '?'}) |
| load average (1 min) | ${m.loadAverage1mAtStart} at start, ${m.loadAverage1mAtEnd ?? '?'} at the end |
| run time | ${res.durationSeconds} s |

The machine is shared: a load average above the number of cores means the broker, the members
and other work were queueing for CPU, which stretches every figure below (most of all the process
start-ups and the kafkajs rates).

`;
}

function resultsSection(res: GroupBenchResults): string {
  return `## Group formation

${formationTable(res)}

## Rebalance after losing a member

"broker rebalancing" is when DescribeGroups, polled every 10 ms, first shows the group out of
\`Stable\` (the broker has expired or removed the member); "survivors own all" is when the remaining
members hold every partition again.

${rebalanceTable(res)}

## Consume throughput in group mode

${consumeTable(res)}

Three members against one: kafkajs ${consumeRatio(res, 'kafkajs', 100)} (100 B), ${consumeRatio(res, 'kafkajs', 1024)} (1 KiB);
librdkafka ${consumeRatio(res, 'librdkafka', 100)} (100 B), ${consumeRatio(res, 'librdkafka', 1024)} (1 KiB).

`;
}

/** What limits each figure, read from the figures themselves. */
function boundsSection(res: GroupBenchResults): string {
  const s = res.settings;
  const m = res.machine;
  const byClient = (c: GroupClient) => res.membership.find((x) => x.client === c)?.median;
  const kj = byClient('kafkajs');
  const rd = byClient('librdkafka');
  return `## What bounds these figures

- **Formation from spawn** is mostly process start-up: a kafkajs member is a Node process that
  loads kafkajs, a librdkafka member a Python interpreter that loads confluent-kafka; three of them
  start at once on ${m.cores} cores.
- **Formation from the last client start** (kafkajs ${ms(kj?.formFromLastStartMs)}, librdkafka
  ${ms(rd?.formFromLastStartMs)}): the members arrive one by one, so the first ones form a group
  alone and must rejoin when the next arrives. A member learns of a pending rebalance from its next
  heartbeat answer (REBALANCE_IN_PROGRESS), so each extra arrival can cost up to one heartbeat
  interval (${s.heartbeatIntervalMs} ms) before the rejoin; the broker itself adds no initial delay and
  completes a rebalance as soon as every known member has rejoined.
- **Member death**: the broker can only expire a silent member S after its last heartbeat, checked
  by a 100 ms tick. The last heartbeat came some time before the kill (up to one interval, more when
  the client is starved of CPU), so "signal -> broker rebalancing" lies around S: kafkajs
  ${ms(kj?.killBrokerMs)}, librdkafka ${ms(rd?.killBrokerMs)} here. What follows is the clients': the
  survivors learn of the rebalance from their next heartbeat answer (REBALANCE_IN_PROGRESS, up to
  one interval later), rejoin and sync — kafkajs ${ms(diff(kj, 'killRebalanceMs', 'killBrokerMs'))},
  librdkafka ${ms(diff(rd, 'killRebalanceMs', 'killBrokerMs'))} from the broker's rebalance to the
  survivors' new assignments. Hence "above S" can be negative. A shorter S detects deaths sooner at
  the price of expiring members that stall.
- **Clean leave**: the broker removes the leaving member as soon as its LeaveGroup arrives ("signal
  -> broker rebalancing" is the leaver's own shutdown up to its LeaveGroup: kafkajs
  ${ms(kj?.leaveBrokerMs)}, librdkafka ${ms(rd?.leaveBrokerMs)}). The rest is again the survivor
  noticing at its next heartbeat and rejoining: kafkajs ${ms(diff(kj, 'leaveRebalanceMs', 'leaveBrokerMs'))},
  librdkafka ${ms(diff(rd, 'leaveRebalanceMs', 'leaveBrokerMs'))}.
- **Whose time it is**: in a development run with \`--log-level debug\` (which logs every request
  with its duration), the broker answered the survivor's first heartbeat after a leave with
  REBALANCE_IN_PROGRESS, and its JoinGroup and SyncGroup that followed, within 3 ms. librdkafka
  2.0.2's heartbeats arrived only every 0.4–0.6 s although \`heartbeat.interval.ms\` was
  ${s.heartbeatIntervalMs} (100 made no difference), which is why its survivors take longer to notice
  than kafkajs's.
- **Consume**: a kafkajs member decodes every batch in JavaScript on one thread, in the same process
  that heartbeats and commits; librdkafka fetches and decodes in C threads and the Python loop only
  counts (one Python object per record, so it stays below plain kcat: one librdkafka member
  reached ${baselineShare(res, 100)} (100 B) and ${baselineShare(res, 1024)} (1 KiB) of the
  \`kcat -C\` rate on the same topic). With 3 members there are three such consumers plus the broker
  on ${m.cores} cores, so a third member adds parallel fetches but no CPU: here the rate is bound by
  the CPU the member processes get, not by the group coordination (one JoinGroup/SyncGroup per
  member before the clock starts, then only heartbeats and commits). Each row is one run of about
  0.5–5 s on a shared machine: read differences under about 2x between rows as noise, against the
  baseline row of the same size. The plain single-consumer rates are on [broker.md](broker.md).
`;
}
