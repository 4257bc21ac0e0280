import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.ts';
import { resolveBrokerConfig } from './resolve-config.ts';

describe('resolveBrokerConfig', () => {
  it('fills defaults', () => {
    const config = resolveBrokerConfig({ logDir: '/tmp/x' });
    expect(config).toMatchObject({
      port: 9092,
      host: '127.0.0.1',
      advertisedHost: '127.0.0.1',
      nodeId: 1,
      autoCreateTopics: true,
      numPartitions: 1,
      maxRequestBytes: 100 * 1024 * 1024,
      retentionCheckIntervalMs: 300_000,
      groupInitialRebalanceDelayMs: 0,
    });
  });

  it('advertises loopback when bound to a wildcard address', () => {
    expect(resolveBrokerConfig({ logDir: '/x', host: '0.0.0.0' }).advertisedHost).toBe('127.0.0.1');
    expect(
      resolveBrokerConfig({ logDir: '/x', host: '0.0.0.0', advertisedHost: 'h' }).advertisedHost,
    ).toBe('h');
  });

  it('rejects invalid values with a code', () => {
    expect(() => resolveBrokerConfig({ logDir: '' })).toThrow(ConfigError);
    expect(() => resolveBrokerConfig({ logDir: '/x', port: 70000 })).toThrow(/port/);
    expect(() => resolveBrokerConfig({ logDir: '/x', numPartitions: 0 })).toThrow(/numPartitions/);
  });
});
