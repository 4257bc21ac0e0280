// Test support for the consumer-group suites: kafkajs members in-process or in a child process
// (to crash them for real), and a polling wait with a generous deadline (the assertions themselves
// are never about elapsed time).
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import kafkajs from 'kafkajs';
import type { Consumer, Kafka as KafkaClient } from 'kafkajs';
import type { MemberConfig, MemberMessage } from './kafkajs-group-member.ts';

const { Kafka, logLevel } = kafkajs;

/** Short timeouts so rebalances happen in seconds; kafkajs heartbeats between fetches. */
export const FAST_MEMBER = {
  sessionTimeout: 3000,
  heartbeatInterval: 300,
  maxWaitTimeInMs: 200,
} as const;

export interface ConsumedRecord {
  member: string;
  partition: number;
  offset: number;
  value: string;
}

export interface GroupMember {
  readonly label: string;
  /** The partitions of the latest assignment. */
  partitions: number[];
  joins: number;
  readonly records: ConsumedRecord[];
  /** Leaves the group cleanly (LeaveGroup). */
  stop(): Promise<void>;
}

export function kafkaClient(bootstrap: string, clientId = 'group-suite'): KafkaClient {
  return new Kafka({ clientId, brokers: [bootstrap], logLevel: logLevel.NOTHING });
}

export async function waitFor(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 45_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function startMember(
  kafka: KafkaClient,
  groupId: string,
  topic: string,
  label: string,
  options: Partial<typeof FAST_MEMBER> & { autoCommit?: boolean } = {},
): Promise<GroupMember & { consumer: Consumer }> {
  const consumer = kafka.consumer({ groupId, ...FAST_MEMBER, ...options, retry: { retries: 20 } });
  const member: GroupMember & { consumer: Consumer } = {
    label,
    partitions: [],
    joins: 0,
    records: [],
    consumer,
    async stop() {
      await consumer.disconnect();
    },
  };
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    member.partitions = [...(e.payload.memberAssignment[topic] ?? [])].sort((a, b) => a - b);
    member.joins += 1;
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    autoCommit: options.autoCommit ?? true,
    eachMessage: async ({ partition, message }) => {
      member.records.push({
        member: label,
        partition,
        offset: Number(message.offset),
        value: message.value?.toString() ?? '',
      });
    },
  });
  return member;
}

export interface ChildMember extends GroupMember {
  readonly child: ChildProcess;
  /** SIGKILL: no LeaveGroup, no more heartbeats. */
  kill(): void;
}

const MEMBER_SCRIPT = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  'kafkajs-group-member.ts',
);

export function startChildMember(
  bootstrap: string,
  groupId: string,
  topic: string,
  label: string,
): ChildMember {
  const config: MemberConfig = { bootstrap, groupId, topic, ...FAST_MEMBER };
  // execArgv: [] so the child does not inherit the test runner's loader flags; Node 24 runs the .ts.
  const child = fork(MEMBER_SCRIPT, [JSON.stringify(config)], {
    execArgv: [],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  const member: ChildMember = {
    label,
    partitions: [],
    joins: 0,
    records: [],
    child,
    async stop() {
      child.kill('SIGTERM');
    },
    kill() {
      child.kill('SIGKILL');
    },
  };
  child.on('message', (m: MemberMessage) => {
    if (m.type === 'join') {
      member.partitions = [...m.partitions].sort((a, b) => a - b);
      member.joins += 1;
    } else if (m.type === 'record') {
      member.records.push({
        member: label,
        partition: m.partition,
        offset: Number(m.offset),
        value: m.value,
      });
    }
  });
  return member;
}

/** True when the members' latest assignments are disjoint and together cover 0..partitions-1. */
export function coversExactly(members: readonly GroupMember[], partitions: number): boolean {
  const all = members.flatMap((m) => m.partitions).sort((a, b) => a - b);
  return all.length === partitions && all.every((p, i) => p === i);
}

export async function produceValues(
  kafka: KafkaClient,
  topic: string,
  values: readonly string[],
): Promise<void> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    for (let i = 0; i < values.length; i += 200) {
      await producer.send({
        topic,
        acks: -1,
        messages: values.slice(i, i + 200).map((value, j) => ({ key: `k${(i + j) % 97}`, value })),
      });
    }
  } finally {
    await producer.disconnect();
  }
}
