// bench:start's figures as a table: one row per start-up step, one column per measured start.
import type { StartTimeline } from './start-timeline.ts';

export interface MeasuredStart {
  /** "cold" (empty data folder) or "warm" (the same folder after the load run). */
  label: string;
  timeline: StartTimeline;
  /** When the orchestrator printed "demo ready", as seen by the bench (ms after the spawn). */
  seenReadyMs: number;
  /** CPU ms per process from its spawn to "demo ready". */
  cpuMs: Record<string, number>;
  loadAverage: number[];
}

export interface StartBenchResults {
  date: string;
  machine: Record<string, string | number>;
  command: string;
  load: { rate: number; seconds: number; syncRatio: number; accepted: number; stopMs: number };
  starts: MeasuredStart[];
  /** Orders placed before each start (0 for the cold one). */
  notes: string[];
}

const SERVICES = ['inventory', 'sales', 'reordering', 'analytics'];

function seconds(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? '—' : `${(ms / 1000).toFixed(2)} s`;
}

/** Rows: [step, value per start]. */
export function stepRows(starts: readonly MeasuredStart[]): string[][] {
  const row = (label: string, value: (start: MeasuredStart) => string) => [
    label,
    ...starts.map(value),
  ];
  const rows = [
    row('**demo ready** (as printed)', (s) => `**${seconds(s.timeline.demoReadyMs)}**`),
    row(
      'postgres: start → ready',
      (s) =>
        `${seconds(s.timeline.postgres.readyMs)}${s.timeline.postgres.recovered ? ' (crash recovery)' : ''}`,
    ),
    row('broker: start → ready', (s) => seconds(s.timeline.broker.readyMs)),
    row('↳ log directory load', (s) => {
      const b = s.timeline.broker;
      return `${seconds(b.logLoadMs)}${b.logDirClean === false ? ' (no clean-shutdown marker)' : ''}`;
    }),
    row('↳ consumer groups from `__consumer_offsets`', (s) => {
      const b = s.timeline.broker;
      return b.offsetRecords === null
        ? '—'
        : `${seconds(b.groupsLoadMs)} (${b.offsetRecords} records)`;
    }),
    row('↳ members of the last run that never left', (s) => {
      const groups = s.timeline.broker.deadMembersExpired;
      return groups.length === 0 ? 'none' : `${groups.join(', ')} (a session timeout each)`;
    }),
  ];
  for (const name of SERVICES) {
    rows.push(
      row(`${name}: spawn → ready`, (s) => seconds(s.timeline.services[name]?.readyMs)),
      row('↳ Node start-up + imports', (s) => seconds(s.timeline.services[name]?.moduleLoadMs)),
      row('↳ database + migrations', (s) => seconds(s.timeline.services[name]?.databaseMs)),
      row('↳ to consumer group joined', (s) => seconds(s.timeline.services[name]?.consumerJoinMs)),
      row('↳ joined → ready', (s) => seconds(s.timeline.services[name]?.afterJoinMs)),
    );
    if (name === 'analytics') {
      rows.push(row('↳ checkpoint restore', (s) => seconds(s.timeline.analyticsCheckpointMs)));
    }
  }
  rows.push(
    row('CPU of the whole stack to ready', (s) =>
      seconds(Object.values(s.cpuMs).reduce((sum, ms) => sum + ms, 0)),
    ),
    row('load average (1/5/15 min) at start', (s) =>
      s.loadAverage.map((v) => v.toFixed(1)).join(' / '),
    ),
  );
  return rows;
}

export function table(header: readonly string[], rows: readonly string[][]): string {
  const lines = [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`];
  for (const row of rows) lines.push(`| ${row.join(' | ')} |`);
  return lines.join('\n');
}

export function markdown(results: StartBenchResults): string {
  const header = ['step', ...results.starts.map((s) => s.label)];
  const machine = Object.entries(results.machine)
    .map(([key, value]) => `${key} ${value}`)
    .join(', ');
  return `# Start benchmark: cold vs warm \`npm start\`

Written by \`${results.command}\` on ${results.date}. Machine: ${machine}.

What it does: \`npm start\` (the root package.json's start command, with \`--data-dir\` on a fresh
temporary folder) until it prints "demo ready" (**cold**); then \`npm run load\`'s generator at
${results.load.rate} orders/s for ${results.load.seconds} s (sync share ${results.load.syncRatio};
${results.load.accepted} orders accepted); Ctrl-C (the stop took ${seconds(results.load.stopMs)});
then \`npm start\` again on the same folder (**warm**). Every step is read from the processes' own
log lines (\`<data>/logs/<name>.log\`) and the orchestrator's output; CPU from \`/proc/<pid>/stat\`.
Wall times on a shared 2-core machine move with its load (the load average is in the table): the
CPU line and the step counts (records replayed) are the steadier figures.

${table(header, stepRows(results.starts))}

${results.notes.map((note) => `- ${note}`).join('\n')}
`;
}
