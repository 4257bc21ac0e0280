// The transaction APIs under ACLs, as Kafka checks them: WRITE on the transactional id to use it,
// DESCRIBE to find or describe it, READ on the group for offsets, WRITE on each added topic.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startBroker } from '../broker.ts';
import type { RunningBroker } from '../broker.ts';
import { AclOperation as Op, PatternType, PermissionType, ResourceType } from '../acl/acl-types.ts';
import { ErrorCode } from '../errors/index.ts';
import { ApiKey } from '../protocol/index.ts';
import { WireClient } from '../api/test-support/wire-client.ts';
import { createTopicsRequest } from '../api/test-support/requests.ts';
import { loginPlain } from '../sasl/test-support/sasl-client.ts';

const USERS = { admin: 'admin-pw', alice: 'alice-pw' };
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function secured(): Promise<RunningBroker> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'txn-acl-'));
  const b = await startBroker({
    listeners: [
      {
        name: 'SASL_PLAINTEXT',
        host: '127.0.0.1',
        port: 0,
        securityProtocol: 'SASL_PLAINTEXT',
        sasl: { enabledMechanisms: ['PLAIN'], plainUsers: USERS },
      },
    ],
    authorizer: { superUsers: ['User:admin'] },
    logDir: dir,
  });
  cleanups.push(
    () => fs.rmSync(dir, { recursive: true, force: true }),
    () => b.close(),
  );
  return b;
}

async function as(b: RunningBroker, user: keyof typeof USERS): Promise<WireClient> {
  const c = await WireClient.connect(b.port);
  cleanups.push(() => c.close());
  expect((await loginPlain(c, user, USERS[user])).errorCode).toBe(0);
  return c;
}

async function allowAlice(
  admin: WireClient,
  resourceType: number,
  resourceName: string,
  operation: number,
) {
  const res = await admin.send(ApiKey.CreateAcls, 3, {
    creations: [
      {
        resourceType,
        resourceName,
        resourcePatternType: PatternType.LITERAL,
        principal: 'User:alice',
        host: '*',
        operation,
        permissionType: PermissionType.ALLOW,
      },
    ],
  });
  expect(res.results[0]!.errorCode).toBe(0);
}

const initTxn = (c: WireClient, transactionalId: string) =>
  c.send(ApiKey.InitProducerId, 3, {
    transactionalId,
    transactionTimeoutMs: 60_000,
    producerId: -1n,
    producerEpoch: -1,
  });

describe('transactions under ACLs', () => {
  it('needs WRITE on the transactional id to initialise it, and DESCRIBE to find, list or describe it', async () => {
    const b = await secured();
    const admin = await as(b, 'admin');
    const alice = await as(b, 'alice');
    expect((await initTxn(alice, 'alice-tx')).errorCode).toBe(
      ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
    );
    const find = await alice.send(ApiKey.FindCoordinator, 3, { key: 'alice-tx', keyType: 1 });
    expect(find.errorCode).toBe(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
    await allowAlice(admin, ResourceType.TRANSACTIONAL_ID, 'alice-tx', Op.WRITE);
    expect((await initTxn(alice, 'alice-tx')).errorCode).toBe(0);
    expect((await initTxn(admin, 'admin-tx')).errorCode).toBe(0);
    // WRITE implies DESCRIBE: alice finds and sees her id, never the admin's.
    expect(
      (await alice.send(ApiKey.FindCoordinator, 3, { key: 'alice-tx', keyType: 1 })).errorCode,
    ).toBe(0);
    const listed = await alice.send(ApiKey.ListTransactions, 1, {
      stateFilters: [],
      producerIdFilters: [],
      durationFilter: -1n,
    });
    expect(listed.transactionStates.map((s) => s.transactionalId)).toEqual(['alice-tx']);
    const described = await alice.send(ApiKey.DescribeTransactions, 0, {
      transactionalIds: ['alice-tx', 'admin-tx'],
    });
    expect(
      described.transactionStates.map((s) => [s.transactionalId, s.errorCode, s.transactionState]),
    ).toEqual([
      ['alice-tx', 0, 'Empty'],
      ['admin-tx', ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, ''],
    ]);
  });

  it('needs WRITE on each added topic and READ on the group whose offsets it commits', async () => {
    const b = await secured();
    const admin = await as(b, 'admin');
    const alice = await as(b, 'alice');
    await admin.send(
      ApiKey.CreateTopics,
      4,
      createTopicsRequest([{ name: 'mine' }, { name: 'theirs' }]),
    );
    await allowAlice(admin, ResourceType.TRANSACTIONAL_ID, 'alice-tx', Op.WRITE);
    await allowAlice(admin, ResourceType.TOPIC, 'mine', Op.WRITE);
    const { producerId, producerEpoch } = await initTxn(alice, 'alice-tx');
    const added = await alice.send(ApiKey.AddPartitionsToTxn, 3, {
      v3AndBelowTransactionalId: 'alice-tx',
      v3AndBelowProducerId: producerId,
      v3AndBelowProducerEpoch: producerEpoch,
      v3AndBelowTopics: [
        { name: 'mine', partitions: [0] },
        { name: 'theirs', partitions: [0] },
      ],
    });
    expect(
      added.resultsByTopicV3AndBelow!.map((t) => [
        t.name,
        t.resultsByPartition[0]!.partitionErrorCode,
      ]),
    ).toEqual([
      ['mine', ErrorCode.OPERATION_NOT_ATTEMPTED],
      ['theirs', ErrorCode.TOPIC_AUTHORIZATION_FAILED],
    ]);
    const offsets = () =>
      alice.send(ApiKey.AddOffsetsToTxn, 3, {
        transactionalId: 'alice-tx',
        producerId,
        producerEpoch,
        groupId: 'alice-group',
      });
    expect((await offsets()).errorCode).toBe(ErrorCode.GROUP_AUTHORIZATION_FAILED);
    await allowAlice(admin, ResourceType.GROUP, 'alice-group', Op.READ);
    expect((await offsets()).errorCode).toBe(0);
  });
});
