// Group members as child processes (kafkajs or librdkafka), their reported state, and waiting for a
// condition over several members. Times are epoch milliseconds from the members' own clocks
// (group-events.ts), so a figure is not stretched by pipe or event-loop delays in this process.
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseMemberEvent } from './group-events.ts';
import type { MemberEvent } from './group-events.ts';
import type { Assignment } from './group-ownership.ts';

export type GroupClient = 'kafkajs' | 'librdkafka';
export const GROUP_CLIENTS: readonly GroupClient[] = ['kafkajs', 'librdkafka'];

const HERE = path.dirname(fileURLToPath(import.meta.url));
/** Debian's interpreter: the `python3` first on PATH may not see python3-confluent-kafka. */
export const SYSTEM_PYTHON = '/usr/bin/python3';

export const nowMs = (): number => performance.timeOrigin + performance.now();

export class GroupBenchError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

export interface MemberOptions {
  bootstrap: string;
  group: string;
  topic: string;
  sessionMs: number;
  /** Keep assigned partitions paused until go(). */
  gate?: boolean;
}

export class Member {
  readonly client: GroupClient;
  readonly spawnedAt: number;
  readonly events: MemberEvent[] = [];
  /** Latest assignment, null before the first one and after a revocation. */
  assignment: Assignment = null;
  assignedAt = NaN;
  consumed = 0;
  consumedAt = NaN;
  startedAt = NaN;
  exitCode: number | null | undefined = undefined;
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcessWithoutNullStreams;
  private stderr = '';
  private readonly listeners = new Set<() => void>();

  constructor(client: GroupClient, options: MemberOptions) {
    this.client = client;
    const args = [
      options.bootstrap,
      options.group,
      options.topic,
      String(options.sessionMs),
      ...(options.gate ? ['gate'] : []),
    ];
    this.spawnedAt = nowMs();
    this.child =
      client === 'kafkajs'
        ? spawn(process.execPath, [path.join(HERE, 'group-member-kafkajs.ts'), ...args])
        : spawn(SYSTEM_PYTHON, ['-u', path.join(HERE, 'group-member-rdkafka.py'), ...args]);
    this.child.stdin.on('error', () => undefined);
    this.child.stderr.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString('utf8')).slice(-4000);
    });
    readline.createInterface({ input: this.child.stdout }).on('line', (line) => {
      if (line.trim() === '') return;
      let event: MemberEvent;
      try {
        event = parseMemberEvent(line);
      } catch (err) {
        this.stderr += `\n${(err as Error).message}`;
        return;
      }
      this.apply(event);
    });
    this.exited = new Promise((resolve) =>
      this.child.on('close', (code) => {
        this.exitCode = code;
        this.notify();
        resolve(code);
      }),
    );
    this.child.on('error', (err) => {
      this.stderr += `\nspawn failed: ${err.message}`;
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** The last lines the member wrote to stderr: the reason when it died on its own. */
  get diagnostics(): string {
    return this.stderr.trim().split('\n').slice(-3).join(' | ');
  }

  private apply(event: MemberEvent): void {
    this.events.push(event);
    switch (event.ev) {
      case 'start':
        this.startedAt = event.t;
        break;
      case 'assigned':
        this.assignment = event.partitions;
        this.assignedAt = event.t;
        break;
      case 'revoked':
        this.assignment = null;
        break;
      case 'consumed':
        this.consumed = event.n;
        this.consumedAt = event.t;
        break;
      default:
        break;
    }
    this.notify();
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Sends the signal and returns when it was sent (epoch ms). */
  signal(signal: 'SIGKILL' | 'SIGTERM'): number {
    const t = nowMs();
    if (this.exitCode === undefined) this.child.kill(signal);
    return t;
  }

  /** Lets a gated member fetch; returns when the line was written (epoch ms). */
  go(): number {
    const t = nowMs();
    this.child.stdin.write('go\n');
    return t;
  }

  async stop(): Promise<void> {
    this.signal('SIGKILL');
    await this.exited;
  }
}

/**
 * Resolves once `done()` holds over the members' state, with `timeOf()` taken at that moment.
 * Rejects when a member in `mustLive` exits or after `timeoutMs`.
 */
export function waitFor(
  what: string,
  members: readonly Member[],
  done: () => boolean,
  timeOf: () => number,
  timeoutMs: number,
  mustLive: readonly Member[] = members,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const unsubscribe: Array<() => void> = [];
    const finish = (fn: () => void) => {
      clearTimeout(timer);
      for (const u of unsubscribe) u();
      fn();
    };
    const check = () => {
      const dead = mustLive.find((m) => m.exitCode !== undefined);
      if (dead) {
        finish(() =>
          reject(
            new GroupBenchError(
              'GROUP_BENCH_MEMBER_DIED',
              `${what}: a ${dead.client} member exited (${dead.exitCode}): ${dead.diagnostics}`,
            ),
          ),
        );
      } else if (done()) {
        const t = timeOf();
        finish(() => resolve(t));
      }
    };
    const timer = setTimeout(
      () =>
        finish(() =>
          reject(
            new GroupBenchError(
              'GROUP_BENCH_TIMEOUT',
              `${what}: not reached in ${timeoutMs} ms (${members
                .map((m) => `${m.client} ${JSON.stringify(m.assignment)} ${m.diagnostics}`)
                .join('; ')})`,
            ),
          ),
        ),
      timeoutMs,
    );
    for (const m of members) unsubscribe.push(m.onChange(check));
    check();
  });
}

/** The latest assignment time among the members: when the last of them got its share. */
export function lastAssignedAt(members: readonly Member[]): number {
  return Math.max(...members.map((m) => m.assignedAt));
}
