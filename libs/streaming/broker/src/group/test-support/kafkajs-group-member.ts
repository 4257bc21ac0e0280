// A kafkajs group consumer in its own process, so a test can kill it with SIGKILL: a crashed
// member sends no LeaveGroup and simply stops heartbeating, which only a separate process shows
// honestly. Reports joins and records to the parent over the IPC channel.
// Usage: fork(this file, [JSON.stringify(MemberConfig)])
import kafkajs from 'kafkajs';

const { Kafka, logLevel } = kafkajs;

export interface MemberConfig {
  bootstrap: string;
  groupId: string;
  topic: string;
  sessionTimeout: number;
  heartbeatInterval: number;
  maxWaitTimeInMs: number;
}

export type MemberMessage =
  | { type: 'join'; memberId: string; partitions: number[] }
  | { type: 'record'; partition: number; offset: string; value: string }
  | { type: 'crash'; error: string };

const config = JSON.parse(process.argv[2] ?? '{}') as MemberConfig;
const send = (m: MemberMessage) => process.send?.(m);

const kafka = new Kafka({
  clientId: 'child-member',
  brokers: [config.bootstrap],
  logLevel: logLevel.NOTHING,
});
const consumer = kafka.consumer({
  groupId: config.groupId,
  sessionTimeout: config.sessionTimeout,
  heartbeatInterval: config.heartbeatInterval,
  maxWaitTimeInMs: config.maxWaitTimeInMs,
  retry: { retries: 20 },
});
consumer.on(consumer.events.GROUP_JOIN, (e) => {
  send({
    type: 'join',
    memberId: e.payload.memberId,
    partitions: e.payload.memberAssignment[config.topic] ?? [],
  });
});
consumer.on(consumer.events.CRASH, (e) => send({ type: 'crash', error: String(e.payload.error) }));
await consumer.connect();
await consumer.subscribe({ topic: config.topic, fromBeginning: true });
await consumer.run({
  eachMessage: async ({ partition, message }) => {
    send({
      type: 'record',
      partition,
      offset: message.offset,
      value: message.value?.toString() ?? '',
    });
  },
});
