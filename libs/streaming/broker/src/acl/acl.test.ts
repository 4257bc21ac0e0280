import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startBroker } from '../broker.ts';
import type { BrokerOptions, RunningBroker } from '../broker.ts';
import type { ListenerOptions } from '../config/listeners.ts';
import { ErrorCode } from '../errors/index.ts';
import { ApiKey } from '../protocol/index.ts';
import type { ApiRequest } from '../protocol/index.ts';
import { WireClient } from '../api/test-support/wire-client.ts';
import {
  batch,
  createTopicsRequest,
  fetchRequest,
  produceRequest,
} from '../api/test-support/requests.ts';
import { loginPlain } from '../sasl/test-support/sasl-client.ts';
import { makeTestCertificates, opensslAvailable } from '../testing/test-certificates.ts';
import { ACLS_FILE } from './acl-store.ts';
import { AclOperation as Op, PatternType, PermissionType, ResourceType } from './acl-types.ts';

const dirs: string[] = [];
const brokers: RunningBroker[] = [];
const clients: WireClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(brokers.splice(0).map((b) => b.close()));
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const USERS = { admin: 'admin-pw', alice: 'alice-pw', bob: 'bob-pw' };
const SASL: ListenerOptions = {
  name: 'SASL_PLAINTEXT',
  host: '127.0.0.1',
  port: 0,
  securityProtocol: 'SASL_PLAINTEXT',
  sasl: { enabledMechanisms: ['PLAIN'], plainUsers: USERS },
};

async function broker(options: Partial<BrokerOptions> = {}, logDir?: string) {
  const dir = logDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'acl-test-'));
  if (!logDir) dirs.push(dir);
  const b = await startBroker({
    listeners: [SASL],
    authorizer: { superUsers: ['User:admin'] },
    logDir: dir,
    ...options,
  });
  brokers.push(b);
  return b;
}

async function as(b: RunningBroker, user: keyof typeof USERS): Promise<WireClient> {
  const c = await WireClient.connect(b.port);
  clients.push(c);
  expect((await loginPlain(c, user, USERS[user])).errorCode).toBe(0);
  return c;
}

type Creation = ApiRequest<typeof ApiKey.CreateAcls>['creations'][number];
const acl = (a: Partial<Creation> & { resourceName: string; operation: number }): Creation => ({
  resourceType: ResourceType.TOPIC,
  resourcePatternType: PatternType.LITERAL,
  principal: 'User:alice',
  host: '*',
  permissionType: PermissionType.ALLOW,
  ...a,
});

async function grant(admin: WireClient, ...creations: Creation[]) {
  const res = await admin.send(ApiKey.CreateAcls, 3, { creations });
  expect(res.results.map((r) => [r.errorCode, r.errorMessage])).toEqual(
    creations.map(() => [0, null]),
  );
}

async function topics(admin: WireClient, ...names: string[]) {
  const res = await admin.send(
    ApiKey.CreateTopics,
    7,
    createTopicsRequest(names.map((name) => ({ name }))),
  );
  expect(res.topics.map((t) => t.errorCode)).toEqual(names.map(() => 0));
}

const produce = async (c: WireClient, topic: string) =>
  (await c.send(ApiKey.Produce, 9, produceRequest(topic, 0, batch(['x'])))).responses[0]
    .partitionResponses[0].errorCode;
const fetchError = async (c: WireClient, topic: string) =>
  (
    await c.send(
      ApiKey.Fetch,
      12,
      fetchRequest([{ topic, partition: 0, offset: 0 }], { maxWaitMs: 0 }),
    )
  ).responses[0].partitions[0].errorCode;
const metadata = (c: WireClient, names: string[] | null) =>
  c.send(ApiKey.Metadata, 12, {
    topics:
      names === null
        ? null
        : names.map((name) => ({ name, topicId: '00000000-0000-0000-0000-000000000000' })),
    allowAutoTopicCreation: true,
    includeTopicAuthorizedOperations: false,
  } as never);

