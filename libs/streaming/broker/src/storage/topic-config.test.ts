import { describe, expect, it } from 'vitest';
import { ErrorCode as StorageErrorCode } from '../errors/index.ts';
import { StorageError } from './errors.ts';
import {
  DEFAULT_TOPIC_CONFIG,
  TOPIC_CONFIG_KEYS,
  deletesOldSegments,
  describeTopicConfig,
  resolveBrokerDefaults,
  resolveTopicConfig,
  validateTopicOverrides,
} from './topic-config.ts';

function codeOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof StorageError) return err.code;
    throw err;
  }
  return undefined;
}

describe('topic config', () => {
  it("uses Kafka's defaults", () => {
    expect(DEFAULT_TOPIC_CONFIG).toMatchObject({
      retentionMs: 604800000,
      retentionBytes: -1,
      segmentBytes: 1073741824,
      segmentMs: 604800000,
      cleanupPolicy: 'delete',
      maxMessageBytes: 1048588,
      messageTimestampType: 'CreateTime',
      deleteRetentionMs: 86400000,
      minCompactionLagMs: 0,
      indexIntervalBytes: 4096,
      minInsyncReplicas: 1,
    });
  });

  it('lists every key with a default that parses, sorted by name', () => {
    const names = TOPIC_CONFIG_KEYS.map((k) => k.name);
    expect(names).toEqual([...names].sort());
    for (const k of TOPIC_CONFIG_KEYS) expect(() => k.parse(k.defaultValue)).not.toThrow();
    expect(names).toContain('segment.index.bytes');
    expect(names).toContain('flush.ms');
  });

  it('knows every topic config of Kafka 3.9, the release whose API ranges the broker advertises', () => {
    expect(TOPIC_CONFIG_KEYS.map((k) => k.name)).toEqual([
      'cleanup.policy',
      'compression.gzip.level',
      'compression.lz4.level',
      'compression.type',
      'compression.zstd.level',
      'delete.retention.ms',
      'file.delete.delay.ms',
      'flush.messages',
      'flush.ms',
      'follower.replication.throttled.replicas',
      'index.interval.bytes',
      'leader.replication.throttled.replicas',
      'local.retention.bytes',
      'local.retention.ms',
      'max.compaction.lag.ms',
      'max.message.bytes',
      'message.downconversion.enable',
      'message.format.version',
      'message.timestamp.after.max.ms',
      'message.timestamp.before.max.ms',
      'message.timestamp.difference.max.ms',
      'message.timestamp.type',
      'min.cleanable.dirty.ratio',
      'min.compaction.lag.ms',
      'min.insync.replicas',
      'preallocate',
      'remote.log.copy.disable',
      'remote.log.delete.on.disable',
      'remote.storage.enable',
      'retention.bytes',
      'retention.ms',
      'segment.bytes',
      'segment.index.bytes',
      'segment.jitter.ms',
      'segment.ms',
      'unclean.leader.election.enable',
    ]);
    expect(DEFAULT_TOPIC_CONFIG).toMatchObject({
      fileDeleteDelayMs: 60000,
      preallocate: false,
      uncleanLeaderElectionEnable: false,
      segmentJitterMs: 0,
      messageFormatVersion: '3.0-IV1',
      localRetentionMs: -2,
      compressionZstdLevel: 3,
    });
  });

  it('accepts every well-formed value, normalised where Kafka normalises', () => {
    expect(
      validateTopicOverrides({
        'message.timestamp.difference.max.ms': '3600000',
        'message.format.version': '0.10.0.1',
        preallocate: 'TRUE',
        'unclean.leader.election.enable': ' false',
        'leader.replication.throttled.replicas': '0:1, 1:1',
        'follower.replication.throttled.replicas': '*',
        'compression.gzip.level': '9',
        'compression.zstd.level': '-5',
        'file.delete.delay.ms': '0',
        'remote.storage.enable': 'false',
      }),
    ).toEqual({
      'message.timestamp.difference.max.ms': '3600000',
      'message.format.version': '0.10.0.1',
      preallocate: 'true',
      'unclean.leader.election.enable': 'false',
      'leader.replication.throttled.replicas': '0:1,1:1',
      'follower.replication.throttled.replicas': '*',
      'compression.gzip.level': '9',
      'compression.zstd.level': '-5',
      'file.delete.delay.ms': '0',
      'remote.storage.enable': 'false',
    });
    for (const v of ['0.8.2', '0.10.2-IV0', '0.11.0', '1.0', '2.1-IV2', '2.8.1', '3.0-IV1', '3.9'])
      expect(validateTopicOverrides({ 'message.format.version': v })).toEqual({
        'message.format.version': v,
      });
  });

  it('refuses malformed values of the configs that change nothing here too', () => {
    const bads: Record<string, string>[] = [
      { preallocate: 'yes' },
      { 'message.format.version': 'banana' },
      { 'message.format.version': '2.1-IV9' },
      { 'message.format.version': '0.10' },
      { 'message.format.version': '5.0' },
      { 'compression.gzip.level': '10' },
      { 'compression.lz4.level': '0' },
      { 'leader.replication.throttled.replicas': '0:x' },
      { 'local.retention.ms': '-3' },
      { 'message.timestamp.before.max.ms': '-1' },
      { 'segment.jitter.ms': 'soon' },
      { 'remote.storage.enable': 'true' },
    ];
    for (const bad of bads) {
      expect(
        codeOf(() => validateTopicOverrides(bad)),
        JSON.stringify(bad),
      ).toBe(StorageErrorCode.INVALID_CONFIG);
    }
  });

  it('overlays broker defaults and topic overrides', () => {
    const config = resolveTopicConfig(
      { retentionMs: 10 },
      { 'retention.bytes': '99', 'message.timestamp.type': 'LogAppendTime' },
    );
    expect([config.retentionMs, config.retentionBytes, config.messageTimestampType]).toEqual([
      10,
      99,
      'LogAppendTime',
    ]);
  });

  it('ignores undefined broker defaults and rejects invalid ones with INVALID_CONFIG', () => {
    expect(resolveBrokerDefaults({ retentionMs: undefined, segmentBytes: 4096 })).toMatchObject({
      retentionMs: 604800000,
      segmentBytes: 4096,
    });
    expect(codeOf(() => resolveBrokerDefaults({ segmentBytes: -5 }))).toBe(
      StorageErrorCode.INVALID_CONFIG,
    );
    expect(codeOf(() => resolveBrokerDefaults({ cleanupPolicy: 'shred' }))).toBe(
      StorageErrorCode.INVALID_CONFIG,
    );
  });

  it('rejects unknown keys and bad values with INVALID_CONFIG', () => {
    const bads: Record<string, string>[] = [
      { 'retention.ms': 'abc' },
      { 'retention.ms': '-2' },
      { 'segment.bytes': '13' },
      { 'segment.bytes': '3000000000' },
      { 'cleanup.policy': '' },
      { 'cleanup.policy': 'delete,forever' },
      { 'message.timestamp.type': 'Whenever' },
      { 'min.cleanable.dirty.ratio': '1.5' },
      { 'made.up': '1' },
    ];
    for (const bad of bads) {
      expect(codeOf(() => validateTopicOverrides(bad))).toBe(StorageErrorCode.INVALID_CONFIG);
    }
  });

  it('normalises cleanup.policy and knows which policies delete', () => {
    expect(validateTopicOverrides({ 'cleanup.policy': 'delete, compact' })).toEqual({
      'cleanup.policy': 'compact,delete',
    });
    expect(deletesOldSegments(resolveTopicConfig({}, { 'cleanup.policy': 'compact' }))).toBe(false);
    expect(deletesOldSegments(resolveTopicConfig({}, { 'cleanup.policy': 'compact,delete' }))).toBe(
      true,
    );
  });

  it('describes effective values, marking overrides as TOPIC_CONFIG', () => {
    const overrides = { 'retention.ms': '1000' };
    const entries = describeTopicConfig(
      resolveTopicConfig({ segmentBytes: 2048 }, overrides),
      overrides,
    );
    const byName = new Map(entries.map((e) => [e.name, e]));
    expect(byName.get('retention.ms')).toMatchObject({
      value: '1000',
      isDefault: false,
      source: 'TOPIC_CONFIG',
    });
    expect(byName.get('segment.bytes')).toMatchObject({
      value: '2048',
      isDefault: true,
      source: 'DEFAULT_CONFIG',
    });
    expect(byName.get('flush.ms')!.value).toBe('9223372036854775807');
    expect(entries).toHaveLength(TOPIC_CONFIG_KEYS.length);
  });
});
