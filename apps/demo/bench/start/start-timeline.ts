// One start of the demo, step by step: what the orchestrator printed (with the moment each line
// arrived) and what each process logged (pino JSON in <data>/logs/<name>.log, with its own clock),
// turned into the durations bench:start reports. Pure: the bench hands the lines in.

/** A line of the orchestrator's stdout (`name | text`) and when it arrived, ms after the spawn. */
export interface OrchestratorLine {
  atMs: number;
  text: string;
}

/** One pino record of a process's log: its epoch time, message and fields. */
export interface LogRecord {
  time: number;
  msg: string;
  [field: string]: unknown;
}

export interface ServiceSteps {
  /** Spawned: ms after `npm start` was spawned. */
  spawnedAtMs: number | null;
  /** Node's start-up and every import (the service's own `moduleLoadMs`). */
  moduleLoadMs: number | null;
  /** Modules loaded -> database created/migrated ("database schema is up to date"). */
  databaseMs: number | null;
  /** Database ready -> its consumer joined its group (topic provisioning, state restore, join). */
  consumerJoinMs: number | null;
  /** Joined -> answering /health/ready (HTTP server, anything after the join). */
  afterJoinMs: number | null;
  /** Spawned -> ready, as the orchestrator saw it. */
  readyMs: number | null;
}

export interface StartTimeline {
  /** "demo ready in X s", as printed (the user's figure). */
  demoReadyMs: number | null;
  postgres: { readyMs: number | null; recovered: boolean };
  broker: {
    readyMs: number | null;
    logLoadMs: number | null;
    logDirClean: boolean | null;
    groupsLoadMs: number | null;
    offsetRecords: number | null;
    /**
     * Groups in which a member of an earlier run (one that never left) had to expire before the new
     * one could join: each costs that group a whole session timeout.
     */
    deadMembersExpired: string[];
  };
  services: Record<string, ServiceSteps>;
  analyticsCheckpointMs: number | null;
}

const DEMO_READY = /demo ready in ([\d.]+) s/;

/** The ms (after spawn) at which the orchestrator reported `<name> ready`, or null. */
function readyAt(lines: readonly OrchestratorLine[], name: string): number | null {
  const prefix = `demo       | ${name} ready in `;
  return lines.find((line) => line.text.startsWith(prefix))?.atMs ?? null;
}

function startingAt(lines: readonly OrchestratorLine[], name: string): number | null {
  const text = `demo       | starting ${name}`;
  return lines.find((line) => line.text === text)?.atMs ?? null;
}

function numberField(record: LogRecord | undefined, field: string): number | null {
  const value = record?.[field];
  return typeof value === 'number' ? value : null;
}

/** The steps of one service from its log records (epoch times) and the orchestrator's lines. */
export function serviceSteps(
  name: string,
  records: readonly LogRecord[],
  lines: readonly OrchestratorLine[],
): ServiceSteps {
  const started = records.find((r) => r.msg === `${name} started`);
  const startupMs = numberField(started, 'startupMs');
  const moduleLoadMs = numberField(started, 'moduleLoadMs');
  const database =
    records.find((r) => r.msg === 'database schema is up to date') ??
    records.filter((r) => r.msg.startsWith('applied migration')).at(-1);
  const joined = records.find((r) => r.msg === 'joined consumer group');
  const readyMs = readyAt(lines, name);
  const spawnedAtMs = startingAt(lines, name);
  // The service's own clock: it started running its code at `started.time - startupMs`.
  const codeBegan = started && startupMs !== null ? started.time - startupMs : null;
  const databaseMs = codeBegan !== null && database ? database.time - codeBegan : null;
  const consumerJoinMs = database && joined ? joined.time - database.time : null;
  const afterJoinMs =
    joined &&
    readyMs !== null &&
    spawnedAtMs !== null &&
    codeBegan !== null &&
    moduleLoadMs !== null
      ? readyMs - spawnedAtMs - moduleLoadMs - (joined.time - codeBegan)
      : null;
  return {
    spawnedAtMs,
    moduleLoadMs,
    databaseMs,
    consumerJoinMs,
    afterJoinMs: afterJoinMs === null ? null : Math.max(0, afterJoinMs),
    readyMs: readyMs !== null && spawnedAtMs !== null ? readyMs - spawnedAtMs : null,
  };
}

/**
 * The whole start: `lines` are the orchestrator's, `logs` each process's records of THIS start (the
 * caller drops older ones: the log files are appended to across runs), `postgresLog` PostgreSQL's
 * plain lines of this start.
 */
export function startTimeline(
  lines: readonly OrchestratorLine[],
  logs: Readonly<Record<string, readonly LogRecord[]>>,
  postgresLog: readonly string[],
  serviceNames: readonly string[],
): StartTimeline {
  const demo = lines.map((line) => DEMO_READY.exec(line.text)).find(Boolean);
  const broker = logs.broker ?? [];
  const logDir = broker.find((r) => r.msg.startsWith('log director'));
  const groups = broker.find((r) => r.msg === 'consumer groups loaded from the offsets topic');
  const brokerSpawned = startingAt(lines, 'broker');
  const brokerReady = readyAt(lines, 'broker');
  const postgresSpawned = startingAt(lines, 'postgres');
  const postgresReady = readyAt(lines, 'postgres');
  const checkpoint = (logs.analytics ?? []).find((r) => r.msg === 'analytics checkpoint restored');
  return {
    demoReadyMs: demo ? Math.round(Number(demo[1]) * 1000) : null,
    postgres: {
      readyMs:
        postgresReady !== null && postgresSpawned !== null ? postgresReady - postgresSpawned : null,
      recovered: postgresLog.some((line) => /not properly shut down|redo starts/.test(line)),
    },
    broker: {
      readyMs: brokerReady !== null && brokerSpawned !== null ? brokerReady - brokerSpawned : null,
      logLoadMs: numberField(logDir, 'ms'),
      logDirClean: typeof logDir?.clean === 'boolean' ? logDir.clean : null,
      groupsLoadMs: numberField(groups, 'ms'),
      offsetRecords: numberField(groups, 'records'),
      deadMembersExpired: broker
        .filter((r) => r.msg === 'member session expired' && typeof r.group === 'string')
        .map((r) => r.group as string),
    },
    services: Object.fromEntries(
      serviceNames.map((name) => [name, serviceSteps(name, logs[name] ?? [], lines)]),
    ),
    analyticsCheckpointMs: numberField(checkpoint, 'ms'),
  };
}

/** The pino records in a log file's text (other lines, and a line cut short by a kill, skipped). */
export function parseRecords(text: string): LogRecord[] {
  const records: LogRecord[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    let value: Record<string, unknown>;
    try {
      value = JSON.parse(line) as Record<string, unknown>;
    } catch {
      continue; // not JSON after all
    }
    // The broker logs epoch ms, the services ISO strings (service-kit's logger).
    const time = typeof value.time === 'string' ? Date.parse(value.time) : value.time;
    if (typeof time === 'number' && Number.isFinite(time) && typeof value.msg === 'string') {
      records.push({ ...value, time, msg: value.msg });
    }
  }
  return records;
}
