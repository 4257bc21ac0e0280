import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DescribeConfigsResponse } from '../protocol/index.ts';
import { startTestBroker } from './test-support/broker-fixture.ts';
import type { TestBroker } from './test-support/broker-fixture.ts';
import { API, createTopicsRequest } from './test-support/requests.ts';
import type { WireClient } from './test-support/wire-client.ts';

let t: TestBroker;
let c: WireClient;

beforeEach(async () => {
  t = await startTestBroker({ topicDefaults: { segmentBytes: 1_000_000 } });
  c = await t.connect();
  await c.send(
    API.CREATE_TOPICS,
    4,
    createTopicsRequest([{ name: 'cfg', configs: { 'retention.ms': '60000' } }]),
  );
});

afterEach(async () => {
  await t.close();
});

function describeReq(type: number, name: string, keys: string[] | null, includeSynonyms = false) {
  return {
    resources: [{ resourceType: type, resourceName: name, configurationKeys: keys }],
    includeSynonyms,
    includeDocumentation: false,
  };
}

function entry(res: DescribeConfigsResponse, name: string) {
  const found = res.results[0].configs.find((x) => x.name === name);
  if (!found) throw new Error(`${name} not described`);
  return found;
}

describe('DescribeConfigs', () => {
  it('reports topic overrides, broker-configured defaults and built-in defaults with their sources', async () => {
    const res = await c.send(API.DESCRIBE_CONFIGS, 1, describeReq(2, 'cfg', null, true));
    expect(res.results[0].errorCode).toBe(0);
    expect(entry(res, 'retention.ms')).toMatchObject({
      value: '60000',
      configSource: 1,
      readOnly: false,
    });
    expect(entry(res, 'retention.ms').synonyms?.map((s) => [s.name, s.source])).toEqual([
      ['retention.ms', 1],
      ['log.retention.ms', 5],
    ]);
    expect(entry(res, 'segment.bytes')).toMatchObject({ value: '1000000', configSource: 4 });
    expect(entry(res, 'cleanup.policy')).toMatchObject({ value: 'delete', configSource: 5 });
  });

  it('uses isDefault in v0 only', async () => {
    const v0 = await c.send(
      API.DESCRIBE_CONFIGS,
      0,
      describeReq(2, 'cfg', ['retention.ms', 'cleanup.policy']),
    );
    expect(entry(v0, 'retention.ms').isDefault).toBe(false);
    expect(entry(v0, 'cleanup.policy').isDefault).toBe(true);
    expect(v0.results[0].configs).toHaveLength(2);
  });

  it('describes the broker (type 4) and fails for unknown topics', async () => {
    const broker = await c.send(
      API.DESCRIBE_CONFIGS,
      4,
      describeReq(4, String(t.broker.nodeId), ['num.partitions', 'log.segment.bytes']),
    );
    expect(broker.results[0].errorCode).toBe(0);
    expect(entry(broker, 'log.segment.bytes')).toMatchObject({ value: '1000000', readOnly: true });
    const missing = await c.send(API.DESCRIBE_CONFIGS, 4, describeReq(2, 'nope', null));
    expect(missing.results[0].errorCode).toBe(3);
  });
});

describe('every topic config of Kafka 3.9', () => {
  it('describes the configs a single node only stores with their defaults, sources and synonyms', async () => {
    const res = await c.send(API.DESCRIBE_CONFIGS, 4, describeReq(2, 'cfg', null, true));
    const described = (name: string) => {
      const e = entry(res, name);
      return [e.value, e.configSource, e.synonyms?.map((s) => [s.name, s.value, s.source])];
    };
    expect(described('file.delete.delay.ms')).toEqual([
      '60000',
      5,
      [['log.segment.delete.delay.ms', '60000', 5]],
    ]);
    expect(described('preallocate')).toEqual(['false', 5, [['log.preallocate', 'false', 5]]]);
    expect(described('unclean.leader.election.enable')).toEqual([
      'false',
      5,
      [['unclean.leader.election.enable', 'false', 5]],
    ]);
    expect(described('segment.jitter.ms')).toEqual(['0', 5, [['log.roll.jitter.ms', '0', 5]]]);
    expect(described('message.timestamp.difference.max.ms')[0]).toBe('9223372036854775807');
    expect(res.results[0].configs).toHaveLength(36);
  });

  it('creates, alters and incrementally alters topics with them', async () => {
    const created = await c.send(
      API.CREATE_TOPICS,
      4,
      createTopicsRequest([
        { name: 'cfg-old', configs: { 'message.timestamp.difference.max.ms': '3600000' } },
      ]),
    );
    expect(created.topics[0].errorCode).toBe(0);
    const altered = await c.send(API.ALTER_CONFIGS, 1, {
      resources: [
        {
          resourceType: 2,
          resourceName: 'cfg-old',
          configs: [{ name: 'message.format.version', value: '0.10.0' }],
        },
      ],
      validateOnly: false,
    });
    expect(altered.responses[0].errorCode).toBe(0);
    const incremental = await c.send(API.INCREMENTAL_ALTER_CONFIGS, 1, {
      resources: [
        {
          resourceType: 2,
          resourceName: 'cfg-old',
          configs: [{ name: 'preallocate', configOperation: 0, value: 'true' }],
        },
      ],
      validateOnly: false,
    });
    expect(incremental.responses[0].errorCode).toBe(0);
    expect(t.broker.logs.getTopic('cfg-old')!.overrides).toEqual({
      'message.format.version': '0.10.0',
      preallocate: 'true',
    });
  });

  it('describes the broker like a Kafka broker: default.replication.factor and every topic default', async () => {
    const res = await c.send(API.DESCRIBE_CONFIGS, 4, describeReq(4, '', null, true));
    expect(res.results[0].errorCode).toBe(0);
    expect(entry(res, 'default.replication.factor')).toMatchObject({
      value: '1',
      configSource: 5,
      readOnly: true,
    });
    expect(entry(res, 'log.segment.bytes')).toMatchObject({ value: '1000000', configSource: 4 });
    expect(entry(res, 'log.preallocate')).toMatchObject({ value: 'false', configSource: 5 });
    expect(entry(res, 'log.retention.hours')).toMatchObject({ value: '168', configSource: 5 });
    expect(entry(res, 'transaction.max.timeout.ms')).toMatchObject({
      value: '900000',
      configSource: 5,
    });
    const names = res.results[0].configs.map((x) => x.name);
    expect(names).toEqual([...names].sort());
    expect(new Set(names).size).toBe(names.length);
  });
});