describe('ACL management', () => {
  it('answers SECURITY_DISABLED without an authorizer', async () => {
    const b = await broker({ authorizer: null });
    const c = await as(b, 'alice');
    const res = await c.send(ApiKey.CreateAcls, 3, {
      creations: [acl({ resourceName: 't', operation: Op.READ })],
    });
    expect(res.results[0].errorCode).toBe(ErrorCode.SECURITY_DISABLED);
  });

  it('needs ALTER on the cluster to create and DESCRIBE to list; a super user has both', async () => {
    const b = await broker();
    const alice = await as(b, 'alice');
    const denied = await alice.send(ApiKey.CreateAcls, 3, {
      creations: [acl({ resourceName: 't', operation: Op.READ })],
    });
    expect(denied.results[0].errorCode).toBe(ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
    const list = await alice.send(ApiKey.DescribeAcls, 3, {
      resourceTypeFilter: ResourceType.ANY,
      resourceNameFilter: null,
      patternTypeFilter: PatternType.ANY,
      principalFilter: null,
      hostFilter: null,
      operation: Op.ANY,
      permissionType: PermissionType.ANY,
    });
    expect(list.errorCode).toBe(ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
    const admin = await as(b, 'admin');
    await grant(
      admin,
      acl({
        resourceType: ResourceType.CLUSTER,
        resourceName: 'kafka-cluster',
        operation: Op.DESCRIBE,
      }),
    );
    const allowed = await alice.send(ApiKey.DescribeAcls, 3, {
      resourceTypeFilter: ResourceType.ANY,
      resourceNameFilter: null,
      patternTypeFilter: PatternType.ANY,
      principalFilter: null,
      hostFilter: null,
      operation: Op.ANY,
      permissionType: PermissionType.ANY,
    });
    expect(allowed.errorCode).toBe(0);
    expect(allowed.resources).toHaveLength(1);
  });

  it('validates each ACL as Kafka does (INVALID_REQUEST), storing the valid ones', async () => {
    const b = await broker();
    const admin = await as(b, 'admin');
    const res = await admin.send(ApiKey.CreateAcls, 3, {
      creations: [
        acl({ resourceType: ResourceType.GROUP, resourceName: 'g', operation: Op.WRITE }),
        acl({ resourceType: ResourceType.CLUSTER, resourceName: 'other', operation: Op.ALTER }),
        acl({ resourceName: 't', operation: Op.READ, principal: 'alice' }),
        acl({ resourceName: 't', operation: Op.READ, resourcePatternType: PatternType.MATCH }),
        acl({ resourceName: 't', operation: Op.READ }),
      ],
    });
    expect(res.results.map((r) => r.errorCode)).toEqual([
      ErrorCode.INVALID_REQUEST,
      ErrorCode.INVALID_REQUEST,
      ErrorCode.INVALID_REQUEST,
      ErrorCode.INVALID_REQUEST,
      0,
    ]);
    expect(res.results[0].errorMessage).toBe(
      'ACL operation WRITE not valid for resource type GROUP',
    );
  });

  it('describes and deletes with literal, prefixed, ANY and MATCH filters, and keeps ACLs across a restart', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'acl-test-'));
    dirs.push(dir);
    const b = await broker({}, dir);
    const admin = await as(b, 'admin');
    await grant(
      admin,
      acl({
        resourceName: 'sales.',
        resourcePatternType: PatternType.PREFIXED,
        operation: Op.WRITE,
      }),
      acl({ resourceName: 'sales.order-placed', operation: Op.READ, principal: 'User:bob' }),
      acl({ resourceName: '*', operation: Op.DESCRIBE, principal: 'User:bob' }),
      acl({ resourceType: ResourceType.GROUP, resourceName: 'sales', operation: Op.READ }),
    );
    const describe = (f: Partial<ApiRequest<typeof ApiKey.DescribeAcls>>) =>
      admin.send(ApiKey.DescribeAcls, 3, {
        resourceTypeFilter: ResourceType.ANY,
        resourceNameFilter: null,
        patternTypeFilter: PatternType.ANY,
        principalFilter: null,
        hostFilter: null,
        operation: Op.ANY,
        permissionType: PermissionType.ANY,
        ...f,
      });
    const names = (r: Awaited<ReturnType<typeof describe>>) =>
      r.resources.map((x) => `${x.patternType}:${x.resourceName}`).sort();
    expect(names(await describe({}))).toEqual([
      '3:*',
      '3:sales',
      '3:sales.order-placed',
      '4:sales.',
    ]);
    // MATCH: every ACL that applies to the topic sales.order-placed.
    expect(
      names(
        await describe({
          resourceTypeFilter: ResourceType.TOPIC,
          resourceNameFilter: 'sales.order-placed',
          patternTypeFilter: PatternType.MATCH,
        }),
      ),
    ).toEqual(['3:*', '3:sales.order-placed', '4:sales.']);
    expect(names(await describe({ patternTypeFilter: PatternType.PREFIXED }))).toEqual([
      '4:sales.',
    ]);
    expect(names(await describe({ principalFilter: 'User:bob' }))).toEqual([
      '3:*',
      '3:sales.order-placed',
    ]);
    await b.close();

    const again = await broker({}, dir);
    const admin2 = await as(again, 'admin');
    const deleted = await admin2.send(ApiKey.DeleteAcls, 3, {
      filters: [
        {
          resourceTypeFilter: ResourceType.ANY,
          resourceNameFilter: null,
          patternTypeFilter: PatternType.ANY,
          principalFilter: 'User:bob',
          hostFilter: null,
          operation: Op.ANY,
          permissionType: PermissionType.ANY,
        },
        {
          resourceTypeFilter: ResourceType.TOPIC,
          resourceNameFilter: null,
          patternTypeFilter: PatternType.ANY,
          principalFilter: null,
          hostFilter: null,
          operation: Op.ANY,
          permissionType: PermissionType.ANY,
        },
      ],
    });
    expect(
      deleted.filterResults.map((f) => f.matchingAcls.map((a) => a.resourceName).sort()),
    ).toEqual([['*', 'sales.order-placed'], ['sales.']]);
    const left = JSON.parse(fs.readFileSync(path.join(dir, ACLS_FILE), 'utf8')) as {
      acls: unknown[];
    };
    expect(left.acls).toHaveLength(1);
  });
});

