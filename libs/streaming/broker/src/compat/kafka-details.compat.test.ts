// Kafka compatibility details that real clients' own test suites trip over (issue #18). Each
// defect is checked with the client that found it: librdkafka (kcat, confluent-kafka) or kafkajs.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import kafkajs from 'kafkajs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { kafkaClient, waitFor } from '../group/test-support/group-harness.ts';
import { describeWithClient, detectKcat, detectNpmPackage } from './client-availability.ts';
import { startIsolatedBroker } from './compat-fixture.ts';
import type { IsolatedBroker } from './compat-fixture.ts';
import { createTopicWithKafkajs } from './kafkajs-admin.ts';

const kafkajsAvailable = await detectNpmPackage('kafkajs');
const kcat = detectKcat();

describeWithClient(
  {
    client: 'kafkajs and kcat (librdkafka)',
    available: kafkajsAvailable.available && kcat.available,
    reason: [kafkajsAvailable.reason, kcat.reason].filter(Boolean).join('; '),
  },
  'Kafka compatibility details (issue #18)',
  () => {
    let env: IsolatedBroker;
    beforeAll(async () => {
      env = await startIsolatedBroker('details');
    });
    afterAll(async () => {
      await env?.close();
    });

    it('expires a killed librdkafka member exactly at its session timeout: DeleteGroups 20 ms later succeeds', async () => {
      // librdkafka's 0081_admin: offsets committed with a 6,000 ms session, then DeleteGroups just
      // after the session ran out; a broker that expires members on a tick said NON_EMPTY_GROUP.
      const topic = 'details-expiry';
      const group = 'details-expiry-group';
      await createTopicWithKafkajs(env.bootstrap, topic, 1);
      const member = spawn(
        'kcat',
        [
          '-b',
          env.bootstrap,
          '-G',
          group,
          '-X',
          'session.timeout.ms=6000',
          '-X',
          'heartbeat.interval.ms=100',
          topic,
        ],
        { stdio: 'ignore' },
      );
      const admin = kafkaClient(env.bootstrap, 'details-admin').admin();
      await admin.connect();
      try {
        await waitFor('the kcat member to be Stable', async () => {
          const { groups } = await admin.describeGroups([group]);
          return groups[0].state === 'Stable' && groups[0].members.length === 1;
        });
        member.kill('SIGKILL');
        const killedAt = Date.now();
        await once(member, 'exit');
        // The member's last heartbeat came at most 100 ms before the kill, so its session ends
        // between killedAt + 5900 and killedAt + 6000: 20 ms later it must be gone (a 100 ms expiry
        // tick could still be waiting).
        await sleep(killedAt + 6_020 - Date.now());
        await expect(admin.deleteGroups([group])).resolves.toEqual([
          expect.objectContaining({ groupId: group, errorCode: 0 }),
        ]);
      } finally {
        member.kill('SIGKILL');
        await admin.disconnect();
      }
    }, 30_000);

    it('answers CreatePartitions on an unknown broker with INVALID_REPLICA_ASSIGNMENT (kafkajs)', async () => {
      const topic = 'details-grow';
      await createTopicWithKafkajs(env.bootstrap, topic, 1);
      const admin = kafkaClient(env.bootstrap, 'details-admin').admin();
      await admin.connect();
      try {
        const error = await admin
          .createPartitions({ topicPartitions: [{ topic, count: 2, assignments: [[2]] }] })
          .then(
            () => null,
            (err: unknown) => err,
          );
        expect(error).toMatchObject({ type: 'INVALID_REPLICA_ASSIGNMENT' });
        // The right assignment (this node) still works.
        await admin.createPartitions({
          topicPartitions: [{ topic, count: 2, assignments: [[env.broker.nodeId]] }],
        });
        const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
        expect(metadata.topics[0].partitions).toHaveLength(2);
      } finally {
        await admin.disconnect();
      }
    });

    it('serves a kafkajs transactional producer at once (FindCoordinator finds the transaction coordinator)', async () => {
      // kafkajs logs each retry of the coordinator look-up at debug level: count them. Before
      // transactions existed, FindCoordinator answered the non-retriable UNSUPPORTED_VERSION so
      // that kafkajs failed at once instead of retrying for its whole budget (issue #18 point 6).
      const retries: string[] = [];
      const kafka = new kafkajs.Kafka({
        clientId: 'details-txn',
        brokers: [env.bootstrap],
        logLevel: kafkajs.logLevel.DEBUG,
        logCreator: () => (entry) => {
          if (/retrying/i.test(entry.log.message)) retries.push(entry.log.message);
        },
      });
      const producer = kafka.producer({
        transactionalId: 'details-txn-id',
        idempotent: true,
        maxInFlightRequests: 1,
      });
      await producer.connect();
      try {
        const txn = await producer.transaction();
        await txn.send({ topic: 'details-txn', messages: [{ value: 'x' }] });
        await txn.commit();
        expect(retries).toEqual([]);
      } finally {
        await producer.disconnect();
      }
    });
  },
);
