import type { Command } from 'commander';
import type { Admin, GroupDescription } from 'kafkajs';
import { CliError, usageError } from '../errors.ts';
import { formatTable } from '../format/table.ts';
import { lagRows } from '../groups/group-report.ts';
import type { LagRow, MemberInfo } from '../groups/group-report.ts';
import { commitGroupOffsets } from '../groups/commit-offsets.ts';
import { planReset } from '../groups/offset-reset.ts';
import type { Client } from '../kafka/client.ts';
import type { ResetRequest, ResetSpec } from '../groups/offset-reset.ts';
import { AssignerProtocol } from '../kafka/kafkajs.ts';
import { partitionOffsets } from '../kafka/topic-info.ts';
import { THROWAWAY_GROUP_PREFIX } from '../kafka/topic-reader.ts';
import { parseDateTime, parseInteger, parseOffset } from '../util/parse-options.ts';
import { out, withAdmin } from './context.ts';

interface GroupsOptions {
  list?: boolean;
  describe?: boolean;
  resetOffsets?: boolean;
  delete?: boolean;
  group?: string;
  topic?: string;
  allTopics?: boolean;
  toEarliest?: boolean;
  toLatest?: boolean;
  toOffset?: string;
  toDatetime?: string;
  shiftBy?: string;
  dryRun?: boolean;
  execute?: boolean;
  json?: boolean;
  all?: boolean;
}

const EXAMPLES = `
--reset-offsets needs a group without active members (stop its consumers first) and one of
--to-earliest, --to-latest, --to-offset N, --to-datetime ISO|epoch-ms, --shift-by [-]N, for
--topic T or --all-topics (the topics the group has committed offsets for). --dry-run prints the
plan without changing anything.

Examples:
  $ streaming groups --list
  $ streaming groups --describe --group billing
  $ streaming groups --describe --group billing --json
  $ streaming groups --reset-offsets --group billing --topic orders --to-earliest --dry-run
  $ streaming groups --reset-offsets --group billing --topic orders --shift-by -10
  $ streaming groups --reset-offsets --group billing --all-topics --to-datetime 2026-11-21T10:00:00Z
  $ streaming groups --delete --group billing
`;

export function registerGroups(program: Command): void {
  program
    .command('groups')
    .description(
      'list and describe consumer groups, show lag, reset offsets (like kafka-consumer-groups.sh)',
    )
    .option('--list', 'print every group id, one per line')
    .option(
      '--describe',
      'state, members, assignments, committed offsets, log end and lag of --group',
    )
    .option('--reset-offsets', 'move the committed offsets of --group')
    .option('--delete', 'delete --group (it must have no active members)')
    .option('-g, --group <id>', 'the consumer group')
    .option('-t, --topic <name>', 'reset: the topic whose offsets move')
    .option('--all-topics', 'reset: every topic the group has committed offsets for')
    .option('--to-earliest', 'reset to the log start')
    .option('--to-latest', 'reset to the log end (skip everything not read yet)')
    .option('--to-offset <n>', 'reset to this offset')
    .option('--to-datetime <time>', 'reset to the first record at or after this time')
    .option('--shift-by <n>', 'move by n (negative: re-read n records)')
    .option('--dry-run', 'reset: print the plan, change nothing')
    .option('--execute', 'reset: apply the plan (the default; accepted for Kafka habits)')
    .option('--all', 'list: also the private groups the CLI reads with (streaming-cli-tmp-*)')
    .option('--json', 'describe: one JSON document instead of a table')
    .addHelpText('after', EXAMPLES)
    .action(async (options: GroupsOptions, command: Command) => {
      const actions = (['list', 'describe', 'resetOffsets', 'delete'] as const).filter(
        (a) => options[a],
      );
      if (actions.length !== 1) {
        throw usageError(
          'groups needs exactly one of --list, --describe, --reset-offsets, --delete',
        );
      }
      const action = actions[0];
      if (action !== 'list' && !options.group) throw usageError('this groups action needs --group');
      const spec = action === 'resetOffsets' ? resetSpecOf(options) : null;
      await withAdmin(
        command,
        async (admin, client) => {
          switch (action) {
            case 'list':
              return listGroups(admin, options.all === true);
            case 'describe':
              return describeGroup(admin, options.group as string, options.json === true);
            case 'resetOffsets':
              return resetOffsets(admin, client, options, spec as ResetRequest);
            case 'delete':
              return deleteGroup(admin, options.group as string);
          }
        },
        options.topic,
      );
    });
}