describe('authorization on every API', () => {
  async function setup(options: Partial<BrokerOptions> = {}) {
    const b = await broker(options);
    const admin = await as(b, 'admin');
    await topics(
      admin,
      'sales.order-placed',
      'inventory.reservation-result',
      'inventory.stock-level',
    );
    await grant(
      admin,
      acl({
        resourceName: 'sales.',
        resourcePatternType: PatternType.PREFIXED,
        operation: Op.WRITE,
      }),
      acl({ resourceName: 'inventory.reservation-result', operation: Op.READ }),
      acl({ resourceType: ResourceType.GROUP, resourceName: 'sales', operation: Op.READ }),
    );
    return { b, admin, alice: await as(b, 'alice') };
  }

  it('Produce needs WRITE, Fetch READ; Metadata shows only what may be described', async () => {
    const { alice } = await setup();
    expect(await produce(alice, 'sales.order-placed')).toBe(0);
    expect(await produce(alice, 'inventory.stock-level')).toBe(
      ErrorCode.TOPIC_AUTHORIZATION_FAILED,
    );
    expect(await fetchError(alice, 'inventory.reservation-result')).toBe(0);
    expect(await fetchError(alice, 'sales.order-placed')).toBe(
      ErrorCode.TOPIC_AUTHORIZATION_FAILED,
    );
    const all = await metadata(alice, null);
    expect(all.topics.map((t) => t.name).sort()).toEqual([
      'inventory.reservation-result',
      'sales.order-placed',
    ]);
    const named = await metadata(alice, ['inventory.stock-level', 'sales.order-placed']);
    expect(named.topics.map((t) => [t.name, t.errorCode])).toEqual([
      ['inventory.stock-level', ErrorCode.TOPIC_AUTHORIZATION_FAILED],
      ['sales.order-placed', 0],
    ]);
  });

  it('auto-creation needs CREATE (on the cluster or the topic)', async () => {
    const { admin, alice } = await setup();
    const before = await metadata(alice, ['sales.new-topic']);
    expect(before.topics[0].errorCode).toBe(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
    expect(await produce(alice, 'sales.other-new')).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    await grant(
      admin,
      acl({
        resourceName: 'sales.',
        resourcePatternType: PatternType.PREFIXED,
        operation: Op.CREATE,
      }),
    );
    const after = await metadata(alice, ['sales.new-topic']);
    expect(after.topics[0].errorCode).toBe(0);
  });

  it('group APIs need READ (or DESCRIBE) on the group, and commits READ on each topic', async () => {
    const { alice } = await setup();
    const coordinator = await alice.send(ApiKey.FindCoordinator, 4, {
      keyType: 0,
      coordinatorKeys: ['sales', 'inventory'],
    } as never);
    expect(coordinator.coordinators!.map((c) => [c.key, c.errorCode])).toEqual([
      ['sales', 0],
      ['inventory', ErrorCode.GROUP_AUTHORIZATION_FAILED],
    ]);
    const join = (groupId: string) =>
      alice.send(ApiKey.JoinGroup, 5, {
        groupId,
        sessionTimeoutMs: 10_000,
        rebalanceTimeoutMs: 10_000,
        memberId: '',
        groupInstanceId: null,
        protocolType: 'consumer',
        protocols: [{ name: 'range', metadata: Buffer.alloc(0) }],
      } as never);
    expect((await join('inventory')).errorCode).toBe(ErrorCode.GROUP_AUTHORIZATION_FAILED);
    // Authorized: the normal first answer of a v4+ join (KIP-394).
    expect((await join('sales')).errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
    const commit = await alice.send(ApiKey.OffsetCommit, 8, {
      groupId: 'sales',
      generationIdOrMemberEpoch: -1,
      memberId: '',
      groupInstanceId: null,
      topics: [
        {
          name: 'inventory.reservation-result',
          partitions: [
            {
              partitionIndex: 0,
              committedOffset: 0n,
              committedLeaderEpoch: -1,
              committedMetadata: null,
            },
          ],
        },
        {
          name: 'inventory.stock-level',
          partitions: [
            {
              partitionIndex: 0,
              committedOffset: 0n,
              committedLeaderEpoch: -1,
              committedMetadata: null,
            },
          ],
        },
      ],
    } as never);
    expect(commit.topics.map((t) => [t.name, t.partitions[0].errorCode])).toEqual([
      ['inventory.reservation-result', 0],
      ['inventory.stock-level', ErrorCode.TOPIC_AUTHORIZATION_FAILED],
    ]);
    const groups = await alice.send(ApiKey.ListGroups, 4, { statesFilter: [] } as never);
    expect(groups.groups.map((g) => g.groupId)).toEqual(['sales']);
  });

  it('a DENY wins over an ALLOW, and hosts and User:* are honoured', async () => {
    const { admin, alice } = await setup();
    await grant(
      admin,
      acl({
        resourceName: 'inventory.reservation-result',
        operation: Op.READ,
        permissionType: PermissionType.DENY,
        principal: 'User:*',
      }),
    );
    expect(await fetchError(alice, 'inventory.reservation-result')).toBe(
      ErrorCode.TOPIC_AUTHORIZATION_FAILED,
    );
    await grant(
      admin,
      acl({ resourceName: 'inventory.stock-level', operation: Op.WRITE, host: '10.1.2.3' }),
    );
    expect(await produce(alice, 'inventory.stock-level')).toBe(
      ErrorCode.TOPIC_AUTHORIZATION_FAILED,
    );
    await grant(
      admin,
      acl({ resourceName: 'inventory.stock-level', operation: Op.WRITE, host: '127.0.0.1' }),
    );
    expect(await produce(alice, 'inventory.stock-level')).toBe(0);
  });

  it('an idempotent producer needs IDEMPOTENT_WRITE on the cluster or WRITE on some topic', async () => {
    const { b, alice } = await setup();
    const init = (c: WireClient) =>
      c.send(ApiKey.InitProducerId, 4, {
        transactionalId: null,
        transactionTimeoutMs: 60_000,
        producerId: -1n,
        producerEpoch: -1,
      });
    expect((await init(alice)).errorCode).toBe(0);
    expect((await init(await as(b, 'bob'))).errorCode).toBe(ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
  });

  it('configs need DESCRIBE_CONFIGS / ALTER_CONFIGS (implied), on the topic or the cluster', async () => {
    const { admin, alice } = await setup();
    const describeConfigs = () =>
      alice.send(ApiKey.DescribeConfigs, 4, {
        resources: [
          { resourceType: 2, resourceName: 'sales.order-placed', configurationKeys: null },
          { resourceType: 4, resourceName: '', configurationKeys: null },
        ],
        includeSynonyms: false,
        includeDocumentation: false,
      });
    expect((await describeConfigs()).results.map((r) => r.errorCode)).toEqual([
      ErrorCode.TOPIC_AUTHORIZATION_FAILED,
      ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
    ]);
    await grant(admin, acl({ resourceName: 'sales.order-placed', operation: Op.ALTER_CONFIGS }));
    expect((await describeConfigs()).results.map((r) => r.errorCode)).toEqual([
      0,
      ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
    ]);
  });

  it('allow.everyone.if.no.acl.found opens only resources with no ACL at all', async () => {
    const { b, admin } = await setup({
      authorizer: { superUsers: ['User:admin'], allowEveryoneIfNoAclFound: true },
    });
    await topics(admin, 'open-topic');
    const bob = await as(b, 'bob');
    expect(await produce(bob, 'open-topic')).toBe(0);
    expect(await produce(bob, 'sales.order-placed')).toBe(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
  });
});

describe.skipIf(!opensslAvailable().available)('principals from client certificates', () => {
  it("checks an SSL client against the ACLs of its certificate's subject", async () => {
    const certs = makeTestCertificates();
    try {
      const carol = certs.client('/O=Retail Streams/OU=analytics/CN=carol');
      const b = await broker({
        listeners: [
          SASL,
          {
            name: 'SSL',
            host: '127.0.0.1',
            port: 0,
            securityProtocol: 'SSL',
            ssl: {
              keystore: { type: 'PEM', key: certs.server.key, certificateChain: certs.server.cert },
              truststore: certs.ca,
              clientAuth: 'required',
            },
          },
        ],
      });
      const admin = await as(b, 'admin');
      await topics(admin, 'logs.access', 'sales.order-placed');
      await grant(
        admin,
        acl({
          resourceName: 'logs.access',
          operation: Op.WRITE,
          principal: 'User:CN=carol,OU=analytics,O=Retail Streams',
        }),
      );
      const c = await WireClient.connectTls(b.listeners[1].port, {
        ca: certs.ca,
        key: carol.key,
        cert: carol.cert,
      });
      clients.push(c);
      expect(await produce(c, 'logs.access')).toBe(0);
      expect(await produce(c, 'sales.order-placed')).toBe(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
    } finally {
      certs.remove();
    }
  });
});
