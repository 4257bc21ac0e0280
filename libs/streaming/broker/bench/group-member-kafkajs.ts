// One consumer-group member as its own process (kafkajs), so the benchmark can SIGKILL it: a killed
// process sends no LeaveGroup and the broker must find out through the session timeout.
// Usage: node group-member-kafkajs.ts BOOTSTRAP GROUP TOPIC SESSION_MS [gate]
// Reports JSON lines on stdout (see group-events.ts). With `gate`, every assigned partition stays
// paused until a line `go` arrives on stdin, so a throughput run starts with the group already formed
// and nothing consumed twice. SIGTERM leaves the group cleanly (disconnect sends LeaveGroup).
import readline from 'node:readline';
import kafkajs from 'kafkajs';
import { HEARTBEAT_INTERVAL_MS, KAFKAJS_MAX_WAIT_MS } from './group-events.ts';
import type { MemberEvent } from './group-events.ts';

const { Kafka, logLevel } = kafkajs;
const [bootstrap, groupId, topic, sessionMs, gateArg] = process.argv.slice(2);
const gated = gateArg === 'gate';

function emit(event: MemberEvent): void {
  // stdout to a pipe is synchronous on Linux: the line is out before a following kill can land.
  process.stdout.write(JSON.stringify(event) + '\n');
}
const now = () => performance.timeOrigin + performance.now();

const consumer = new Kafka({
  clientId: 'group-bench-kafkajs',
  brokers: [bootstrap],
  logLevel: logLevel.NOTHING,
}).consumer({
  groupId,
  sessionTimeout: Number(sessionMs),
  heartbeatInterval: HEARTBEAT_INTERVAL_MS,
  // kafkajs heartbeats only between fetches: a long poll of the default 5 s would hide the
  // broker's rebalance behind the client's own wait.
  maxWaitTimeInMs: KAFKAJS_MAX_WAIT_MS,
});

let released = !gated;
let consumed = 0;
consumer.on(consumer.events.GROUP_JOIN, (e) => {
  // Emitted synchronously right after SyncGroup, before the next fetch: pausing here means no
  // record of a gated member is fetched before `go`.
  if (!released) consumer.pause([{ topic }]);
  emit({ ev: 'assigned', t: now(), partitions: e.payload.memberAssignment[topic] ?? [] });
});
consumer.on(consumer.events.REBALANCING, () => emit({ ev: 'revoked', t: now() }));

let leaving = false;
process.on('SIGTERM', () => {
  if (leaving) return;
  leaving = true;
  emit({ ev: 'leaving', t: now() });
  consumer.disconnect().then(
    () => {
      emit({ ev: 'closed', t: now() });
      process.exit(0);
    },
    () => process.exit(1),
  );
});

if (gated) {
  readline.createInterface({ input: process.stdin }).on('line', (line) => {
    if (line.trim() !== 'go' || released) return;
    released = true;
    consumer.resume([{ topic }]);
  });
}

emit({ ev: 'start', t: now() });
await consumer.connect();
await consumer.subscribe({ topics: [topic], fromBeginning: true });
await consumer.run({
  eachBatch: async ({ batch }) => {
    consumed += batch.messages.length;
    emit({ ev: 'consumed', t: now(), n: consumed });
  },
});
