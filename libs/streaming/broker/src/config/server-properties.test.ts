import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.ts';
import { loadServerProperties, serverPropertiesToOptions } from './server-properties.ts';
import { parseProperties } from './properties.ts';

const map = (text: string) => serverPropertiesToOptions(parseProperties(text));

describe('serverPropertiesToOptions', () => {
  it('maps listeners, advertised.listeners, log.dirs and node.id', () => {
    const { options, warnings } = map(
      [
        'listeners=PLAINTEXT://0.0.0.0:19092',
        'advertised.listeners=PLAINTEXT://kafka.local:29092',
        'log.dirs=/var/kafka',
        'node.id=7',
        'num.partitions=3',
        'auto.create.topics.enable=false',
        'socket.request.max.bytes=1048576',
        'group.initial.rebalance.delay.ms=0',
        'log.retention.check.interval.ms=1000',
        'log.flush.interval.ms=500',
      ].join('\n'),
    );
    expect(options).toMatchObject({
      listeners: [
        {
          name: 'PLAINTEXT',
          host: '0.0.0.0',
          port: 19092,
          securityProtocol: 'PLAINTEXT',
          advertisedHost: 'kafka.local',
          advertisedPort: 29092,
        },
      ],
      logDir: '/var/kafka',
      nodeId: 7,
      numPartitions: 3,
      autoCreateTopics: false,
      maxRequestBytes: 1048576,
      groupInitialRebalanceDelayMs: 0,
      retentionCheckIntervalMs: 1000,
      flushIntervalMs: 500,
    });
    expect(warnings).toEqual([]);
  });

  it('binds every interface when the listener host is empty', () => {
    expect(map('listeners=PLAINTEXT://:9093').options.listeners).toMatchObject([
      { host: '0.0.0.0', port: 9093 },
    ]);
  });

  it('leaves out a KRaft controller listener, with a warning (a stock server.properties works)', () => {
    const { options, warnings } = map(
      [
        'listeners=PLAINTEXT://localhost:9092,CONTROLLER://:9093',
        'controller.listener.names=CONTROLLER',
        'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
      ].join('\n'),
    );
    expect(options.listeners).toMatchObject([{ name: 'PLAINTEXT', host: 'localhost', port: 9092 }]);
    expect(warnings).toEqual([
      expect.stringContaining('CONTROLLER is a KRaft controller listener'),
    ]);
  });

  it('advertises one address without listeners, for the default PLAINTEXT listener', () => {
    expect(map('advertised.listeners=PLAINTEXT://kafka.local:29092').options).toMatchObject({
      advertisedHost: 'kafka.local',
      advertisedPort: 29092,
    });
  });

  it('applies retention precedence ms > minutes > hours and converts units', () => {
    expect(map('log.retention.hours=2').options.topicDefaults).toEqual({ retentionMs: 7_200_000 });
    expect(map('log.retention.hours=2\nlog.retention.minutes=3').options.topicDefaults).toEqual({
      retentionMs: 180_000,
    });
    expect(map('log.retention.hours=2\nlog.retention.ms=5').options.topicDefaults).toEqual({
      retentionMs: 5,
    });
    expect(map('log.retention.hours=-1').options.topicDefaults).toEqual({ retentionMs: -1 });
  });

  it('maps topic-level defaults', () => {
    const { options } = map(
      'log.retention.bytes=1000\nlog.segment.bytes=2000\nlog.roll.hours=1\nmessage.max.bytes=3000',
    );
    expect(options.topicDefaults).toEqual({
      retentionBytes: 1000,
      segmentBytes: 2000,
      segmentMs: 3_600_000,
      maxMessageBytes: 3000,
    });
  });

  it("maps the broker property of every topic config, checked by the topic config's rules", () => {
    const { options } = map(
      'log.preallocate=true\nlog.roll.jitter.hours=1\nlog.message.timestamp.after.max.ms=500\n' +
        'log.cleaner.max.compaction.lag.ms=9000\nlog.segment.delete.delay.ms=0',
    );
    expect(options.topicDefaults).toEqual({
      preallocate: true,
      segmentJitterMs: 3_600_000,
      messageTimestampAfterMaxMs: 500,
      maxCompactionLagMs: 9000,
      fileDeleteDelayMs: 0,
    });
    expect(() => map('log.preallocate=maybe')).toThrow(/log.preallocate.*true or false/);
    // A cluster's min.insync.replicas is not a single node's: acks=all would be refused everywhere.
    expect(map('min.insync.replicas=2').options.topicDefaults).toBeUndefined();
  });

  it('warns about unknown keys and silently accepts cluster-only ones', () => {
    const { warnings } = map('num.io.threads=8\nfancy.feature=1');
    expect(warnings).toEqual(['unknown broker property "fancy.feature" ignored']);
  });

  it('uses broker.id only when node.id is absent, and log.dirs over log.dir', () => {
    expect(map('broker.id=3\nnode.id=4').options.nodeId).toBe(4);
    expect(map('broker.id=3').options.nodeId).toBe(3);
    expect(map('log.dir=/a\nlog.dirs=/b').options.logDir).toBe('/b');
  });

  it('rejects bad values with coded errors', () => {
    expect(() => map('num.partitions=lots')).toThrow(ConfigError);
    expect(() => map('auto.create.topics.enable=yes')).toThrow(/true or false/);
    expect(() => map('listeners=localhost:9092')).toThrow(/NAME:\/\/host:port/);
  });
});

describe('loadServerProperties', () => {
  it('reads a file from disk', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'server-props-'));
    const file = path.join(dir, 'server.properties');
    fs.writeFileSync(file, 'node.id=2\n');
    expect(loadServerProperties(file).options.nodeId).toBe(2);
  });

  it('fails with CONFIG_FILE_UNREADABLE when the file is missing', () => {
    try {
      loadServerProperties('/nonexistent/server.properties');
      expect.unreachable();
    } catch (err) {
      expect((err as ConfigError).code).toBe('CONFIG_FILE_UNREADABLE');
    }
  });
});