function resetSpecOf(o: GroupsOptions): ResetRequest {
  if (!o.topic === !o.allTopics) throw usageError('--reset-offsets needs --topic or --all-topics');
  const given = [o.toEarliest, o.toLatest, o.toOffset, o.toDatetime, o.shiftBy].filter(
    (v) => v !== undefined,
  );
  if (given.length !== 1) {
    throw usageError(
      '--reset-offsets needs exactly one of --to-earliest, --to-latest, --to-offset, --to-datetime, --shift-by',
    );
  }
  if (o.toEarliest) return { kind: 'earliest' };
  if (o.toLatest) return { kind: 'latest' };
  if (o.toOffset !== undefined)
    return { kind: 'offset', offset: parseOffset('--to-offset', o.toOffset) };
  if (o.shiftBy !== undefined)
    return { kind: 'shift', by: BigInt(parseInteger('--shift-by', o.shiftBy)) };
  return { kind: 'datetime', ms: parseDateTime('--to-datetime', o.toDatetime as string) };
}

async function listGroups(admin: Admin, all: boolean): Promise<void> {
  const { groups } = await admin.listGroups();
  // The CLI's own group-less reads leave empty, offset-less groups behind on brokers that keep them
  // listed until a cleanup pass: noise in a listing of the application's groups.
  const shown = groups.filter((g) => all || !g.groupId.startsWith(THROWAWAY_GROUP_PREFIX));
  out(
    shown
      .map((g) => `${g.groupId}\n`)
      .sort()
      .join(''),
  );
}

function decodeAssignment(buffer: Buffer): Record<string, number[]> {
  if (!buffer || buffer.length === 0) return {};
  try {
    return AssignerProtocol.MemberAssignment.decode(buffer)?.assignment ?? {};
  } catch {
    // A group of another protocol type (Connect, a custom assignor): no consumer assignment to show.
    return {};
  }
}

async function describe(admin: Admin, groupId: string): Promise<GroupDescription> {
  const { groups } = await admin.describeGroups([groupId]);
  const group = groups.find((g) => g.groupId === groupId);
  if (!group) throw new CliError('UNKNOWN_GROUP', `unknown group ${groupId}`);
  return group;
}

async function committedOffsets(
  admin: Admin,
  groupId: string,
  topics?: string[],
): Promise<Map<string, Map<number, bigint>>> {
  const rows = await admin.fetchOffsets({ groupId, topics });
  const result = new Map<string, Map<number, bigint>>();
  for (const { topic, partitions } of rows) {
    const m = new Map<number, bigint>();
    for (const p of partitions) if (BigInt(p.offset) >= 0n) m.set(p.partition, BigInt(p.offset));
    if (m.size > 0) result.set(topic, m);
  }
  return result;
}

async function describeGroup(admin: Admin, groupId: string, json: boolean): Promise<void> {
  const group = await describe(admin, groupId);
  const committed = await committedOffsets(admin, groupId);
  // Kafka reports an unknown group as Dead with no members; without offsets either, it does not exist.
  if (group.state === 'Dead' && committed.size === 0) {
    throw new CliError('UNKNOWN_GROUP', `unknown group ${groupId}`);
  }
  const members: MemberInfo[] = group.members.map((m) => ({
    memberId: m.memberId,
    clientId: m.clientId,
    host: m.clientHost,
    assignment: decodeAssignment(m.memberAssignment),
  }));
  const topics = new Set([
    ...committed.keys(),
    ...members.flatMap((m) => Object.keys(m.assignment)),
  ]);
  const logEnds = new Map<string, Map<number, bigint>>();
  for (const topic of topics) {
    const offsets = await partitionOffsets(admin, topic).catch(() => []);
    logEnds.set(topic, new Map(offsets.map((p) => [p.partition, p.high])));
  }
  const rows = lagRows(committed, logEnds, members);
  if (json) {
    out(`${JSON.stringify(groupJson(group, members, rows), null, 2)}\n`);
    return;
  }
  const totalLag = rows.reduce((sum, r) => sum + (r.lag ?? 0n), 0n);
  out(
    `Group: ${groupId}\tState: ${group.state}\tMembers: ${members.length}\tProtocol: ${group.protocol || '-'}\tTotal lag: ${totalLag}\n`,
  );
  const dash = (v: string | bigint | null) => (v === null || v === '' ? '-' : String(v));
  const table = rows.map((r) => [
    r.topic,
    String(r.partition),
    dash(r.committed),
    String(r.logEnd),
    dash(r.lag),
    dash(r.memberId),
    dash(r.host),
    dash(r.clientId),
  ]);
  // Members without partitions still exist (more members than partitions): list them too.
  for (const m of members) {
    if (Object.values(m.assignment).every((ps) => ps.length === 0)) {
      table.push(['-', '-', '-', '-', '-', m.memberId, m.host, m.clientId]);
    }
  }
  out(
    formatTable(
      [
        'TOPIC',
        'PARTITION',
        'CURRENT-OFFSET',
        'LOG-END-OFFSET',
        'LAG',
        'CONSUMER-ID',
        'HOST',
        'CLIENT-ID',
      ],
      table,
    ),
  );
}