describe('AlterConfigs', () => {
  it('replaces all overrides of a topic', async () => {
    const res = await c.send(API.ALTER_CONFIGS, 1, {
      resources: [
        { resourceType: 2, resourceName: 'cfg', configs: [{ name: 'segment.ms', value: '5000' }] },
      ],
      validateOnly: false,
    });
    expect(res.responses[0].errorCode).toBe(0);
    expect(t.broker.logs.getTopic('cfg')!.overrides).toEqual({ 'segment.ms': '5000' });
  });

  it('rejects bad values and leaves the topic alone', async () => {
    const res = await c.send(API.ALTER_CONFIGS, 2, {
      resources: [
        { resourceType: 2, resourceName: 'cfg', configs: [{ name: 'retention.ms', value: 'x' }] },
      ],
      validateOnly: false,
    });
    expect(res.responses[0].errorCode).toBe(40);
    expect(t.broker.logs.getTopic('cfg')!.overrides).toEqual({ 'retention.ms': '60000' });
  });

  it('refuses every copy of a resource listed twice, answers unknown topics, and alters the rest', async () => {
    await c.send(API.CREATE_TOPICS, 4, createTopicsRequest([{ name: 'cfg-2' }]));
    const twice = { resourceType: 2, resourceName: 'cfg', configs: [] };
    const res = await c.send(API.ALTER_CONFIGS, 1, {
      resources: [
        twice,
        { resourceType: 2, resourceName: 'missing', configs: [] },
        {
          resourceType: 2,
          resourceName: 'cfg-2',
          configs: [{ name: 'segment.ms', value: '9000' }],
        },
        twice,
      ],
      validateOnly: false,
    });
    expect(res.responses.map((r) => ({ name: r.resourceName, errorCode: r.errorCode }))).toEqual([
      { name: 'cfg', errorCode: 42 },
      { name: 'missing', errorCode: 3 },
      { name: 'cfg-2', errorCode: 0 },
      { name: 'cfg', errorCode: 42 },
    ]);
    expect(t.broker.logs.getTopic('cfg')!.overrides).toEqual({ 'retention.ms': '60000' });
    expect(t.broker.logs.getTopic('cfg-2')!.overrides).toEqual({ 'segment.ms': '9000' });
  });
});

describe('IncrementalAlterConfigs', () => {
  const alter = (
    configs: Array<{ name: string; configOperation: number; value: string | null }>,
    validateOnly = false,
  ) =>
    c.send(API.INCREMENTAL_ALTER_CONFIGS, 1, {
      resources: [{ resourceType: 2, resourceName: 'cfg', configs }],
      validateOnly,
    });

  it('SETs and DELETEs single keys, keeping the others', async () => {
    const res = await alter([
      { name: 'segment.ms', configOperation: 0, value: '7000' },
      { name: 'retention.ms', configOperation: 1, value: null },
    ]);
    expect(res.responses[0].errorCode).toBe(0);
    expect(t.broker.logs.getTopic('cfg')!.overrides).toEqual({ 'segment.ms': '7000' });
  });

  it('APPENDs to and SUBTRACTs from list configs', async () => {
    await alter([{ name: 'cleanup.policy', configOperation: 2, value: 'compact' }]);
    expect(t.broker.logs.getTopic('cfg')!.config.cleanupPolicy).toBe('compact,delete');
    await alter([{ name: 'cleanup.policy', configOperation: 3, value: 'delete' }]);
    expect(t.broker.logs.getTopic('cfg')!.config.cleanupPolicy).toBe('compact');
  });

  it('rejects APPEND on a non-list config with INVALID_REQUEST (42)', async () => {
    const res = await alter([{ name: 'retention.ms', configOperation: 2, value: '1' }]);
    expect(res.responses[0].errorCode).toBe(42);
  });

  it('refuses every copy of a resource listed twice and leaves it alone', async () => {
    const twice = {
      resourceType: 2,
      resourceName: 'cfg',
      configs: [{ name: 'segment.ms', configOperation: 0, value: '7000' }],
    };
    const res = await c.send(API.INCREMENTAL_ALTER_CONFIGS, 1, {
      resources: [twice, twice],
      validateOnly: false,
    });
    expect(res.responses.map((r) => r.errorCode)).toEqual([42, 42]);
    expect(t.broker.logs.getTopic('cfg')!.overrides).toEqual({ 'retention.ms': '60000' });
  });

  it('changes nothing with validateOnly', async () => {
    const res = await alter([{ name: 'segment.ms', configOperation: 0, value: '7000' }], true);
    expect(res.responses[0].errorCode).toBe(0);
    expect(t.broker.logs.getTopic('cfg')!.overrides).toEqual({ 'retention.ms': '60000' });
  });
});