function groupJson(group: GroupDescription, members: MemberInfo[], rows: LagRow[]) {
  const num = (v: bigint | null) => (v === null ? null : Number(v));
  return {
    group: group.groupId,
    state: group.state,
    protocol: group.protocol || null,
    members,
    partitions: rows.map((r) => ({
      topic: r.topic,
      partition: r.partition,
      committed: num(r.committed),
      logEnd: num(r.logEnd),
      lag: num(r.lag),
      memberId: r.memberId,
      clientId: r.clientId,
      host: r.host,
    })),
    totalLag: rows.reduce((s, r) => s + Number(r.lag ?? 0n), 0),
  };
}

async function resetOffsets(
  admin: Admin,
  client: Client,
  o: GroupsOptions,
  spec: ResetRequest,
): Promise<void> {
  const groupId = o.group as string;
  const group = await describe(admin, groupId);
  // The broker only accepts offsets from outside the group while it has no members; a running
  // consumer would also overwrite them with its next commit.
  if (group.members.length > 0) {
    throw new CliError(
      'GROUP_ACTIVE',
      `group ${groupId} has ${group.members.length} active member(s) (state ${group.state}): stop its consumers first`,
    );
  }
  const committed = await committedOffsets(admin, groupId);
  const topics = o.topic ? [o.topic] : [...committed.keys()].sort();
  if (topics.length === 0)
    throw new CliError('UNKNOWN_GROUP', `group ${groupId} has no committed offsets`);
  const existing = new Set(await admin.listTopics());
  const rows: string[][] = [];
  for (const topic of topics) {
    if (!existing.has(topic)) throw new CliError('UNKNOWN_TOPIC', `unknown topic ${topic}`);
    const offsets = await partitionOffsets(admin, topic);
    let full: ResetSpec;
    if (spec.kind === 'datetime') {
      const found = await admin.fetchTopicOffsetsByTimestamp(topic, spec.ms);
      full = { ...spec, offsets: new Map(found.map((f) => [f.partition, BigInt(f.offset)])) };
    } else {
      full = spec;
    }
    const plan = planReset(full, offsets, committed.get(topic) ?? new Map());
    if (!o.dryRun) {
      await commitGroupOffsets(
        client,
        groupId,
        topic,
        plan.map((p) => ({ partition: p.partition, offset: p.target })),
      );
    }
    for (const p of plan) {
      rows.push([
        groupId,
        topic,
        String(p.partition),
        p.current === null ? '-' : String(p.current),
        String(p.target),
      ]);
    }
  }
  out(formatTable(['GROUP', 'TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'NEW-OFFSET'], rows));
  out(o.dryRun ? 'dry run: nothing changed\n' : `offsets of group ${groupId} reset\n`);
}

async function deleteGroup(admin: Admin, groupId: string): Promise<void> {
  const group = await describe(admin, groupId);
  if (group.members.length > 0) {
    throw new CliError(
      'GROUP_ACTIVE',
      `group ${groupId} has active members: stop its consumers first`,
    );
  }
  await admin.deleteGroups([groupId]);
  out(`deleted group ${groupId}\n`);
}
